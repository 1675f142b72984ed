"""The session interface, written down: what `live`, `analyze` and the routine ask of an exercise
session, and the one context every session is built with. A session judges frames; it never opens
a camera or builds a pose model (the commands do, and pass the estimator in).

    for frame in source:
        result = session.process(frame)        # or session.judge(frame, pose)
        ...                                    # cue -> voice, result -> log and picture
    summary = session.summary().to_json()
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from posecoach.core.config import Settings
from posecoach.core.protocol import Phase
from posecoach.core.types import Cue, CueEvent, Frame, FrameResult, Pose
from posecoach.pelvis.source import NullPelvis, PelvisSource


class PoseDetector(Protocol):
    """What a session needs of a pose estimator (posecoach.vision builds the real ones)."""
    def detect(self, frame: Frame) -> Pose: ...
    def close(self) -> None: ...


class Summary(Protocol):
    """A session's summary: typed, written as summary.json's keys by `to_json()`. Every exercise
    has good-form seconds per side and the share of its time in good form."""
    frames: int
    hold_s: dict[str, float]
    good_form_fraction: float
    cues: list[CueEvent]
    pain_stop: bool

    def to_json(self) -> dict[str, object]: ...


class ExerciseSession(Protocol):
    """One exercise (or the routine) over one stream of frames.

    exercise: "lunge", "rest", "ball" or "routine". ctx: what it was built with (its estimator).
    frames: frames judged so far. cues: every cue issued, in order. phase: where the session is
    (Phase.DONE when it has finished its work).
    switch_side / next_exercise / stop_for_pain: what the person asks for (keys, gestures, voice);
    a session without sides or a next exercise ignores them. move_on: what "move on" (the word
    "next", a long hand raise) means now: "switch_side", "next_exercise" or "end".
    close: frees the estimator.
    """
    exercise: str
    ctx: SessionContext
    frames: int
    cues: list[CueEvent]

    @property
    def phase(self) -> Phase: ...
    def process(self, frame: Frame) -> FrameResult: ...
    def judge(self, frame: Frame, pose: Pose) -> FrameResult: ...
    def summary(self) -> Summary: ...
    def switch_side(self) -> None: ...
    def next_exercise(self, t_ms: int) -> None: ...
    def move_on(self) -> str: ...
    def stop_for_pain(self, t_ms: int) -> Cue: ...
    def close(self) -> None: ...


class Coaching(Protocol):
    """What a single exercise's session asks of its coach (exercises.lunge_coach.Coach,
    exercises.floor_coach.FloorCoachBase)."""
    @property
    def phase(self) -> Phase: ...
    def switch_side(self) -> None: ...


class SingleExercise:
    """The part of ExerciseSession that one exercise's session (the lunge's, the floor ones) does
    the same way: its phase is its coach's, "switch side" goes to the coach, there is no next
    exercise, and `process` detects then judges. A subclass sets `exercise`, `ctx` and `coach`,
    and writes `judge`, `summary`, `move_on` and `stop_for_pain`."""
    exercise: str
    ctx: SessionContext
    coach: Coaching

    @property
    def phase(self) -> Phase:
        return self.coach.phase

    def process(self, frame: Frame) -> FrameResult:
        return self.judge(frame, self.ctx.estimator.detect(frame))

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        raise NotImplementedError

    def switch_side(self) -> None:
        self.coach.switch_side()

    def next_exercise(self, t_ms: int) -> None:
        """A single exercise has no next one."""

    def close(self) -> None:
        self.ctx.estimator.close()


@dataclass
class SessionContext:
    """What every session is built with.

    estimator: the pose model (or a stand-in: a replay, a test's fake). strings: a plan's cue
    texts. make_pelvis: a new pelvic-tilt reader for each kneeling lunge (the routine runs one per
    lunge stage). on_frame: called after each judged frame (progress bars).
    """
    settings: Settings
    estimator: PoseDetector
    strings: dict[str, str] | None = None
    make_pelvis: Callable[[], PelvisSource] = field(default=NullPelvis)
    on_frame: Callable[[], None] | None = None

    def judged(self) -> None:
        if self.on_frame is not None:
            self.on_frame()
