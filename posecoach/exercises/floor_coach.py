"""What the floor exercises' coaches (constructive rest, the soft-ball release) share: their state
at one frame, the frame clock, how long nobody has been seen, the delayed setup cue and the pain
stop. They talk less than the lunge coach: a person resting with their eyes closed should hear a
few gentle sentences over several minutes, not a stream of corrections (posecoach.core.pacing
paces them, with longer cooldowns).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from posecoach.core.config import MAX_TIMER_STEP_S
from posecoach.core.pacing import CuePacer
from posecoach.core.protocol import Fault, Phase, View
from posecoach.core.types import Cue

# Floor cooldowns shared by both exercises (seconds): "step back" is repeated less often than in
# the lunge, since lying down and getting up take time.
SETUP_COOLDOWN_S = {"STEP_BACK": 20.0}


class FloorConfig(Protocol):
    """What FloorCoachBase reads of an exercise's config."""
    @property
    def setup_cue_after_s(self) -> float: ...


@dataclass
class FloorCoachState:
    """What a floor-exercise coach says and shows at one frame.

    timer_s: seconds counted towards the current target (rest time, or time on this ball spot).
    hold_s: seconds per side for the interface's hold_s (both 0 for constructive rest).
    good: the position is right, so the timer counts.
    """
    phase: Phase
    cue: Cue | None
    timer_s: float
    target_s: float
    good: bool
    hold_s: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    ball_side: str | None = None  # the ball release: the side and the tender spot (1-based) now
    spot: int | None = None


class FloorCoachBase:
    """What the floor coaches share: the frame clock, how long nobody has been seen, the delayed
    setup cue and the pain key. Subclasses set `config` (with `setup_cue_after_s`) and `pacer`,
    call `_start()` in their __init__ and `_tick()` first thing in `update`."""

    config: FloorConfig
    pacer: CuePacer

    def _start(self) -> None:
        self.phase = Phase.SETUP
        self.stopped = False
        self._last_t: int | None = None
        self._absent_since: int | None = None
        self._setup_since: int | None = None
        self._was_good = False

    @property
    def done(self) -> bool:
        return self.phase == Phase.DONE

    def switch_side(self) -> None:
        """The person asks for the other side (key s); an exercise without sides ignores it."""

    def stop_for_pain(self, t_ms: int) -> Cue:
        """Pain key: stop at once (the cue says to see a professional if pain is sharp or lasting)."""
        self.stopped = True
        self.phase = Phase.STOPPED
        return self.pacer.issue("PAIN_STOP", t_ms, text_code="PAIN_STOP_LYING")

    def _tick(self, t_ms: int, person: bool) -> tuple[float, float]:
        """(seconds since the previous frame, seconds nobody has been seen) at `t_ms`."""
        dt = 0.0 if self._last_t is None else min(MAX_TIMER_STEP_S, max(0.0, (t_ms - self._last_t) / 1000.0))
        self._last_t = t_ms
        if person:
            self._absent_since = None
        elif self._absent_since is None:
            self._absent_since = t_ms
        return dt, 0.0 if self._absent_since is None else (t_ms - self._absent_since) / 1000.0

    def _setup_cue(self, t_ms: int, person: bool, view: View) -> str | None:
        """In the setup phase, once it has lasted `setup_cue_after_s`: what to fix first (nobody
        lying in view, facing the camera, or not all in the picture)."""
        if self.phase != Phase.SETUP:
            self._setup_since = None
            return None
        if self._setup_since is None:
            self._setup_since = t_ms
        if t_ms - self._setup_since < 1000 * self.config.setup_cue_after_s:
            return None
        return "LYING_SETUP" if not person else Fault.NOT_SIDE_VIEW if view == View.FRONT else "STEP_BACK"
