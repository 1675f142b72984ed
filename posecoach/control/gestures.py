"""Commands read from the pose: one hand raised high above the head and held, or waved.

The vocabulary (one gesture, three ways to use it, so it is learnt from one sentence, INSTRUCTION):
- raise ONE hand clearly above the head and hold it still ~1 s: start (waiting after the safety
  screen), pause (coaching), resume (paused);
- keep it up ~4 s in all (coaching or paused): move on: the context says what that is now,
  switch_side, next_exercise or end (the lead's session knows which);
- wave the raised hand (3 swings within 2 s): pain_stop, at once, in any mode.

Why these: a hand above the head is rarely hidden in a side view (the camera the coach asks
for), sits far from every posture of the routine (hands on the thigh or hips, on the belly,
forearms on the floor, arms swinging below the shoulders), and reads the same kneeling,
standing and lying on the back (up in the picture is up in the room; lying, the arm points at
the ceiling). Both arms overhead (the yoga low lunge) is NOT a command: upright, a raise counts
only with the other hand down (lying, see hands.observe), and only after both hands were seen
down (re-arm), so lowering one arm of the yoga pose does not fire either. Waving needs three swings of at least a quarter torso
length, which neither a held hand nor the model's jitter makes; a wave the camera cannot see
(waved across the line of sight) still pauses, since the hand is up and still enough.

What counts as a raised hand in one frame is posecoach.control.hands (landmarks, and the
person's outline for a far arm the landmark model loses). Time comes in as t_ms (the frame's
own); nothing here reads a clock. numpy only.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posecoach.control.commands import (
    END,
    NEXT_EXERCISE,
    PAIN_STOP,
    PAUSE,
    RESUME,
    START,
    SWITCH_SIDE,
    Command,
)
from posecoach.control.hands import (
    SOURCES,
    GestureSettings,
    HandReading,
    observe,
    read_hands,
    torso_length,
)
from posecoach.core.cues import TEXTS
from posecoach.core.types import Pose

__all__ = ["CONFIRMATIONS", "INSTRUCTION", "ONE_HAND_HINT", "READY_PROMPT", "GestureContext", "GestureReader",
           "GestureSettings"]

INSTRUCTION = TEXTS["CMD_HOW"]
"""What the coach says at setup (one sentence; the cue table's CMD_HOW)."""
READY_PROMPT = TEXTS["CMD_READY"]
CONFIRMATIONS: dict[str, str] = {
    START: TEXTS["CMD_START"],
    PAUSE: TEXTS["CMD_PAUSE"],
    RESUME: TEXTS["CMD_RESUME"],
    SWITCH_SIDE: TEXTS["CMD_SWITCH_SIDE"],
    NEXT_EXERCISE: TEXTS["CMD_NEXT_EXERCISE"],
    END: TEXTS["CMD_END"],
    PAIN_STOP: TEXTS["PAIN_STOP"],
}
"""What the coach says when a command is taken (the cue table's rows, pre-rendered in the voice)."""
ONE_HAND_HINT = TEXTS["CMD_ONE_HAND"]
"""May be said when `GestureReader.both_hands_up` stays true a few seconds (seen from the side,
one raised arm can hide the other, and the model may then guess both up)."""

MODES = ("waiting", "running", "paused")
MOVE_ON = (SWITCH_SIDE, NEXT_EXERCISE, END)
SHORT = {"waiting": START, "running": PAUSE, "paused": RESUME}


@dataclass(frozen=True)
class GestureContext:
    """What the session is doing, so one gesture can mean the right thing.

    mode: "waiting" (before the start, after the safety screen), "running" (coaching) or
    "paused". move_on: what a long hold means now (switch_side, next_exercise, end) or None.
    """
    mode: str = "running"
    move_on: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.move_on is not None and self.move_on not in MOVE_ON:
            raise ValueError(f"move_on must be one of {MOVE_ON} or None, not {self.move_on!r}")


@dataclass
class _Wave:
    """Counts swings of the raised hand across the picture: reversals of a zigzag of the median
    of the last three positions, each swing at least `amp` long and `min_ms` after the previous
    one (a wave of up to ~3 Hz; faster flips are landmark jitter)."""
    amp: float
    min_ms: int
    lo: float | None = None  # the range seen before the first departure
    hi: float | None = None
    peak: float = 0.0
    direction: int = 0
    last_swing: int = 0
    swings: deque = field(default_factory=deque)
    recent: deque = field(default_factory=lambda: deque(maxlen=3))

    def update(self, x_raw: float, t_ms: int) -> bool:
        """Feed the hand's position (torso lengths); True when a new swing completed."""
        self.recent.append(x_raw)
        x = float(np.median(self.recent))
        if self.lo is None or self.hi is None:
            self.lo = self.hi = x
            return False
        if self.direction == 0:  # the first departure (often the arm still coming up) is no swing
            self.lo, self.hi = min(self.lo, x), max(self.hi, x)
            if x - self.lo >= self.amp or self.hi - x >= self.amp:
                self.direction, self.peak = (1 if x - self.lo >= self.amp else -1), x
            return False
        if (x - self.peak) * self.direction > 0 or t_ms - self.last_swing < self.min_ms:
            self.peak = max(self.peak, x) if self.direction > 0 else min(self.peak, x)
            return False
        if (self.peak - x) * self.direction < self.amp:
            return False
        self.direction, self.peak = -self.direction, x
        self.swings.append(t_ms)
        self.last_swing = t_ms
        return True

    def count(self, t_ms: int, window_ms: int) -> int:
        while self.swings and t_ms - self.swings[0] > window_ms:
            self.swings.popleft()
        return len(self.swings)


class GestureReader:
    """Per frame: `update(pose, t_ms, context) -> list[Command]` (by="gesture").

    States: "rearm" (waiting for both hands to be seen down `rearm_ms`), "ready", "holding" (one
    hand up, the short command not yet given), "held" (short command given; a long hold or a wave
    may still follow), "spent" (waiting for the hand to come down).
    """

    def __init__(self, settings: GestureSettings | None = None) -> None:
        self.s = settings or GestureSettings()
        self.state = "rearm"
        self.source: int | None = None  # what shows the raised hand: 0 left wrist, 1 right, 2 outline
        self.both_hands_up = False
        self.reading: HandReading | None = None  # the last frame's, for overlays and diagnostics
        self._torsos: deque[tuple[int, float]] = deque()
        self._rest_since: int | None = None
        self._both_since: int | None = None
        self._up_since = self._steady_since = self._last_up = 0
        self._short: str | None = None
        self._waves: dict[int, _Wave] = {}  # one per source: positions from different sources differ

    @property
    def holding(self) -> tuple[str, int] | None:
        """(hand, ms held) while a raised hand is being timed, for an on-screen progress mark;
        hand is "left", "right" or "unseen" (seen in the outline only)."""
        if self.state not in ("holding", "held") or self.source is None:
            return None
        return SOURCES[self.source], self._last_up - self._up_since

    def update(self, pose: Pose, t_ms: int, context: GestureContext | None = None) -> list[Command]:
        """Read one frame (`pose` may be Pose.empty); the commands it completes, usually none."""
        ctx = context or GestureContext()
        reading = self.reading = self._read(pose, t_ms)
        obs = observe(reading, self.s) if reading is not None else None
        both = obs is not None and obs.kind == "both"
        both_since = (self._both_since if self._both_since is not None else t_ms) if both else None
        self._both_since = both_since
        self.both_hands_up = both_since is not None and t_ms - both_since >= self.s.both_ms  # not a one-frame guess
        if obs is not None and obs.kind == "rest":
            self._rest_since = t_ms if self._rest_since is None else self._rest_since
        else:
            self._rest_since = None
        if self.state == "rearm":
            if self._rest_since is not None and t_ms - self._rest_since >= self.s.rearm_ms:
                self.state = "ready"
            return []
        if self.state == "ready":
            if self.both_hands_up:
                self.state = "rearm"  # both arms up: a new rest is needed before any raise counts
            elif obs is not None and obs.kind == "one" and obs.strict:
                self._begin(obs.source, t_ms, obs.across)
            return []
        if self.both_hands_up:
            self._reset()
            return []
        if obs is None or obs.kind != "one":
            if t_ms - self._last_up > self.s.gap_ms:
                self._reset()  # the hand came down, or has not been seen for too long
            return []
        self._last_up = t_ms
        if self.state == "spent":
            return []
        return self._advance(obs.source, obs.across, t_ms, ctx)

    def _read(self, pose: Pose, t_ms: int) -> HandReading | None:
        if not pose.present:
            return None
        t = torso_length(pose, self.s.min_torso)
        if t is not None:
            self._torsos.append((t_ms, t))
        while self._torsos and t_ms - self._torsos[0][0] > self.s.torso_window_ms:
            self._torsos.popleft()
        if t is None or not self._torsos:
            return None
        return read_hands(pose, float(np.median([v for _, v in self._torsos])), self.s)

    def _begin(self, source: int | None, t_ms: int, x: float) -> None:
        self.state, self.source = "holding", source
        self._up_since = self._steady_since = self._last_up = t_ms
        self._short = None
        self._waves = {}
        self._wave_update(source, x, t_ms)

    def _wave_update(self, source: int | None, x: float, t_ms: int) -> int:
        """Feed the hand's position as this `source` sees it; the most swings any source counts."""
        if source is not None and np.isfinite(x):
            wave = self._waves.setdefault(source, _Wave(self.s.wave_amp, self.s.wave_min_swing_ms))
            if wave.update(x, t_ms):
                self._steady_since = t_ms
        return max((w.count(t_ms, self.s.wave_window_ms) for w in self._waves.values()), default=0)

    def _advance(self, source: int | None, x: float, t_ms: int, ctx: GestureContext) -> list[Command]:
        """One more frame with the hand up, seen by `source` at `x` (torso lengths across)."""
        s = self.s
        if self._wave_update(source, x, t_ms) >= s.wave_swings:
            self.state = "spent"
            return [Command(t_ms, PAIN_STOP, "gesture")]
        if self.state == "holding" and t_ms - self._steady_since >= s.hold_ms:
            self.state = "held"
            self._short = SHORT[ctx.mode]
            return [Command(t_ms, self._short, "gesture")]
        if (self.state == "held" and self._short in (PAUSE, RESUME) and ctx.move_on is not None
                and t_ms - self._up_since >= s.long_hold_ms):
            self.state = "spent"
            return [Command(t_ms, ctx.move_on, "gesture")]
        return []

    def _reset(self) -> None:
        self.state, self.source, self._short = "rearm", None, None

