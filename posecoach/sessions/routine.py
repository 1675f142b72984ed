"""The whole routine: constructive rest -> kneeling lunge -> soft-ball release, one after another,
with spoken/shown transitions and one combined summary.

Between exercises (and at the start) the routine says what comes next and gives the person
`transition_s` to get there before the next exercise is coached. `RoutineSession` is an
ExerciseSession like any single exercise, so `live` and `analyze` run it the same way; one pose
estimator (with masks, for the breathing and the pelvis) is shared by all stages.

Moving on: a stage ends when its coach is done (timer or holds complete); or when the person asks
(`next_exercise`: the key N, a gesture or a word); or when the person holds the next exercise's
starting posture for `advance_after_s` (kneeling in a lunge during rest; lying face down during the
lunge). A pain stop ends the whole routine.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from posecoach.control.commands import NEXT_EXERCISE
from posecoach.core.cues import PRIORITY, cue_text
from posecoach.core.filters import Debounce
from posecoach.core.protocol import EXERCISES, TITLES, Phase, View
from posecoach.core.types import (
    Cue,
    CueEvent,
    Frame,
    FrameNotes,
    FrameResult,
    Metrics,
    Pose,
)
from posecoach.exercises.lunge import observe
from posecoach.exercises.lying import classify_posture
from posecoach.sessions.protocol import ExerciseSession, PoseDetector, SessionContext
from posecoach.sessions.summary import RoutineSummary, StageSummary, fraction

NEXT_CUE = {"rest": "NEXT_REST", "lunge": "NEXT_LUNGE", "ball": "NEXT_BALL"}
StageFactory = Callable[[str, SessionContext], ExerciseSession]


def starting_posture(exercise: str, pose: Pose) -> bool:
    """Whether `pose` shows the posture `exercise` starts from (for moving on by posture)."""
    if not pose.present:
        return False
    if exercise == "lunge":
        return observe(pose).kneeling
    label, _ = classify_posture(pose)
    return label == {"rest": "supine", "ball": "prone"}[exercise]


@dataclass
class Stage:
    """One exercise of the routine and how it went."""
    exercise: str
    session: ExerciseSession | None = None
    start_t_ms: int | None = None
    end_t_ms: int | None = None
    end_reason: str | None = None  # completed | key | posture | pain | stream ended


class RoutineSession:
    """The exercises of `order` over one stream of frames.

    make_stage(exercise, ctx): builds each stage's session (sessions.registry.build_exercise binds the
    exercises' configs; tests pass their own).
    """
    exercise = "routine"

    def __init__(self, ctx: SessionContext, make_stage: StageFactory, order: Sequence[str] = EXERCISES,
                 advance_after_s: float = 3.0, transition_s: float = 3.0) -> None:
        bad = [e for e in order if e not in EXERCISES]
        if bad or not order:
            raise ValueError(f"routine exercises must be among {', '.join(EXERCISES)}")
        self.ctx = ctx
        self.make_stage = make_stage
        self.order = tuple(order)
        self.transition_s = transition_s
        self.stages = [Stage(e) for e in self.order]
        self.index = 0
        self.frames = 0
        self.detected = 0
        self.cues: list[CueEvent] = []
        self.stopped = False
        self.done = False
        self._pending: str | None = "ROUTINE_START"
        self._transition_t: int | None = None
        self._advance = Debounce(1000 * advance_after_s, 300.0)
        # The stages share the routine's estimator, which the routine closes at the end.
        self._stage_ctx = SessionContext(ctx.settings, _Shared(ctx.estimator), ctx.strings, ctx.make_pelvis)
        self._start(0, 0)

    # -- stages -------------------------------------------------------------------------------
    @property
    def current(self) -> Stage:
        return self.stages[self.index]

    @property
    def stage_session(self) -> ExerciseSession:
        session = self.current.session
        assert session is not None, "every stage from the current one back has a session"
        return session

    @property
    def phase(self) -> Phase:
        if self.stopped:
            return Phase.STOPPED
        if self.done:
            return Phase.DONE
        return self.stage_session.phase

    def _start(self, i: int, t_ms: int) -> None:
        self.index = i
        stage = self.stages[i]
        stage.session = self.make_stage(stage.exercise, self._stage_ctx)
        stage.start_t_ms = t_ms
        self._advance.reset()

    def _finish(self, t_ms: int, reason: str) -> None:
        stage = self.current
        stage.end_t_ms, stage.end_reason = t_ms, reason
        if self.index + 1 < len(self.stages):
            self._start(self.index + 1, t_ms)
            self._pending = NEXT_CUE[self.current.exercise]
        else:
            self.done = True
            self._pending = "ROUTINE_COMPLETE"

    def next_exercise(self, t_ms: int, reason: str = "key") -> None:
        """Move on to the next exercise now, or finish the routine after the last one."""
        if not (self.done or self.stopped):
            self._finish(t_ms, reason)

    def switch_side(self) -> None:
        self.stage_session.switch_side()

    def move_on(self) -> str:
        """The next exercise; in the last one, its own next step."""
        return NEXT_EXERCISE if self.index + 1 < len(self.stages) else self.stage_session.move_on()

    def stop_for_pain(self, t_ms: int) -> Cue:
        cue = self.stage_session.stop_for_pain(t_ms)
        self.stopped = True
        self.current.end_t_ms, self.current.end_reason = t_ms, "pain"
        self.cues.append(CueEvent.of(cue, self.current.exercise))
        return cue

    # -- per frame ----------------------------------------------------------------------------
    def process(self, frame: Frame) -> FrameResult:
        return self.judge(frame, self.ctx.estimator.detect(frame))

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        self.frames += 1
        self.detected += int(pose.present)
        self.ctx.judged()
        if self._pending is not None or self._transition_t is not None:
            between = self._transition(frame, pose)
            if between is not None:
                return between
        stage = self.current
        result = self.stage_session.judge(frame, pose)
        if result.cue is not None:
            self.cues.append(CueEvent.of(result.cue, stage.exercise))
        if not (self.done or self.stopped):
            if self.stage_session.phase == Phase.DONE:
                self._finish(frame.t_ms, "completed")
            elif self.index + 1 < len(self.stages):
                nxt = self.stages[self.index + 1].exercise
                if self._advance.update(starting_posture(nxt, pose), frame.t_ms):
                    self._finish(frame.t_ms, "posture")
        return self._annotate(result, stage.exercise)

    def _transition(self, frame: Frame, pose: Pose) -> FrameResult | None:
        """Between exercises: say what comes next, then give the person `transition_s` to get
        there before the next exercise is coached. None once the transition is over."""
        cue = None
        if self._transition_t is None:
            code, self._pending = self._pending or "", None
            self._transition_t = frame.t_ms
            cue = Cue(code=code, text=cue_text(code, self.ctx.strings), t_ms=frame.t_ms, priority=PRIORITY[code])
            self.cues.append(CueEvent.of(cue, "routine"))
        if not self.done and frame.t_ms - self._transition_t >= 1000 * self.transition_s:
            self._transition_t = None
            return None
        result = FrameResult(frame=frame.index, t_ms=frame.t_ms, person=pose.present, view=View.UNKNOWN,
                             front_side=None, phase=Phase.DONE if self.done else Phase.TRANSITION,
                             metrics=Metrics(), faults=[], cue=cue, hold_s={"left": 0.0, "right": 0.0}, pose=pose,
                             notes=FrameNotes())
        return self._annotate(result, self.current.exercise)

    def _annotate(self, result: FrameResult, exercise: str) -> FrameResult:
        if result.notes.exercise is None:
            result.notes.exercise = exercise
        result.notes.routine_stage = (self.index + 1, len(self.stages))
        if self.done:
            result.phase = Phase.DONE
        return result

    # -- report -------------------------------------------------------------------------------
    def summary(self) -> RoutineSummary:
        stages: dict[str, StageSummary] = {}
        for st in self.stages:
            inner = st.session.summary() if st.session is not None else None
            stages[st.exercise] = StageSummary(
                title=TITLES[st.exercise], ran=st.session is not None, start_t_ms=st.start_t_ms, end_t_ms=st.end_t_ms,
                end_reason=st.end_reason or ("stream ended" if st.session else None),
                summary=inner,
                cues=[c for c in self.cues if c.exercise == st.exercise])
        lunge = stages.get("lunge")
        lunge_summary = lunge.summary if lunge is not None else None
        return RoutineSummary(
            frames=self.frames, detected_fraction=fraction(self.detected, self.frames),
            hold_s=dict(lunge_summary.hold_s) if lunge_summary else {"left": 0.0, "right": 0.0},
            good_form_fraction=lunge_summary.good_form_fraction if lunge_summary else 0.0,
            cues=list(self.cues), order=list(self.order), completed=self.done and not self.stopped,
            pain_stop=self.stopped, reached=self.current.exercise, stages=stages)

    def close(self) -> None:
        self.ctx.estimator.close()


class _Shared:
    """The routine's estimator as its stages see it: they may close it; only the routine does."""

    def __init__(self, estimator: PoseDetector) -> None:
        self._estimator = estimator

    def detect(self, frame: Frame) -> Pose:
        return self._estimator.detect(frame)

    def close(self) -> None:
        pass
