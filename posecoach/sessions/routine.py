"""The whole routine: constructive rest -> kneeling lunge -> soft-ball release, one after another,
with spoken/shown transitions and one combined report.

Between exercises (and at the start) the routine says what comes next and gives the person
`transition_s` to get there before the next exercise is coached.

`RoutineSession` has the surface of pipeline.Session (process, judge, summary, stop_for_pain,
close, coach.phase, cues, frames), so `live` and `analyze` run it like a single exercise. One pose
estimator (with masks, for the breathing and the pelvis) is shared by all stages.

Moving on: a stage ends when its coach is done (timer or holds complete); or when the person
presses N (`next_exercise`); or when the person holds the next exercise's starting posture for
`advance_after_s` (kneeling in a lunge during rest; lying face down during the lunge). The pain
key stops the whole routine.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from posecoach.core.config import Settings
from posecoach.exercises.lunge import observe
from posecoach.exercises.lying import classify_posture
from posecoach.core.filters import Debounce
from posecoach.sessions.floor import EXERCISES, session_factory
from posecoach.core.messages import cue_text
from posecoach.core.messages_floor import TITLES, floor_strings
from posecoach.core.types import Cue, Frame, FrameResult, Metrics, Pose

NEXT_CUE = {"rest": "NEXT_REST", "lunge": "NEXT_LUNGE", "ball": "NEXT_BALL"}


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
    session: object | None = None
    start_t_ms: int | None = None
    end_t_ms: int | None = None
    end_reason: str | None = None  # completed | key | posture | pain | stream ended


class _RoutineCoach:
    """What `live` asks of a coach (phase, switch_side, stop_for_pain), for the routine."""

    def __init__(self, routine: "RoutineSession") -> None:
        self._r = routine

    @property
    def phase(self) -> str:
        r = self._r
        if r.stopped:
            return "stopped"
        if r.done:
            return "done"
        return r.current_coach_phase()

    @property
    def hold_s(self) -> dict[str, float]:
        return dict(getattr(self._r.current.session.coach, "hold_s", {"left": 0.0, "right": 0.0}))  # type: ignore[union-attr]

    @property
    def completed(self) -> list[str]:
        return list(getattr(self._r.current.session.coach, "completed", []))  # type: ignore[union-attr]

    def switch_side(self) -> None:
        self._r.current.session.coach.switch_side()  # type: ignore[union-attr]

    def stop_for_pain(self, t_ms: int) -> Cue:
        return self._r.stop_for_pain(t_ms)


@dataclass
class RoutineSession:
    """The three exercises in order over one stream of frames.

    configs: exercise -> its config (RestConfig, BallConfig); the lunge takes `settings`.
    factories: exercise -> session factory (tests inject fakes); default floor_session's.
    """
    settings: Settings = field(default_factory=Settings)
    estimator: object | None = None
    pelvis: object | None = None
    strings: dict[str, str] | None = None
    order: Sequence[str] = EXERCISES
    configs: dict[str, object] = field(default_factory=dict)
    factories: dict[str, Callable[..., object]] = field(default_factory=dict)
    advance_after_s: float = 3.0
    transition_s: float = 3.0
    make_pelvis: Callable[[], object | None] | None = None

    def __post_init__(self) -> None:
        bad = [e for e in self.order if e not in EXERCISES]
        if bad or not self.order:
            raise ValueError(f"routine exercises must be among {', '.join(EXERCISES)}")
        if self.estimator is None:  # masks for breathing and the pelvis; quarter turns for lying people
            from posecoach.vision.rotation import RotatingEstimator
            self.estimator = RotatingEstimator(masks=True)
        self.stages = [Stage(e) for e in self.order]
        self.index = 0
        self.frames = 0
        self.detected = 0
        self.cues: list[dict[str, object]] = []
        self.stopped = False
        self.done = False
        self.coach = _RoutineCoach(self)
        self._pending: str | None = "ROUTINE_START"
        self._transition_t: int | None = None
        self._advance = Debounce(1000 * self.advance_after_s, 300.0)
        self._start(0, 0)

    # -- stages -------------------------------------------------------------------------------
    @property
    def current(self) -> Stage:
        return self.stages[self.index]

    def current_coach_phase(self) -> str:
        return str(getattr(self.current.session.coach, "phase", "setup"))  # type: ignore[union-attr]

    def _make(self, exercise: str) -> object:
        factory = self.factories.get(exercise) or session_factory(exercise, self.configs.get(exercise))
        kwargs: dict[str, object] = {"settings": self.settings, "estimator": self.estimator, "strings": self.strings}
        if exercise == "lunge" and self.make_pelvis is not None:
            kwargs["pelvis"] = self.make_pelvis()
        return factory(**kwargs)

    def _start(self, i: int, t_ms: int) -> None:
        self.index = i
        stage = self.stages[i]
        stage.session = self._make(stage.exercise)
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
        """Move on to the next exercise now (key N), or finish the routine after the last one."""
        if not (self.done or self.stopped):
            self._finish(t_ms, reason)

    def stop_for_pain(self, t_ms: int) -> Cue:
        session = self.current.session
        cue = session.stop_for_pain(t_ms)  # type: ignore[union-attr]
        self.stopped = True
        self.current.end_t_ms, self.current.end_reason = t_ms, "pain"
        self.cues.append({"t_ms": t_ms, "code": cue.code, "text": cue.text, "exercise": self.current.exercise})
        return cue

    # -- per frame ----------------------------------------------------------------------------
    def process(self, frame: Frame) -> FrameResult:
        return self.judge(frame, self.estimator.detect(frame))  # type: ignore[union-attr]

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        self.frames += 1
        self.detected += int(pose.present)
        if self._pending is not None or self._transition_t is not None:
            result = self._transition(frame, pose)
            if result is not None:
                return result
        stage = self.current
        result: FrameResult = stage.session.judge(frame, pose)  # type: ignore[union-attr]
        if result.cue is not None:
            self.cues.append({"t_ms": frame.t_ms, "code": result.cue.code, "text": result.cue.text,
                              "exercise": stage.exercise})
        if not (self.done or self.stopped):
            if self.current_coach_phase() == "done":
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
            cue = Cue(code=code, text=cue_text(code, floor_strings(self.strings)), t_ms=frame.t_ms, priority=150)
            self.cues.append({"t_ms": frame.t_ms, "code": code, "text": cue.text, "exercise": "routine"})
        if not self.done and frame.t_ms - self._transition_t >= 1000 * self.transition_s:
            self._transition_t = None
            return None
        hold = {"left": 0.0, "right": 0.0}
        result = FrameResult(frame=frame.index, t_ms=frame.t_ms, person=pose.present, view="unknown",
                             front_side=None, phase="done" if self.done else "transition", metrics=Metrics(),
                             faults=[], cue=cue, hold_s=hold, pose=pose, notes={})
        return self._annotate(result, self.current.exercise)

    def _annotate(self, result: FrameResult, exercise: str) -> FrameResult:
        result.notes.setdefault("exercise", exercise)
        result.notes["routine_stage"] = self.index + 1
        result.notes["routine_stages"] = len(self.stages)
        if self.done:
            result.phase = "done"
        return result

    # -- report -------------------------------------------------------------------------------
    def summary(self) -> dict[str, object]:
        sections: dict[str, object] = {}
        lunge: dict = {}
        for st in self.stages:
            section: dict[str, object] = {"title": TITLES[st.exercise], "ran": st.session is not None,
                                          "start_t_ms": st.start_t_ms, "end_t_ms": st.end_t_ms,
                                          "end_reason": st.end_reason or ("stream ended" if st.session else None)}
            if st.session is not None:
                s = dict(st.session.summary())  # type: ignore[union-attr]
                s.pop("cues", None)
                section.update(s)
                section["cues"] = [c for c in self.cues if c.get("exercise") == st.exercise]
                if st.exercise == "lunge":
                    lunge = s
            sections[st.exercise] = section
        return {
            "frames": self.frames,
            "detected_fraction": round(self.detected / self.frames, 4) if self.frames else 0.0,
            "hold_s": lunge.get("hold_s", {"left": 0.0, "right": 0.0}),
            "good_form_fraction": lunge.get("good_form_fraction", 0.0),
            "cues": list(self.cues),
            "routine": {"order": list(self.order), "completed": self.done and not self.stopped,
                        "stopped_for_pain": self.stopped, "reached": self.current.exercise},
            "exercises": sections,
            "pain_stop": self.stopped,
        }

    def close(self) -> None:
        if self.estimator is not None:
            self.estimator.close()  # type: ignore[union-attr]
