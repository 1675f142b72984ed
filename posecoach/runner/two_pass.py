"""Two-pass analysis for a neutral window that is not at the start of a recording.

Frames before the window need the calibration the window gives, so the first pass runs the pose
model once over the whole video and keeps, per frame, the landmarks (no mask) and the compact
outline sample the pelvis estimator measured; the calibration comes from the window's samples.
The second pass decodes the video again and replays those poses and samples through a fresh
session, now calibrated from the first frame: the pose model does not run twice.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Protocol

from posecoach.core.types import Frame, FrameResult, Pose
from posecoach.pelvis.model import calibrate
from posecoach.pelvis.source import PelvisSource
from posecoach.pelvis.tilt import PelvisTilt


class FirstPassSession(Protocol):
    """What the first pass needs of a session: frames processed one by one, then closed."""
    def process(self, frame: Frame) -> FrameResult: ...
    def close(self) -> None: ...

# A window starting this late (seconds) or later is calibrated in a first pass; earlier ones are
# calibrated as the frames arrive (a running neutral inside the window, as live does).
ONE_PASS_MAX_START_S = 0.5


def needs_two_pass(neutral_s: tuple[float, float] | None) -> bool:
    return neutral_s is not None and neutral_s[0] > ONE_PASS_MAX_START_S


class ReplayEstimator:
    """Stands in for PoseEstimator in the second pass: the first pass's pose for each frame."""

    masks = False

    def __init__(self, poses: dict[int, Pose]) -> None:
        self.poses = poses

    def detect(self, frame: Frame) -> Pose:
        w, h = frame.size
        return self.poses.get(frame.index) or Pose.empty((w, h))

    def close(self) -> None:
        pass


def first_pass(frames: Iterable[Frame], make_session: Callable[[PelvisSource], FirstPassSession],
               neutral_s: tuple[float, float],
               progress: bool = False) -> tuple[PelvisTilt, ReplayEstimator]:
    """Run the pose model over `frames` once (in a session made by `make_session(pelvis)`);
    return the calibrated estimator for the second pass and the pose model's stand-in."""
    recorder = PelvisTilt(record=True)
    session = make_session(recorder)
    poses: dict[int, Pose] = {}
    if progress:
        from tqdm import tqdm
        frames = tqdm(frames, unit="frame", desc="pelvis calibration pass", leave=False)
    try:
        for frame in frames:
            result = session.process(frame)
            if result.pose is not None:
                poses[frame.index] = replace(result.pose, mask=None)
    finally:
        session.close()
    a, b = neutral_s
    window = [s for s in recorder.samples if a * 1000 <= s.t_ms <= b * 1000]
    cal = calibrate(window)
    pelvis = PelvisTilt(calibration=cal, replay={s.t_ms: s for s in recorder.samples},
                        calibration_note=None if cal else "too_few_neutral_frames")
    return pelvis, ReplayEstimator(poses)
