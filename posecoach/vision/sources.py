"""Frame sources: a video file, a folder of images, or a camera -> Iterator[Frame].

This is the only module that reads a clock (for camera frames). Video timestamps come from the
file's own timing, so a replay is exact.
"""
from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

# FFmpeg's own complaints about a damaged file ("moov atom not found") would reach the terminal
# beside our one-line error; read when OpenCV first opens a video, so set before any capture.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from posecoach.core.errors import SourceError
from posecoach.core.paths import IMAGE_SUFFIXES as IMAGE_SUFFIXES  # re-exported
from posecoach.core.paths import VIDEO_SUFFIXES as VIDEO_SUFFIXES  # re-exported
from posecoach.core.types import Frame
from posecoach.vision.estimator import shrink


class VideoSource:
    """Frames of a video file. `t_ms` is the container's timestamp for the frame when the file has
    a sane one, else index / fps. A file that stops decoding part way ends the iteration and sets
    `truncated` so the caller can warn; what was decoded is kept.

    Set before iterating, for an analysis that does not need every picture at full size:
    max_side: pictures are shrunk to this longest side (pixels) as they are decoded, on the
    decoding thread (the size the pose model is fed anyway). keep_every: only frames whose index is
    a multiple of it are converted to a picture; the others are decoded (the video's later frames
    need them) but carry the last converted picture (the same array), which saves the colour
    conversion and shrinking of 1080p and 4K frames the pose model will not see (runner.sampling).
    """

    def __init__(self, path: str | Path, max_side: int | None = None, keep_every: int = 1) -> None:
        self.path = Path(path)
        self.max_side = max_side
        self.keep_every = max(1, keep_every)
        if not self.path.exists():
            raise SourceError(f"video not found: {self.path}")
        if self.path.is_dir():
            raise SourceError(f"{self.path} is a folder, not a video")
        if self.path.stat().st_size == 0:
            raise SourceError(f"cannot read {self.path}: the file is empty")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"cannot read {self.path}: {unreadable_reason(self.path)}")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 1.0 <= fps <= 1000.0 else 30.0
        self.frame_count = max(int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 0)
        self.truncated = False

    def __iter__(self) -> Iterator[Frame]:
        index, last_t = 0, -1
        held: np.ndarray | None = None  # the last picture converted
        try:
            while True:
                if held is not None and index % self.keep_every:
                    ok, image = self._cap.grab(), held
                else:
                    ok, image = self._cap.read()
                    if ok and image is not None and self.max_side:
                        image = shrink(image, self.max_side)[0]
                    held = image
                if not ok or image is None:
                    break
                t = self._cap.get(cv2.CAP_PROP_POS_MSEC)
                nominal = int(round(index * 1000.0 / self.fps))
                t_ms = int(round(t)) if np.isfinite(t) and t > 0 and abs(t - nominal) < 2000 else nominal
                t_ms = max(t_ms, last_t + 1) if index else max(t_ms, 0)
                last_t = t_ms
                yield Frame(image=image, t_ms=t_ms, index=index)
                index += 1
        finally:
            self._cap.release()
        # The container's count is an estimate for some formats: allow 2% slack before calling
        # the file cut short.
        if self.frame_count and index < self.frame_count - max(2, 0.02 * self.frame_count):
            self.truncated = True
        self.frames_read = index


def announced_frames(video: Path) -> int:
    """The frame count a video's container announces (0 when unknown or unreadable), for a
    progress bar. Opened here, where FFmpeg is told to keep quiet about a damaged file."""
    cap = cv2.VideoCapture(str(video))
    try:
        return max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 0) if cap.isOpened() else 0
    finally:
        cap.release()


