"""The MediaPipe PoseLandmarker adapter: frames in, `Pose` out. The only MediaPipe-aware module.

One synchronous VIDEO-mode path serves webcam and files alike: one result per frame, in order, so
tests and replays are reproducible. Large frames are shrunk to `max_side` pixels before detection
(the model itself sees 256x256) and landmarks are scaled back to the frame's own pixels.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import weakref
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from posecoach.core.errors import PosecoachError
from posecoach.core.landmarks import NUM_LANDMARKS
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Frame, Pose
from posecoach.vision.model import load_model_bytes
from posecoach.vision.offline import block_mediapipe_uploads
from posecoach.vision.zoom import WHOLE_CHECK_MS, Box, ZoomSearch, inside, person_box

block_mediapipe_uploads()  # before MediaPipe is first imported: see posecoach.vision.offline


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Silence MediaPipe/TFLite start-up chatter written straight to file descriptor 2."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def shrink(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """`image` with its longest side at most `max_side` pixels, and the scale applied (<= 1).

    Large frames are halved with INTER_LINEAR first (an exact 2x2 box average, ~4x cheaper than
    INTER_AREA on a 4K frame: ~2 ms instead of ~10 ms), then INTER_AREA does the last step, so
    the result matches a plain area resize without its cost.
    """
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale >= 1.0:
        return image, 1.0
    tw, th = max(1, round(w * scale)), max(1, round(h * scale))
    while image.shape[1] >= 2 * tw and image.shape[0] >= 2 * th:
        image = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(image, (tw, th), interpolation=cv2.INTER_AREA), tw / w


class PoseEstimator:
    """Wraps one PoseLandmarker. Create it once and reuse it; `close()` (or `with`) frees it.

    masks: also return the person segmentation mask (needed for pelvic tilt), at detection scale.
    max_side: longest image side fed to MediaPipe, pixels (the model sees a 256x256 crop anyway).
    people_check_ms: every this many ms of video time, a second landmarker (num_poses=2) looks
    for a second person; 0 = never. Tracking one pose costs ~20 ms a frame; asking MediaPipe for
    two on every frame runs its detector every frame too (~+70%), so the count is checked every
    2 s (~1.5% more at 30 fps; the checked frame takes twice as long, too rarely to move the live
    p95 latency) and two-pose tracking runs only while a second person is in view.
    Then the pose followed is the one closest to the previous frame's, so the coach never jumps
    from one person to the other; `Pose.num_people` says how many were seen.
    zoom: when the whole picture shows nobody, look in one half-size window of it per frame, and
    follow a person found there in a window around them (posecoach.vision.zoom): a person far
    from a low-resolution camera is too small for the detector in the whole picture. A third
    landmarker, made the first time nobody is seen; one pose at a time only.
    """

    def __init__(self, model_path: str | Path | None = None, masks: bool = True, max_side: int = 960,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 num_poses: int = 1, people_check_ms: int = 2000, people_hold_ms: int = 2000,
                 zoom: bool = True) -> None:
        with quiet_native_logs():
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self._vision = vision
        self.masks = masks
        self.max_side = max_side
        self.people_check_ms = people_check_ms if num_poses == 1 else 0
        self.people_hold_ms = people_hold_ms
        self._model = load_model_bytes(model_path)
        self._base_options = BaseOptions
        self._confidence = (min_detection_confidence, min_tracking_confidence)
        self._landmarker = self._create(num_poses)
        self._multi: Any = self._landmarker if num_poses > 1 else None
        if self.people_check_ms:
            self._multi = self._create(2)
        self._multi_mode = num_poses > 1
        self._many_until = -1
        self._next_check = 0
        self._followed: np.ndarray | None = None
        self._last_ts = -1
        self._zoom = ZoomSearch() if zoom and num_poses == 1 else None
        self._zoomer: Any = None
        self._whole_check = 0
        self._warm_up()
        _OPEN.add(self)

    def _warm_up(self) -> None:
        """One detection on a blank frame per landmarker: the first call sets up the detector
        graph, which would otherwise stall the first live frame. (The landmark model still
        starts on the first person seen, ~0.1 s once.)"""
        blank = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.zeros((256, 256, 3), np.uint8))
        landmarkers = {id(x): x for x in (self._landmarker, self._multi) if x is not None}
        self._quiet = set(landmarkers)
        with quiet_native_logs():
            for lm in landmarkers.values():
                lm.detect_for_video(blank, 0)
        self._last_ts = 0

    def _create(self, num_poses: int) -> Any:
        det, track = self._confidence
        options = self._vision.PoseLandmarkerOptions(
            base_options=self._base_options(model_asset_buffer=self._model),
            running_mode=self._vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=det,
            min_pose_presence_confidence=det,
            min_tracking_confidence=track,
            output_segmentation_masks=self.masks,
        )
        try:
            with quiet_native_logs():
                return self._vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as e:
            raise PosecoachError(f"the pose model could not be loaded ({e}); rebuild it with "
                                 "models/build_pose_model.py") from e

    def _run(self, landmarker: Any, image: Any, ts: int) -> Any:
        if id(landmarker) not in self._quiet:
            return landmarker.detect_for_video(image, ts)
        with quiet_native_logs():  # the first landmarks log a projection warning
            result = landmarker.detect_for_video(image, ts)
        if getattr(result, "pose_landmarks", None):
            self._quiet.discard(id(landmarker))
        return result

    def detect(self, frame: Frame) -> Pose:
        """Landmarks of the person followed in `frame`, or `Pose.empty` when nobody is seen."""
        h, w = frame.image.shape[:2]
        small, scale = shrink(frame.image, self.max_side)
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        ts = max(int(frame.t_ms), self._last_ts + 1)  # VIDEO mode needs strictly rising timestamps
        self._last_ts = ts
        zoom = None if self._multi_mode else self._zoom
        window = zoom.window if zoom is not None else None
        if zoom is not None and window is not None:
            checked = ts >= self._whole_check  # someone big enough for the whole picture takes over
            if checked:
                self._whole_check = ts + WHOLE_CHECK_MS
                pose = self._whole(rgb, ts, (w, h), scale)
                if pose.present:
                    zoom.stop()
                    self._followed = pose.xy
                    return pose
            pose = self._zoomed(zoom, rgb, window, ts, (w, h), scale)
            if pose.present:
                self._followed = pose.xy
            if pose.present or checked:
                return pose
        pose = self._whole(rgb, ts, (w, h), scale)
        if not pose.present and zoom is not None and window is None:
            pose = self._zoomed(zoom, rgb, zoom.next_search((rgb.shape[1], rgb.shape[0])), ts, (w, h), scale)
        if pose.present:
            self._followed = pose.xy
        return pose

    def _whole(self, rgb: np.ndarray, ts: int, size: tuple[int, int], scale: float) -> Pose:
        """The pose followed, from the whole (shrunk) picture."""
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self._multi_mode:
            result = self._run(self._multi, image, ts)
        else:
            result = self._run(self._landmarker, image, ts)
            if self.people_check_ms and ts >= self._next_check:
                self._next_check = ts + self.people_check_ms
                probe = self._run(self._multi, image, ts)
                if distinct_people(probe) > 1:
                    self._multi_mode, result = True, probe
        seen = distinct_people(result)
        if seen > 1:
            self._many_until = ts + self.people_hold_ms
        elif self._multi_mode and ts >= self._many_until and self._landmarker is not self._multi:
            self._multi_mode = False
        people = max(seen, 2) if seen and ts < self._many_until else seen
        return pose_from_mediapipe(result, size, scale, index=self._closest(result, size), num_people=people)

    def _zoomed(self, zoom: ZoomSearch, rgb: np.ndarray, window: Box, ts: int, size: tuple[int, int],
                scale: float) -> Pose:
        """The pose in one window of the (shrunk) picture, placed back in the frame's pixels; the
        zoom search is told what was found there."""
        if self._zoomer is None:
            self._zoomer = self._create(1)
            self._quiet.add(id(self._zoomer))
        x0, y0, x1, y1 = window
        crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        result = self._run(self._zoomer, self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=crop), ts)
        pose = placed(pose_from_mediapipe(result, (x1 - x0, y1 - y0)), window, size, scale, rgb.shape[:2])
        box = person_box(pose.xy * scale) if pose.present else None
        if box is not None and not inside(box, window):
            pose, box = Pose.empty(size), None  # part of a person, the rest guessed: not trusted
        elif box is not None and zoom.window is None and not zoom.trusted(window, core_visibility(pose)):
            return Pose.empty(size)  # a new find: trusted only once sure of the body's joints
        zoom.found(box, (rgb.shape[1], rgb.shape[0]), window)
        return pose

    def _closest(self, result: object, size: tuple[int, int]) -> int:
        """Index of the detected pose nearest the one followed last frame (shoulders and hips)."""
        people = getattr(result, "pose_landmarks", None) or []
        if len(people) < 2 or self._followed is None:
            return 0
        core = [11, 12, 23, 24]
        ref = self._followed[core]
        dists = []
        for lms in people:
            xy = np.array([[lms[i].x * size[0], lms[i].y * size[1]] for i in core], float)
            dists.append(float(np.nanmean(np.linalg.norm(xy - ref, axis=1))))
        return int(np.argmin(dists))

    def close(self) -> None:
        """Free the landmarkers (idempotent). Also done at exit for any left open, because
        MediaPipe's own finaliser fails noisily once the interpreter is shutting down."""
        _OPEN.discard(self)
        with quiet_native_logs():  # MediaPipe 1.2.3 logs an INFO line per accelerator it frees
            for lm in {id(x): x for x in (self._landmarker, self._multi, self._zoomer) if x is not None}.values():
                lm.close()
        self._landmarker = self._multi = self._zoomer = None

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def distinct_people(result: object) -> int:
    """People in a result. MediaPipe sometimes returns one person twice (a second, partial skeleton
    over the first): poses whose boxes overlap by more than half of the smaller box count as one."""
    people = getattr(result, "pose_landmarks", None) or []
    if len(people) < 2:
        return len(people)
    boxes = []
    for lms in people:
        xy = np.clip(np.array([[lm.x, lm.y] for lm in lms], float), 0.0, 1.0)
        boxes.append((*xy.min(axis=0), *xy.max(axis=0)))
    kept: list[tuple[float, float, float, float]] = []
    for b in boxes:
        if all(_overlap(b, k) <= 0.5 for k in kept):
            kept.append(b)
    return len(kept)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection of two (x0, y0, x1, y1) boxes over the smaller one's area."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / small if small > 0 else 1.0


