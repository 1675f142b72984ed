"""Finding people who lie on the floor: look at the picture turned a quarter turn as well.

BlazePose's person detector misses lying people far more often than upright ones (mediapipe issue
5276; measured in benchmarks/lying_detection.py: a supine person 1 m from a 1.0 m high camera
was found in 25% of frames). Turning the picture by 90 degrees either way often lets it find the
same person. `RotatingEstimator` detects on the picture as it is; when that finds nobody it
tries the two quarter turns (on the first miss, then every `retry_every` misses, so an empty room
costs little), keeps the orientation that worked while it keeps working, and maps the landmarks,
world landmarks and mask back to the frame's own orientation: callers never see the turn.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import cv2
import numpy as np

from posecoach.core.types import Frame, Pose
from posecoach.vision.estimator import PoseEstimator

CW, CCW = cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE
UNDO = {CW: CCW, CCW: CW}


def unrotate_pose(pose: Pose, rotation: int | None, frame_size: tuple[int, int]) -> Pose:
    """A pose found in the picture turned by `rotation` (cv2 code), in the unturned frame of
    `frame_size` (w, h) pixels. Pure numpy apart from turning the mask back."""
    if rotation is None or not pose.present:
        return replace(pose, image_size=frame_size)
    w, h = frame_size
    x, y = pose.xy[:, 0], pose.xy[:, 1]
    if rotation == CW:      # (x, y) was shown at (h - y, x)
        xy = np.stack([y, h - x], axis=1)
    else:                   # CCW: (x, y) was shown at (y, w - x)
        xy = np.stack([w - y, x], axis=1)
    world = None
    if pose.world is not None:
        wx, wy, wz = pose.world[:, 0], pose.world[:, 1], pose.world[:, 2]
        world = np.stack([wy, -wx, wz] if rotation == CW else [-wy, wx, wz], axis=1)
    mask = None if pose.mask is None else np.ascontiguousarray(cv2.rotate(pose.mask, UNDO[rotation]))
    return replace(pose, xy=xy, world=world, mask=mask, image_size=frame_size)


class RotatingEstimator:
    """PoseEstimator with the quarter-turn fallback above; same `detect`/`close` surface.

    The turned landmarkers are made on first need (each loads the model once).
    """

    def __init__(self, masks: bool = True, retry_every: int = 5, **kwargs: Any) -> None:
        self.masks = masks
        self.retry_every = retry_every
        self._kwargs = kwargs
        self._est: dict[int | None, PoseEstimator] = {None: PoseEstimator(masks=masks, **kwargs)}
        self.active: int | None = None
        self._misses = 0
        self.turned_frames = 0

    def _get(self, rotation: int | None) -> PoseEstimator:
        if rotation not in self._est:
            self._est[rotation] = PoseEstimator(masks=self.masks, **self._kwargs)
        return self._est[rotation]

    def _detect(self, rotation: int | None, frame: Frame) -> Pose:
        if rotation is None:
            return self._get(None).detect(frame)
        turned = Frame(np.ascontiguousarray(cv2.rotate(frame.image, rotation)), frame.t_ms, frame.index)
        return unrotate_pose(self._get(rotation).detect(turned), rotation, frame.size)

    def detect(self, frame: Frame) -> Pose:
        pose = self._detect(self.active, frame)
        if pose.present:
            self._misses = 0
            self.turned_frames += self.active is not None
            return pose
        self._misses += 1
        if (self._misses - 1) % self.retry_every:
            return pose
        for rotation in (None, CW, CCW):
            if rotation == self.active:
                continue
            other = self._detect(rotation, frame)
            if other.present:
                self.active, self._misses = rotation, 0
                self.turned_frames += rotation is not None
                return other
        return pose

    def close(self) -> None:
        for est in self._est.values():
            est.close()
        self._est.clear()

    def __enter__(self) -> "RotatingEstimator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
