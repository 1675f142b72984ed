"""The per-frame pipeline shared by `analyze` and `live`: pose -> lunge judgement -> coach.

    for frame in source:
        result = session.process(frame)

`Session` owns the stateful parts (estimator, analyzer, coach); the estimator is created once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posecoach.coach import Coach, CoachState
from posecoach.config import Settings
from posecoach.estimator import PoseEstimator
from posecoach.exercises.lunge import FORM_FAULTS, LungeAnalyzer, LungeState
from posecoach.types import Cue, Frame, FrameResult, Pose

DARK_LUMA, BRIGHT_LUMA = 35.0, 235.0
# A person whose landmarks span less of the frame height than this is too small to measure
# well (joint errors grow as the body shrinks in pixels): they are asked to come closer.
MIN_BODY_FRACTION = 0.40


def scene_guidance(frame: Frame, pose: Pose) -> list[str]:
    """Guidance about the scene rather than the form: too dark, more than one person, too small
    (COME_CLOSER; the coach uses it only while checking the setup)."""
    out = []
    small = frame.image[::8, ::8]
    if float(np.mean(small)) < DARK_LUMA:
        out.append("TOO_DARK")
    if pose.num_people > 1:
        out.append("ONE_PERSON")
    if pose.present:
        ys = pose.xy[:, 1][np.isfinite(pose.xy[:, 1])]
        if ys.size and (ys.max() - ys.min()) < MIN_BODY_FRACTION * frame.image.shape[0]:
            out.append("COME_CLOSER")
    return out


@dataclass
class Session:
    """One analysis run over one stream of frames."""
    settings: Settings = field(default_factory=Settings)
    estimator: PoseEstimator | None = None
    pelvis: object | None = None
    strings: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.estimator is None:
            self.estimator = PoseEstimator(masks=self.pelvis is not None)
        self.analyzer = LungeAnalyzer(self.settings, pelvis=self.pelvis)
        self.coach = Coach(self.settings.coach, self.strings)
        self.frames = 0
        self.detected = 0
        self.good_frames = 0
        self.lunge_frames = 0
        self.cues: list[dict[str, object]] = []

    def process(self, frame: Frame) -> FrameResult:
        assert self.estimator is not None
        pose = self.estimator.detect(frame)
        return self.judge(frame, pose)

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        st: LungeState = self.analyzer.update(pose, frame.t_ms)
        cs: CoachState = self.coach.update(st, frame.t_ms, extra=scene_guidance(frame, pose))
        self.frames += 1
        self.detected += int(pose.present)
        if st.in_lunge:
            self.lunge_frames += 1
            self.good_frames += int(not any(f in FORM_FAULTS for f in st.faults))
        if cs.cue is not None:
            self.cues.append({"t_ms": frame.t_ms, "code": cs.cue.code, "text": cs.cue.text})
        return FrameResult(
            frame=frame.index, t_ms=frame.t_ms, person=pose.present, view=st.view,
            front_side=st.front_side, phase=cs.phase, metrics=st.metrics, faults=st.faults,
            cue=cs.cue, hold_s=cs.hold_s, pose=pose,
            notes={"in_lunge": st.in_lunge, "good_form": cs.good_form,
                   **({"setup_issues": cs.setup_issues} if cs.phase == "setup" and not self.coach.setup_confirmed
                      else {})},
        )

    def summary(self) -> dict[str, object]:
        return {
            "frames": self.frames,
            "detected_fraction": round(self.detected / self.frames, 4) if self.frames else 0.0,
            "hold_s": {k: round(v, 2) for k, v in self.coach.hold_s.items()},
            "good_form_fraction": round(self.good_frames / self.lunge_frames, 4) if self.lunge_frames else 0.0,
            "lunge_frames": self.lunge_frames,
            "sides_completed": list(self.coach.completed),
            "cues": list(self.cues),
            "pain_stop": self.coach.pain_t_ms is not None,
            "pain_stop_t_ms": self.coach.pain_t_ms,
        }

    def stop_for_pain(self, t_ms: int) -> Cue:
        """The pain key: the coach stops at once; the stop is recorded with its time."""
        cue = self.coach.stop_for_pain(t_ms)
        self.cues.append({"t_ms": t_ms, "code": cue.code, "text": cue.text})
        return cue

    def close(self) -> None:
        if self.estimator is not None:
            self.estimator.close()