_OPEN: "weakref.WeakSet[PoseEstimator]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for est in list(_OPEN):
        est.close()


def core_visibility(pose: Pose) -> float:
    """Mean visibility of the shoulders, hips, knees and ankles."""
    core = [L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
            L.LEFT_ANKLE, L.RIGHT_ANKLE]
    return float(np.mean(pose.visibility[core]))


def placed(pose: Pose, window: Box, image_size: tuple[int, int], scale: float,
           detection_shape: tuple[int, int]) -> Pose:
    """A pose found in `window` (pixels of the detection image, whose (h, w) is `detection_shape`)
    moved to the frame's pixels; its mask is pasted into an empty mask of the detection image."""
    if not pose.present:
        return Pose.empty(image_size)
    x0, y0, x1, y1 = window
    mask = None
    if pose.mask is not None:
        mask = np.zeros(detection_shape, np.float32)
        mask[y0:y1, x0:x1] = pose.mask[: y1 - y0, : x1 - x0]
    return replace(pose, xy=(pose.xy + np.array([x0, y0], float)) / scale, mask=mask, image_size=image_size,
                   mask_scale=scale)


def pose_from_mediapipe(result: object, image_size: tuple[int, int], scale: float = 1.0, index: int = 0,
                        num_people: int | None = None) -> Pose:
    """Convert person `index` of a PoseLandmarkerResult to a `Pose` in pixels of an image of
    `image_size` (w, h). `scale` is how much the image was shrunk before detection; the mask stays
    at that scale (see `Pose.mask`).
    """
    people = getattr(result, "pose_landmarks", None) or []
    if not people or index >= len(people):
        return Pose.empty(image_size)
    w, h = image_size
    lms = people[index]
    arr = np.array([[lm.x, lm.y, lm.visibility or 0.0, lm.presence or 0.0] for lm in lms], float)
    if arr.shape[0] != NUM_LANDMARKS:
        return Pose.empty(image_size)
    xy = arr[:, :2] * np.array([w, h], float)
    world = None
    worlds = getattr(result, "pose_world_landmarks", None) or []
    if len(worlds) > index:
        world = np.array([[lm.x, lm.y, lm.z] for lm in worlds[index]], float)
    mask = None
    masks = getattr(result, "segmentation_masks", None) or []
    if len(masks) > index:
        m = masks[index].numpy_view()
        mask = np.array(m, np.float32).reshape(m.shape[0], m.shape[1])  # a copy: MediaPipe reuses its buffer
    return Pose(xy=xy, visibility=arr[:, 2], presence=arr[:, 3], world=world, mask=mask,
                image_size=image_size, present=True, num_people=num_people or len(people),
                mask_scale=scale)
