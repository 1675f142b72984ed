"""The MediaPipe PoseLandmarker adapter: frames in, `Pose` out. The only MediaPipe-aware module.

One synchronous VIDEO-mode path serves webcam and files alike: one result per frame, in order, so
tests and replays are reproducible. Large frames are shrunk to `max_side` pixels before detection
(the model itself sees 256x256) and landmarks are scaled back to the frame's own pixels.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from posecoach.errors import PosecoachError
from posecoach.landmarks import NUM_LANDMARKS
from posecoach.model import load_model_bytes
from posecoach.types import Frame, Pose


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


class PoseEstimator:
    """Wraps one PoseLandmarker. Create it once and reuse it; `close()` (or `with`) frees it.

    masks: also return the person segmentation mask (needed for pelvic tilt).
    max_side: longest image side fed to MediaPipe, pixels.
    """

    def __init__(self, model_path: str | Path | None = None, masks: bool = True, max_side: int = 960,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 num_poses: int = 1) -> None:
        with quiet_native_logs():
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions
            from mediapipe.tasks.python import vision

        self._mp = mp
        self.masks = masks
        self.max_side = max_side
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=load_model_bytes(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=masks,
        )
        try:
            with quiet_native_logs():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as e:
            raise PosecoachError(f"the pose model could not be loaded ({e}); rebuild it with "
                                 "models/build_pose_model.py") from e
        self._last_ts = -1

    def detect(self, frame: Frame) -> Pose:
        """Landmarks of the most prominent person in `frame`, or `Pose.empty` when nobody is seen."""
        image = frame.image
        h, w = image.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        if scale < 1.0:
            image = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        ts = max(int(frame.t_ms), self._last_ts + 1)  # VIDEO mode needs strictly rising timestamps
        self._last_ts = ts
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self._last_ts == ts and ts <= 1:
            with quiet_native_logs():  # the first call logs a projection warning
                result = self._landmarker.detect_for_video(image, ts)
        else:
            result = self._landmarker.detect_for_video(image, ts)
        return pose_from_mediapipe(result, (w, h), scale)

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pose_from_mediapipe(result: object, image_size: tuple[int, int], scale: float = 1.0) -> Pose:
    """Convert a PoseLandmarkerResult to a `Pose` in pixels of an image of `image_size` (w, h).

    `scale` is how much the image was shrunk before detection; the mask is resized back.
    """
    people = getattr(result, "pose_landmarks", None) or []
    if not people:
        return Pose.empty(image_size)
    w, h = image_size
    lms = people[0]
    arr = np.array([[lm.x, lm.y, lm.visibility or 0.0, lm.presence or 0.0] for lm in lms], float)
    if arr.shape[0] != NUM_LANDMARKS:
        return Pose.empty(image_size)
    xy = arr[:, :2] * np.array([w, h], float)
    world = None
    worlds = getattr(result, "pose_world_landmarks", None) or []
    if worlds:
        world = np.array([[lm.x, lm.y, lm.z] for lm in worlds[0]], float)
    mask = None
    masks = getattr(result, "segmentation_masks", None) or []
    if masks:
        m = masks[0].numpy_view()
        m = np.asarray(m, np.float32).reshape(m.shape[0], m.shape[1])
        if m.shape != (h, w):
            m = cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)
        mask = m
    return Pose(xy=xy, visibility=arr[:, 2], presence=arr[:, 3], world=world, mask=mask,
                image_size=image_size, present=True, num_people=len(people))
