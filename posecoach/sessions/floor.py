"""The floor exercises as sessions: constructive rest (estimator -> RestAnalyzer -> RestCoach) and
the soft-ball release (-> BallAnalyzer -> BallCoach), driven by `analyze`, `live` and the routine
exactly like the kneeling lunge.

frames.jsonl keeps interface.md's fields (the six lunge metrics are null; `faults` holds only
NO_PERSON / NOT_SIDE_VIEW; `front_side` is null) and adds beside them (core.types.RestNotes,
BallNotes): exercise, posture, exercise_metrics, exercise_faults, timer_s, target_s, and
breathing_rate_bpm (rest) or ball_side and spot (ball).
"""
from __future__ import annotations

from collections import Counter
from typing import Any, TypeVar

from posecoach.control.commands import END, SWITCH_SIDE
from posecoach.core.protocol import Phase, View
from posecoach.core.types import (
    BallNotes,
    Cue,
    CueEvent,
    FloorNotes,
    Frame,
    FrameResult,
    Metrics,
    Pose,
    RestNotes,
)
from posecoach.exercises.ball import BallAnalyzer, BallCoach, BallConfig
from posecoach.exercises.floor_coach import FloorCoachBase, FloorCoachState
from posecoach.exercises.rest import RestAnalyzer
from posecoach.exercises.rest_coach import RestCoach, RestConfig
from posecoach.sessions.protocol import SessionContext, SingleExercise
from posecoach.sessions.summary import (
    BallSummary,
    FloorSummary,
    RestSummary,
    fraction,
    rounded,
)

S = TypeVar("S", bound=FloorSummary)


def _round(values: dict[str, float | None], nd: int = 3) -> dict[str, float | None]:
    return {k: None if v is None else round(float(v), nd) for k, v in values.items()}


class FloorSession(SingleExercise):
    """Base of RestSession and BallSession: counting, the cue log, the FrameResult record."""
    exercise = "floor"
    coach: FloorCoachBase

    def __init__(self, ctx: SessionContext) -> None:
        self.ctx = ctx
        self.frames = 0
        self.detected = 0
        self.in_position = 0
        self.good_frames = 0
        self.cues: list[CueEvent] = []
        self.postures: Counter[str] = Counter()
        self.fault_frames: Counter[str] = Counter()
        self.pain_t_ms: int | None = None

    def _result(self, frame: Frame, pose: Pose, view: View, cs: FloorCoachState, interface: list[str],
                faults: list[str], notes: FloorNotes, view_angle_deg: float | None) -> FrameResult:
        self.frames += 1
        self.detected += int(pose.present)
        self.postures[notes.posture] += 1
        if notes.in_position:
            self.in_position += 1
            self.good_frames += int(cs.good)
            self.fault_frames.update(faults)
        if cs.cue is not None:
            self.cues.append(CueEvent.of(cs.cue, self.exercise))
        self.ctx.judged()
        notes.exercise, notes.good_form, notes.exercise_faults = self.exercise, cs.good, faults
        notes.timer_s, notes.target_s = cs.timer_s, cs.target_s
        return FrameResult(frame=frame.index, t_ms=frame.t_ms, person=pose.present, view=view, front_side=None,
                           phase=cs.phase, metrics=Metrics(), faults=interface, cue=cs.cue, hold_s=cs.hold_s,
                           pose=pose, notes=notes, view_angle_deg=view_angle_deg)

    def _summarise(self, cls: type[S], hold_s: dict[str, float] | None = None, **extra: Any) -> S:
        """The summary of class `cls` with what every floor exercise reports, plus `extra`."""
        n = self.in_position
        return cls(
            exercise=self.exercise, frames=self.frames, detected_fraction=fraction(self.detected, self.frames),
            hold_s=hold_s or {"left": 0.0, "right": 0.0}, good_form_fraction=fraction(self.good_frames, n),
            in_position_frames=n,
            posture_fraction={k: round(v / self.frames, 4) for k, v in sorted(self.postures.items())},
            fault_fraction={k: round(v / n, 4) for k, v in sorted(self.fault_frames.items())} if n else {},
            cues=list(self.cues), completed=self.coach.phase == Phase.DONE, pain_stop=self.pain_t_ms is not None,
            pain_stop_t_ms=self.pain_t_ms, **extra)

    def summary(self) -> FloorSummary:
        return self._summarise(FloorSummary)

    def move_on(self) -> str:
        """Constructive rest has no sides: the end (the ball release overrides it)."""
        return END

    def stop_for_pain(self, t_ms: int) -> Cue:
        cue = self.coach.stop_for_pain(t_ms)
        self.pain_t_ms = t_ms
        self.cues.append(CueEvent.of(cue, self.exercise))
        return cue


class RestSession(FloorSession):
    """Constructive rest: estimator -> RestAnalyzer -> RestCoach."""
    exercise = "rest"

    def __init__(self, ctx: SessionContext, config: RestConfig | None = None) -> None:
        super().__init__(ctx)
        self.config = config or RestConfig()
        self.analyzer = RestAnalyzer(smooth=not ctx.settings.plain)
        self.coach = self.rest_coach = RestCoach(self.config, ctx.strings)
        self.rates: list[float] = []
        self.fast_frames = 0

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        st = self.analyzer.update(pose, frame.t_ms)
        cs = self.rest_coach.update(st, frame.t_ms)
        rate = st.breathing_rate_bpm
        if rate is not None and st.lying:
            self.rates.append(rate)
            self.fast_frames += int(rate > self.config.fast_bpm)
        notes = RestNotes(posture=st.posture, in_position=st.lying, exercise_metrics=_round(st.metrics),
                          breathing_rate_bpm=rate)
        return self._result(frame, pose, st.view, cs, st.interface_faults, st.faults, notes, st.obs.view_angle_deg)

    def summary(self) -> RestSummary:
        r = self.rates
        return self._summarise(
            RestSummary, rest_s=round(self.rest_coach.timer_s, 2), target_s=self.config.target_s,
            breathing_rate_bpm={"mean": round(sum(r) / len(r), 2) if r else None,
                                "last": round(r[-1], 2) if r else None,
                                "fast_fraction": round(self.fast_frames / len(r), 4) if r else None})


class BallSession(FloorSession):
    """Soft-ball release: estimator -> BallAnalyzer -> BallCoach."""
    exercise = "ball"

    def __init__(self, ctx: SessionContext, config: BallConfig | None = None) -> None:
        super().__init__(ctx)
        self.config = config or BallConfig()
        self.analyzer = BallAnalyzer(smooth=not ctx.settings.plain)
        self.coach = self.ball_coach = BallCoach(self.config, ctx.strings)

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        st = self.analyzer.update(pose, frame.t_ms)
        cs = self.ball_coach.update(st, frame.t_ms)
        notes = BallNotes(posture=st.posture, in_position=st.prone, exercise_metrics=_round(st.metrics),
                          ball_side=cs.ball_side, spot=cs.spot)
        return self._result(frame, pose, st.view, cs, st.interface_faults, [], notes, st.view_angle_deg)

    def move_on(self) -> str:
        """The next tender spot or side (after the last one, the exercise is done)."""
        return SWITCH_SIDE

    def summary(self) -> BallSummary:
        return self._summarise(BallSummary, hold_s=rounded(self.ball_coach.p.hold_s),
                               spots_done=[list(x) for x in self.ball_coach.p.spots_done], spot_s=self.config.spot_s)
