"""The annotated video of `analyze --annotate`: drawn on the caller's thread, encoded on a worker.

Encoding a frame costs ~2.5 ms at 960x540 (far more at 4K) and OpenCV releases the GIL while it
encodes, so a worker thread does it on the second core. Drawing (~1 ms) stays on the caller's
thread: it is mostly Python, and on the worker it held the GIL against MediaPipe's Python
wrapper, whose calls then took 20-30% longer (measured: 20.4 -> 24-30 ms a frame). Large frames
are written at most `max_side` pixels on their longest side (a review video needs no 4K). At most
`depth` frames wait (bounded memory); when the encoder is slower the producer waits, nothing is
dropped.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from posecoach.errors import PosecoachError
from posecoach.estimator import shrink
from posecoach.overlay import annotate
from posecoach.types import FrameResult

_END = None


def scaled_result(result: FrameResult, scale: float) -> FrameResult:
    """`result` with its pose in the pixels of the frame resized by `scale` (for drawing)."""
    pose = result.pose
    if pose is None or scale == 1.0:
        return result
    w, h = pose.image_size
    small = replace(pose, xy=pose.xy * scale, image_size=(round(w * scale), round(h * scale)), mask=None)
    return replace(result, pose=small)


class AnnotatedVideoWriter:
    """`write(image, result, cue_text)` per frame, then `close()`. Errors of the worker (e.g. the
    file cannot be created) are raised by the next `write` or by `close`."""

    def __init__(self, path: str | Path, fps: float, max_side: int = 1280, depth: int = 4) -> None:
        self.path = Path(path)
        self.fps = fps
        self.max_side = max_side
        self.frames = 0
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._writer: cv2.VideoWriter | None = None
        self._thread = threading.Thread(target=self._run, name="encode", daemon=True)
        self._thread.start()

    def write(self, image: np.ndarray, result: FrameResult, cue_text: str | None) -> None:
        self._raise()
        small, scale = shrink(image, self.max_side)
        picture = annotate(small, scaled_result(result, scale), cue_text)
        while self._thread.is_alive():
            try:
                self._queue.put(picture, timeout=0.2)
                return
            except queue.Full:
                continue
        self._raise()

    def close(self, check: bool = True) -> None:
        """Finish the frames already queued and close the file; `check` raises a worker error
        (pass False while another exception is on its way, so it is not masked)."""
        if self._thread.is_alive():
            self._queue.put(_END)
            self._thread.join()
        if check:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            if isinstance(error, PosecoachError):
                raise error
            raise PosecoachError(f"cannot write {self.path}: {error}") from error

    def _run(self) -> None:
        try:
            while (picture := self._queue.get()) is not _END:
                if self._writer is None:
                    self._writer = self._open(picture.shape[1], picture.shape[0])
                self._writer.write(picture)
                self.frames += 1
        except BaseException as e:  # noqa: BLE001 - handed to the producer
            self._error = e
            while self._queue.get() is not _END:  # let a waiting producer finish
                pass
        finally:
            if self._writer is not None:
                self._writer.release()

    def _open(self, w: int, h: int) -> cv2.VideoWriter:
        writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
        if not writer.isOpened():
            raise PosecoachError(f"cannot write the annotated video {self.path}")
        return writer
