"""The pose model on a subset of a recording's frames: a steady hold does not need all of them.

`analyze` runs the model on every `stride`-th frame (a stride chosen so the model sees at least
`model_fps` frames a second) and gives the frames between two model frames a pose interpolated
between them (landmarks linearly in time; the mask, the people count and "nobody" from the nearer
model frame). Every frame is still judged and logged; its `Pose.seen` (frames.jsonl "model") says
whether the model saw it. Interpolation looks ahead by one stride, so it is for recordings only:
live frames are never held back.

A frame where the person appears or disappears between two model frames is where interpolation
would guess: those frames take the nearer model frame's pose, so "nobody" never turns into a
half-made person. Frames after the last model frame hold its pose.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import replace

import numpy as np

from posecoach.core.types import Frame, Pose
from posecoach.sessions.protocol import PoseDetector

DEFAULT_MODEL_FPS = 10.0  # model frames a second by default (a 30 fps recording: every 3rd frame)
# Model frames are never more than this many frames apart. MediaPipe tracks and smooths landmarks
# over the frames it is given: fed every 5th frame of a 60 fps real clip (12 a second) its shin tilt
# read ~0.5 deg higher at the peak of a lunge than fed every frame, enough to cross a cue line that
# the every-frame run stayed under; every 3rd frame (20 a second) stayed with it.
MAX_STRIDE = 3


def model_stride(fps: float, model_fps: float | None) -> int:
    """Frames per model frame so the model sees at least `model_fps` frames a second of video and
    at least every MAX_STRIDE-th frame; 1 (every frame) for `model_fps` None or 0, or when the
    video is no faster than that."""
    if not model_fps or model_fps <= 0 or not math.isfinite(fps) or fps <= 0:
        return 1
    return max(1, min(MAX_STRIDE, int(fps / model_fps + 1e-6)))


def interpolate(a: Pose, b: Pose, w: float, size: tuple[int, int]) -> Pose:
    """The pose at fraction `w` (0..1) of the way from model pose `a` to model pose `b`, marked as
    not seen by the model. Landmarks (pixels, world metres, visibility, presence) are linear in
    time; when either end has nobody, or a landmark is missing at one end, the nearer end is held."""
    near = a if w <= 0.5 else b
    if not (a.present and b.present):
        return replace(near if near.present else Pose.empty(size), seen=False, image_size=size)
    xy = (1.0 - w) * a.xy + w * b.xy
    missing = ~np.isfinite(xy)
    if missing.any():
        xy[missing] = near.xy[missing]
    world = None
    if a.world is not None and b.world is not None:
        world = (1.0 - w) * a.world + w * b.world
    return replace(near, xy=xy, visibility=(1.0 - w) * a.visibility + w * b.visibility,
                   presence=(1.0 - w) * a.presence + w * b.presence, world=world if world is not None else near.world,
                   image_size=size, seen=False)


class SampledDetector:
    """`poses(frames)` yields (frame, pose) for every frame, in order, running `detector` only on
    every `stride`-th frame (index % stride == 0). With stride 1 it is the detector on each frame.

    `model_frames` counts the frames the model saw."""

    def __init__(self, detector: PoseDetector, stride: int) -> None:
        if stride < 1:
            raise ValueError("stride must be 1 or more")
        self.detector = detector
        self.stride = stride
        self.model_frames = 0

    def is_model_frame(self, index: int) -> bool:
        return index % self.stride == 0

    def poses(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, Pose]]:
        last: tuple[Frame, Pose] | None = None
        waiting: list[Frame] = []  # frames after `last`, waiting for the next model frame
        for frame in frames:
            if not self.is_model_frame(frame.index) and last is not None:
                waiting.append(frame)
                continue
            pose = self.detector.detect(frame)
            self.model_frames += 1
            if last is not None:
                yield from self._between(last, (frame, pose), waiting)
            waiting = []
            last = (frame, pose)
            yield frame, pose
        if last is not None:  # after the last model frame: hold it
            for f in waiting:
                yield f, interpolate(last[1], last[1], 0.0, f.size)

    @staticmethod
    def _between(a: tuple[Frame, Pose], b: tuple[Frame, Pose], frames: list[Frame]) -> Iterator[tuple[Frame, Pose]]:
        span = max(b[0].t_ms - a[0].t_ms, 1)
        for f in frames:
            w = min(max((f.t_ms - a[0].t_ms) / span, 0.0), 1.0)
            yield f, interpolate(a[1], b[1], w, f.size)
