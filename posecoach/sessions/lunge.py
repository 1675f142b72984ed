"""The per-frame pipeline shared by `analyze` and `live`: pose -> lunge judgement -> coach.

    for frame in source:
        result = session.process(frame)

`Session` owns the stateful parts (estimator, analyzer, coach); the estimator is created once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from posecoach.exercises.lunge_coach import Coach, CoachState
from posecoach.core.config import Settings
from posecoach.vision.estimator import PoseEstimator
from posecoach.exercises.lunge import FORM_FAULTS, LungeAnalyzer, LungeState
from posecoach.core.filters import Debounce
from posecoach.core.types import Cue, Frame, FrameResult, Pose

DARK_LUMA, BRIGHT_LUMA = 35.0, 235.0
# Overexposed: at least this share of the picture is blown out (>= 250), and so is this share
# of the person's body, sampled along the limbs and trunk, when someone is seen (a white studio
# wall behind a well-lit person is fine: there the body is < 0.3 blown, a washed-out one > 0.3).
BLOWN_FRACTION, BLOWN_BODY_FRACTION = 0.5, 0.3
BODY_LINES = ((11, 23), (12, 24), (23, 25), (24, 26), (25, 27), (26, 28), (11, 13), (13, 15), (12, 14),
              (14, 16), (11, 12), (23, 24))
# Light and people codes are passed on once they have held this long (one odd frame says nothing).
SCENE_HOLD_MS = 500.0
STEADY_SCENE = ("TOO_DARK", "TOO_BRIGHT", "ONE_PERSON")
# A person whose landmarks span less of the frame height than this is too small to measure
# well (joint errors grow as the body shrinks in pixels): they are asked to come closer.
MIN_BODY_FRACTION = 0.40


def scene_guidance(frame: Frame, pose: Pose) -> list[str]:
    """Guidance about the scene rather than the form: too dark, more than one person, too small
    (COME_CLOSER; the coach uses it only while checking the setup)."""
    out = []
    small = np.ascontiguousarray(frame.image[::8, ::8])  # a contiguous copy: 5x faster to reduce
    if float(np.mean(small)) < DARK_LUMA:
        out.append("TOO_DARK")
    elif overexposed(frame.image, small, pose):
        out.append("TOO_BRIGHT")
    if pose.num_people > 1:
        out.append("ONE_PERSON")
    if pose.present:
        ys = pose.xy[:, 1][np.isfinite(pose.xy[:, 1])]
        if ys.size and (ys.max() - ys.min()) < MIN_BODY_FRACTION * frame.image.shape[0]:
            out.append("COME_CLOSER")
    return out


def blown(pixels: np.ndarray) -> np.ndarray:
    """Which BGR pixels (..., 3) have a channel at 250 or more (np.maximum: ~20x faster than
    pixels.max(axis=-1) on 3-channel images)."""
    return np.maximum(np.maximum(pixels[..., 0], pixels[..., 1]), pixels[..., 2]) >= 250


def overexposed(image: np.ndarray, small: np.ndarray, pose: Pose) -> bool:
    """The picture is washed out where it matters (see BLOWN_FRACTION); ~0.02 ms a frame."""
    if float(np.mean(blown(small))) < BLOWN_FRACTION:
        return False
    if not pose.present:
        return True
    t = np.linspace(0.0, 1.0, 9)[:, None]
    pts = np.concatenate([pose.xy[a] + (pose.xy[b] - pose.xy[a]) * t for a, b in BODY_LINES])
    pts = pts[np.isfinite(pts).all(axis=1)]
    if not len(pts):
        return True
    h, w = image.shape[:2]
    xs, ys = np.clip(pts[:, 0].astype(int), 0, w - 1), np.clip(pts[:, 1].astype(int), 0, h - 1)
    return float(np.mean(blown(image[ys, xs]))) >= BLOWN_BODY_FRACTION


@dataclass
class Session:
    """One analysis run over one stream of frames: `process(frame)`, or `estimator.detect(frame)`
    then `judge(frame, pose)` (analyze judges on another thread while the next frame is detected)."""
    settings: Settings = field(default_factory=Settings)
    estimator: PoseEstimator | None = None
    pelvis: object | None = None
    strings: dict[str, str] | None = None
    on_frame: Callable[[], None] | None = None  # called after each judged frame (progress bars)

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
        self._scene = {code: Debounce(SCENE_HOLD_MS) for code in STEADY_SCENE}

    def process(self, frame: Frame) -> FrameResult:
        assert self.estimator is not None
        pose = self.estimator.detect(frame)
        return self.judge(frame, pose)

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        st: LungeState = self.analyzer.update(pose, frame.t_ms)
        extra = self.steady_scene(frame, pose)
        pelvis_guidance = getattr(self.pelvis, "guidance", None)
        if pelvis_guidance is not None:  # calibration prompts, "hands on your front thigh"
            extra += pelvis_guidance(frame.t_ms, self.cues)
        cs: CoachState = self.coach.update(st, frame.t_ms, extra=extra)
        self.frames += 1
        self.detected += int(pose.present)
        if st.in_lunge:
            self.lunge_frames += 1
            self.good_frames += int(not any(f in FORM_FAULTS for f in st.faults))
        if cs.cue is not None:
            self.cues.append({"t_ms": frame.t_ms, "code": cs.cue.code, "text": cs.cue.text})
        if self.on_frame is not None:
            self.on_frame()
        return FrameResult(
            frame=frame.index, t_ms=frame.t_ms, person=pose.present, view=st.view,
            front_side=st.front_side, phase=cs.phase, metrics=st.metrics, faults=st.faults,
            cue=cs.cue, hold_s=cs.hold_s, pose=pose,
            notes={"in_lunge": st.in_lunge, "good_form": cs.good_form, "people": pose.num_people,
                   **({"pelvis": self.pelvis.note(frame.t_ms)} if hasattr(self.pelvis, "note") else {}),
                   **({"setup_issues": cs.setup_issues} if cs.phase == "setup" and not self.coach.setup_confirmed
                      else {})},
        )

    def steady_scene(self, frame: Frame, pose: Pose) -> list[str]:
        """scene_guidance, with light and people codes passed on only once held SCENE_HOLD_MS."""
        raw = scene_guidance(frame, pose)
        steady = [c for c in raw if c not in self._scene]
        steady += [c for c, d in self._scene.items() if d.update(c in raw, frame.t_ms)]
        return steady

    def summary(self) -> dict[str, object]:
        return {
            "frames": self.frames,
            "detected_fraction": round(self.detected / self.frames, 4) if self.frames else 0.0,
            "hold_s": {k: round(v, 2) for k, v in self.coach.hold_s.items()},
            "good_form_fraction": round(self.good_frames / self.lunge_frames, 4) if self.lunge_frames else 0.0,
            "lunge_frames": self.lunge_frames,
            "sides_completed": list(self.coach.completed),
            "cues": list(self.cues),
            **({"pelvis": self.pelvis.summary()} if hasattr(self.pelvis, "summary") else {}),
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
