"""Sessions for the floor exercises, with the same surface as pipeline.Session (process, judge,
summary, stop_for_pain, close, coach, cues, frames), so `analyze`, `live` and the routine drive
constructive rest and the soft-ball release exactly like the kneeling lunge.

frames.jsonl keeps interface.md's fields (the six lunge metrics are null; `faults` holds only
NO_PERSON / NOT_SIDE_VIEW; `front_side` is null) and adds beside them: exercise, posture,
exercise_metrics, exercise_faults, timer_s, target_s, and breathing_rate_bpm (rest) or ball_side
and spot (ball).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from posecoach.core.config import Settings
from posecoach.vision.estimator import PoseEstimator
from posecoach.vision.rotation import RotatingEstimator
from posecoach.exercises.ball import BallAnalyzer, BallCoach, BallConfig
from posecoach.core.pacing import FloorCoachState
from posecoach.exercises.rest import RestAnalyzer
from posecoach.exercises.rest_coach import RestCoach, RestConfig
from posecoach.core.types import Cue, Frame, FrameResult, Metrics, Pose

EXERCISES = ("rest", "lunge", "ball")
PLAN_NAMES = {"constructive_rest": "rest", "kneeling_lunge": "lunge", "ball_release": "ball"}


def _round(values: dict[str, float | None], nd: int = 3) -> dict[str, float | None]:
    return {k: None if v is None else round(float(v), nd) for k, v in values.items()}


@dataclass
class FloorSession:
    """Base of RestSession and BallSession: counting, cue log, the FrameResult record."""
    settings: Settings = field(default_factory=Settings)
    estimator: PoseEstimator | RotatingEstimator | None = None
    pelvis: object | None = None  # accepted for the analyze factory; the floor exercises ignore it
    strings: dict[str, str] | None = None
    config: RestConfig | BallConfig | None = None  # the exercise's own settings; default when None
    exercise = "floor"
    on_frame = None  # called after each judged frame (analyze's progress bar)

    def __post_init__(self) -> None:
        if self.estimator is None:  # lying people: also look at the picture turned a quarter turn
            self.estimator = RotatingEstimator(masks=True)
        self.frames = 0
        self.detected = 0
        self.in_position = 0
        self.good_frames = 0
        self.cues: list[dict[str, object]] = []
        self.postures: Counter[str] = Counter()
        self.fault_frames: Counter[str] = Counter()
        self._setup()

    def _setup(self) -> None:
        raise NotImplementedError

    def process(self, frame: Frame) -> FrameResult:
        assert self.estimator is not None
        return self.judge(frame, self.estimator.detect(frame))

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        raise NotImplementedError

    def _result(self, frame: Frame, pose: Pose, view: str, cs: FloorCoachState, interface: list[str],
                posture: str, in_position: bool, faults: list[str], notes: dict[str, object]) -> FrameResult:
        self.frames += 1
        self.detected += int(pose.present)
        self.postures[posture] += 1
        if in_position:
            self.in_position += 1
            self.good_frames += int(cs.good)
            self.fault_frames.update(faults)
        if cs.cue is not None:
            self.cues.append({"t_ms": frame.t_ms, "code": cs.cue.code, "text": cs.cue.text, "exercise": self.exercise})
        if self.on_frame is not None:
            self.on_frame()
        return FrameResult(
            frame=frame.index, t_ms=frame.t_ms, person=pose.present, view=view, front_side=None,
            phase=cs.phase, metrics=Metrics(), faults=interface, cue=cs.cue, hold_s=cs.hold_s, pose=pose,
            notes={"exercise": self.exercise, "posture": posture, "in_position": in_position,
                   "good_form": cs.good, "exercise_faults": faults, "timer_s": round(cs.timer_s, 2),
                   "target_s": cs.target_s, **notes},
        )

    def stop_for_pain(self, t_ms: int) -> Cue:
        cue = self.coach.stop_for_pain(t_ms)  # type: ignore[attr-defined]
        self.pain_t_ms = t_ms
        self.cues.append({"t_ms": t_ms, "code": cue.code, "text": cue.text, "exercise": self.exercise})
        return cue

    def summary(self) -> dict[str, object]:
        n = self.in_position
        return {
            "exercise": self.exercise,
            "frames": self.frames,
            "detected_fraction": round(self.detected / self.frames, 4) if self.frames else 0.0,
            "hold_s": {"left": 0.0, "right": 0.0},
            "good_form_fraction": round(self.good_frames / n, 4) if n else 0.0,
            "in_position_frames": n,
            "posture_fraction": {k: round(v / self.frames, 4) for k, v in sorted(self.postures.items())},
            "fault_fraction": {k: round(v / n, 4) for k, v in sorted(self.fault_frames.items())} if n else {},
            "cues": list(self.cues),
            "completed": self.coach.phase == "done",  # type: ignore[attr-defined]
            "pain_stop": getattr(self, "pain_t_ms", None) is not None,
            "pain_stop_t_ms": getattr(self, "pain_t_ms", None),
        }

    def close(self) -> None:
        if self.estimator is not None:
            self.estimator.close()


class RestSession(FloorSession):
    """Constructive rest: estimator -> RestAnalyzer -> RestCoach."""
    exercise = "rest"

    def _setup(self) -> None:
        self.config = self.config or RestConfig()
        self.analyzer = RestAnalyzer(smooth=not self.settings.plain)
        self.coach = RestCoach(self.config, self.strings)
        self.rates: list[float] = []
        self.fast_frames = 0

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        st = self.analyzer.update(pose, frame.t_ms)
        cs = self.coach.update(st, frame.t_ms)
        rate = st.breathing_rate_bpm
        if rate is not None and st.lying:
            self.rates.append(rate)
            self.fast_frames += int(rate > self.config.fast_bpm)
        return self._result(frame, pose, st.view, cs, st.interface_faults, st.posture, st.lying, st.faults, {
            "exercise_metrics": _round(st.metrics),
            "breathing_rate_bpm": None if rate is None else round(rate, 2),
        })

    def summary(self) -> dict[str, object]:
        s = super().summary()
        r = self.rates
        s.update({
            "rest_s": round(self.coach.timer_s, 2), "target_s": self.config.target_s,
            "breathing_rate_bpm": {"mean": round(sum(r) / len(r), 2) if r else None,
                                   "last": round(r[-1], 2) if r else None,
                                   "fast_fraction": round(self.fast_frames / len(r), 4) if r else None},
        })
        return s


class BallSession(FloorSession):
    """Soft-ball release: estimator -> BallAnalyzer -> BallCoach."""
    exercise = "ball"

    def _setup(self) -> None:
        self.config = self.config or BallConfig()
        self.analyzer = BallAnalyzer(smooth=not self.settings.plain)
        self.coach = BallCoach(self.config, self.strings)

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        st = self.analyzer.update(pose, frame.t_ms)
        cs = self.coach.update(st, frame.t_ms)
        return self._result(frame, pose, st.view, cs, st.interface_faults, st.posture, st.prone, [], {
            "exercise_metrics": _round(st.metrics), "ball_side": cs.info.get("ball_side"),
            "spot": cs.info.get("spot"),
        })

    def summary(self) -> dict[str, object]:
        s = super().summary()
        s["hold_s"] = {k: round(v, 2) for k, v in self.coach.p.hold_s.items()}
        s["spots_done"] = [list(x) for x in self.coach.p.spots_done]
        s["spot_s"] = self.config.spot_s
        return s


def session_factory(exercise: str, config: RestConfig | BallConfig | None = None):
    """A callable(settings=..., pelvis=..., ...) -> session for `exercise` (rest | ball | lunge)."""
    if exercise == "rest":
        return partial(RestSession, config=config)
    if exercise == "ball":
        return partial(BallSession, config=config)
    if exercise == "lunge":
        from posecoach.sessions.lunge import Session
        return Session
    raise ValueError(f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