def unreadable_reason(path: Path) -> str:
    """Why OpenCV could not open `path`, guessed from its first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as e:
        return e.strerror or str(e)
    if head[4:8] == b"ftyp":
        return ("an MP4/MOV file without decodable video (no frames, damaged, or cut short before "
                "its index was written)")
    return "not a video file, or in a format OpenCV cannot decode"


class ImageFolderSource:
    """Images of a folder in name order, as frames `1000 / fps` ms apart."""

    def __init__(self, folder: str | Path, fps: float = 30.0) -> None:
        self.path = Path(folder)
        if not self.path.is_dir():
            raise SourceError(f"image folder not found: {self.path}")
        self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"no images in {self.path} (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
        self.fps = fps
        self.frame_count = len(self.files)
        self.truncated = False

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        for p in self.files:
            image = cv2.imread(str(p), cv2.IMREAD_COLOR)
            if image is None:
                self.truncated = True
                continue
            yield Frame(image=image, t_ms=int(round(index * 1000.0 / self.fps)), index=index)
            index += 1
        self.frames_read = index


class LatestFrameSource:
    """Frames delivered by a background reader thread that keeps only the newest one, so a slow
    consumer drops stale frames instead of building a backlog (what a live coach needs).

    Subclasses implement `_read() -> (image, t_ms) | None` (None = the stream ended) and may
    override `_reopen()`. `dropped` counts frames the consumer never saw.
    """

    fps: float = 30.0
    frame_count = 0
    truncated = False
    name = "stream"
    speed = 1.0  # stream time runs this many times faster than the wall clock
    _t0: float | None = None  # time.monotonic() at stream time 0, once the first frame is read

    @property
    def clock_origin(self) -> float | None:
        """time.monotonic() at stream time t_ms = 0 (None before the first frame): a microphone
        shares it so a word's time is a frame's time."""
        return self._t0

    def __init__(self) -> None:
        self.lost = False
        self.dropped = 0
        self.frames_read = 0
        self._lock = threading.Condition()
        self._latest: tuple[np.ndarray, int, float] | None = None
        self._seq = 0
        self._taken = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="frames", daemon=True)

    def start(self) -> "LatestFrameSource":
        self._thread.start()
        return self

    def _read(self) -> tuple[np.ndarray, int] | None:
        raise NotImplementedError

    def _release(self) -> None:
        pass

    def _run(self) -> None:
        try:
            while not self._stop:
                item = self._read()
                if item is None:
                    break
                captured = time.monotonic()
                with self._lock:
                    if self._latest is not None and self._seq > self._taken:
                        self.dropped += 1
                    self._latest = (item[0], item[1], captured)
                    self._seq += 1
                    self._lock.notify_all()
        finally:
            with self._lock:
                self._stop = True
                self._lock.notify_all()

    def __iter__(self) -> Iterator[Frame]:
        if not self._thread.is_alive() and not self._stop:
            self.start()
        index = 0
        try:
            while True:
                with self._lock:
                    while self._seq == self._taken and not self._stop:
                        self._lock.wait(timeout=1.0)
                    if self._seq == self._taken:
                        break
                    assert self._latest is not None, "a new frame arrived"
                    image, t_ms, captured = self._latest
                    self._taken = self._seq
                yield Frame(image=image, t_ms=t_ms, index=index, captured_s=captured)
                index += 1
        finally:
            self.frames_read = index
            self.close()

    def close(self) -> None:
        self._stop = True
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=2.0)
        self._release()


class CameraSource(LatestFrameSource):
    """A webcam by index or device path. `t_ms` is the capture time since its first frame
    (monotonic clock). A camera that stops delivering is reopened for up to `reconnect_s` seconds;
    after that the stream ends and `lost` is set, so the session ends cleanly and is kept.
    """

    def __init__(self, camera: int | str = 0, width: int = 640, height: int = 480, fps: float = 30.0,
                 reconnect_s: float = 3.0) -> None:
        super().__init__()
        self.camera = camera
        self.name = f"camera {camera}"
        self.request = (width, height, fps)
        self.reconnect_s = reconnect_s
        self.fps = fps
        self._cap = self._open()
        self._t0: float | None = None  # the first frame is t_ms 0

    def _open(self) -> cv2.VideoCapture:
        with quiet_opencv():
            cap = cv2.VideoCapture(self.camera)
        if not cap.isOpened():
            cap.release()
            found = list_cameras()
            hint = f"cameras found: {', '.join(map(str, found))}" if found else "no camera was found"
            raise SourceError(f"cannot open camera {self.camera!r} ({hint}); "
                              "pick one with --camera, or use --video FILE")
        w, h, fps = self.request
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
        cap.set(cv2.CAP_PROP_FPS, fps)
        return cap

    def _read(self) -> tuple[np.ndarray, int] | None:
        failed_since: float | None = None
        while not self._stop:
            ok, image = self._cap.read()
            now = time.monotonic()
            if ok and image is not None:
                if self._t0 is None:
                    self._t0 = now
                return image, int((now - self._t0) * 1000)
            failed_since = failed_since or now
            if now - failed_since > self.reconnect_s:
                self.lost = True
                return None
            time.sleep(0.2)
            try:
                self._cap.release()
                self._cap = self._open()
            except SourceError:
                pass
        return None

    def _release(self) -> None:
        self._cap.release()


class PacedVideoSource(LatestFrameSource):
    """A video file played at its own speed as if it were a camera: frames that the consumer is
    too slow to take are dropped. `t_ms` is the file's timestamp. `speed` > 1 plays faster.
    """

    def __init__(self, path: str | Path, speed: float = 1.0) -> None:
        super().__init__()
        self._video = VideoSource(path)
        self.name = str(path)
        self.fps = self._video.fps
        self.frame_count = self._video.frame_count
        self.speed = speed
        self._frames = iter(self._video)
        self._t0: float | None = None

    def _read(self) -> tuple[np.ndarray, int] | None:
        frame = next(self._frames, None)
        if frame is None:
            self.truncated = self._video.truncated
            return None
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now - frame.t_ms / 1000.0 / self.speed
        due = self._t0 + frame.t_ms / 1000.0 / self.speed
        if due > now:
            time.sleep(due - now)
        return frame.image, frame.t_ms


def list_cameras(max_index: int = 4) -> list[int]:
    """Camera indices that open, probing 0..max_index-1 (quietly)."""
    found = []
    with quiet_opencv():
        for i in range(max_index):
            cap = cv2.VideoCapture(i)
            if cap.isOpened():
                found.append(i)
            cap.release()
    return found


@contextlib.contextmanager
def quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's log lines (e.g. "Camera index out of range") while probing cameras: the
    user gets our one-line error instead."""
    try:
        previous = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    except AttributeError:  # a build without the logging utilities
        yield
        return
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def prefetch(frames: Iterable[Frame], depth: int = 4) -> Iterator[Frame]:
    """Decode ahead on another thread (OpenCV releases the GIL while decoding), so decoding
    overlaps pose inference on a second core. At most `depth` frames wait (bounded memory);
    nothing is dropped. An error in the decoder is raised here, in the consumer.
    """
    q: queue.Queue[Frame | BaseException | None] = queue.Queue(maxsize=depth)  # None: the end
    stop = threading.Event()

    def put(item: Frame | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(None)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            put(e)

    thread = threading.Thread(target=run, name="decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5.0)


def open_source(spec: str | Path) -> VideoSource | ImageFolderSource:
    """A video file or an image folder, by path; errors say what was expected."""
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path)
    return VideoSource(path)


def demo_video() -> Path | None:
    """The demo clip shipped inside the package (posecoach/data/demo), to play when there is no
    camera: found through importlib.resources, so an installed wheel finds it from any folder."""
    from importlib import resources
    demo = resources.files("posecoach") / "data" / "demo" / "lunge_good_left.mp4"
    return Path(str(demo)) if demo.is_file() else None


def open_live_source(camera: int | str | None, video: Path | None, speed: float = 1.0) -> LatestFrameSource:
    """What stands in front of the coach: `video` played at its own pace (or `speed` times it), else
    the camera; with neither given and no camera present, the bundled demo clip (with a notice)."""
    if video is None and camera is None and not list_cameras(max_index=1):
        video = demo_video()
        if video is None:
            raise SourceError("no camera found and no sample video bundled; use --video FILE")
        print(f"posecoach: no camera found; playing the sample video {video.name} instead "
              "(use --camera or --video to choose)", file=sys.stderr)
    if video is not None:
        if not video.is_file():
            raise SourceError(f"video not found: {video}")
        return PacedVideoSource(video, speed=speed)
    return CameraSource(0 if camera is None else camera)
