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
the ceiling). Both arms overhead (the yoga low lunge) is NOT a command: a raise counts only with
the other hand down, and only after both hands were seen down (re-arm), so lowering one arm of
the yoga pose does not fire either. Waving needs three swings of at least a quarter torso
length, which neither a held hand nor the model's jitter makes; a wave the camera cannot see
(waved across the line of sight) still pauses, since the hand is up and still enough.

Geometry is body-relative: heights in torso lengths (mid-shoulder to mid-hip, the median of the
last second) above the shoulder line, in image pixels (y down). Frames are trusted only with the
torso in frame and big enough; a raised wrist must be in the picture or, when it leaves over the
top edge, the elbow in the picture and high. MediaPipe's visibility stays ~0.99 for hidden
joints, so it only rejects landmarks the model itself doubts (< VISIBILITY_MIN).

Time comes in as t_ms (the frame's own); nothing here reads a clock. numpy only.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posecoach.control.commands import END, NEXT_EXERCISE, PAIN_STOP, PAUSE, RESUME, START, SWITCH_SIDE, Command
from posecoach.landmarks import Landmark as L
from posecoach.types import Pose

INSTRUCTION = ("To control me from the mat, raise one hand high above your head: hold it there a second to pause "
               "or carry on, keep it up a few seconds more to move on, and wave it if anything hurts.")
"""What the coach says at setup (one sentence)."""
READY_PROMPT = "When you are ready, raise one hand above your head."
CONFIRMATIONS: dict[str, str] = {
    START: "Starting. Raise your hand any time to pause.",
    PAUSE: "Paused. Raise your hand to go on, or keep it up to move on.",
    RESUME: "Going on.",
    SWITCH_SIDE: "Switching sides.",
    NEXT_EXERCISE: "On to the next exercise.",
    END: "Ending the session. Well done.",
    PAIN_STOP: "Stopping now.",
}
"""What the coach says when a gesture command is taken (fixed texts, for pre-rendered audio)."""
ONE_HAND_HINT = "Just one hand, please."
"""For the lead: may be said when `GestureReader.both_hands_up` stays true a few seconds."""

MODES = ("waiting", "running", "paused")
MOVE_ON = (SWITCH_SIDE, NEXT_EXERCISE, END)
VISIBILITY_MIN = 0.5
HEAD = (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EAR, L.RIGHT_EAR)
ARMS = {"left": (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST), "right": (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST)}


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


@dataclass(frozen=True)
class GestureSettings:
    """Thresholds: times in ms, lengths in torso lengths (mid-shoulder to mid-hip)."""
    hold_ms: int = 1000  # a still raised hand held this long: start / pause / resume
    long_hold_ms: int = 4000  # kept up this long since raised: move on
    rearm_ms: int = 400  # both hands seen down this long before a raise counts
    gap_ms: int = 300  # frames without a clear reading tolerated inside a raise
    raise_up: float = 0.7  # wrist this far above the shoulder line to count as raised ...
    raise_keep: float = 0.5  # ... and to stay raised (hysteresis)
    above_head: float = 0.1  # wrist above the highest head landmark by this much
    elbow_up: float = 0.15  # elbow above the shoulder line by this much
    elbow_up_off_top: float = 0.35  # ... when the wrist is above the picture's top edge
    other_down: float = 0.45  # the other wrist no higher than this above the shoulder line
    wave_amp: float = 0.25  # one swing of a wave: wrist across by at least this much
    wave_swings: int = 3
    wave_window_ms: int = 2000
    wave_min_swing_ms: int = 150  # swings closer than this are jitter
    min_torso: float = 0.06  # torso length at least this fraction of the picture's height
    torso_window_ms: int = 1000  # the torso length is the median over this window


@dataclass(frozen=True)
class HandReading:
    """One frame, read: per hand (left, right) its height above the shoulder line and its
    position across (torso lengths), and whether it counts as raised (strictly, or loosely)."""
    height: tuple[float, float]
    across: tuple[float, float]
    up: tuple[bool, bool]
    keep: tuple[bool, bool]


def _ok(p: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(p)))


def read_hands(pose: Pose, torso: float, s: GestureSettings) -> HandReading | None:
    """The hands of `pose` measured against a torso length `torso` (px); None when unreadable."""
    w, h = pose.image_size
    xy = pose.xy
    mid_sh = 0.5 * (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER])
    heads = [xy[i][1] for i in HEAD if _ok(xy[i])]
    if not heads or not _ok(mid_sh):
        return None
    head_y = min(heads)
    height, across, up, keep = [], [], [], []
    for side in ("left", "right"):
        _, elbow, wrist = (xy[i] for i in ARMS[side])
        if not (_ok(elbow) and _ok(wrist)):
            height.append(np.nan), across.append(np.nan), up.append(False), keep.append(False)
            continue
        hw = (mid_sh[1] - wrist[1]) / torso
        he = (mid_sh[1] - elbow[1]) / torso
        seen = _seen(pose, side, w, h, he, s)
        above = wrist[1] < head_y - s.above_head * torso and he >= s.elbow_up and seen
        height.append(float(hw))
        across.append(float((wrist[0] - mid_sh[0]) / torso))
        up.append(bool(above and hw >= s.raise_up))
        keep.append(bool(above and hw >= s.raise_keep))
    return HandReading((height[0], height[1]), (across[0], across[1]), (up[0], up[1]), (keep[0], keep[1]))


def _seen(pose: Pose, side: str, w: int, h: int, elbow_height: float, s: GestureSettings) -> bool:
    """The raised arm is really in the picture: the wrist inside it, or gone over the top edge
    with the elbow inside and high; and the model does not itself doubt the landmarks."""
    _, elbow, wrist = ARMS[side]
    ex, ey = pose.xy[elbow]
    wx, wy = pose.xy[wrist]
    if not (0 <= ex < w and 0 <= ey < h) or pose.visibility[elbow] < VISIBILITY_MIN:
        return False
    if not 0 <= wx < w:
        return False
    if wy >= 0:
        return wy < h and pose.visibility[wrist] >= VISIBILITY_MIN
    return elbow_height >= s.elbow_up_off_top


def torso_length(pose: Pose, min_frac: float) -> float | None:
    """Mid-shoulder to mid-hip (px) when the shoulders are in the picture, the hips at most a
    little outside it, and the torso at least `min_frac` of the picture's height."""
    w, h = pose.image_size
    xy = pose.xy
    sh = (xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER])
    hips = (xy[L.LEFT_HIP], xy[L.RIGHT_HIP])
    if not all(_ok(p) for p in (*sh, *hips)):
        return None
    if not all(0 <= p[0] < w and 0 <= p[1] < h for p in sh):
        return None
    if not all(-0.1 * w <= p[0] < 1.1 * w and -0.1 * h <= p[1] < 1.1 * h for p in hips):
        return None
    t = float(np.linalg.norm(0.5 * (sh[0] + sh[1]) - 0.5 * (hips[0] + hips[1])))
    return t if t >= min_frac * h else None


@dataclass
class _Wave:
    """Counts swings of the raised wrist across the picture: a zigzag of the median of the last
    three positions, each swing at least `amp` long and `min_ms` after the previous one (a wave
    of up to ~3 Hz; faster flips are landmark jitter)."""
    amp: float
    min_ms: int
    anchor: float | None = None
    peak: float = 0.0
    direction: int = 0
    swings: deque = field(default_factory=deque)
    recent: deque = field(default_factory=lambda: deque(maxlen=3))

    def update(self, x_raw: float, t_ms: int) -> bool:
        """Feed the wrist position (torso lengths); True when a new swing completed."""
        self.recent.append(x_raw)
        x = float(np.median(self.recent))
        if self.swings and t_ms - self.swings[-1] < self.min_ms:
            self.peak = max(self.peak, x) if self.direction > 0 else min(self.peak, x)
            return False
        if self.anchor is None:
            self.anchor = self.peak = x
            return False
        if self.direction == 0:
            if abs(x - self.anchor) >= self.amp:
                self.direction, self.peak = (1 if x > self.anchor else -1), x
                self.swings.append(t_ms)
                return True
            return False
        if (x - self.peak) * self.direction > 0:
            self.peak = x
        elif (self.peak - x) * self.direction >= self.amp:
            self.direction, self.anchor, self.peak = -self.direction, self.peak, x
            self.swings.append(t_ms)
            return True
        return False

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
        self.hand: int | None = None
        self.both_hands_up = False
        self._torsos: deque[tuple[int, float]] = deque()
        self._rest_since: int | None = None
        self._up_since = self._steady_since = self._last_up = 0
        self._short: str | None = None
        self._wave = _Wave(self.s.wave_amp, self.s.wave_min_swing_ms)

    @property
    def holding(self) -> tuple[str, int] | None:
        """(hand, ms held) while a raised hand is being timed, for an on-screen progress mark."""
        if self.state not in ("holding", "held") or self.hand is None:
            return None
        return ("left", "right")[self.hand], self._last_up - self._up_since

    def update(self, pose: Pose, t_ms: int, context: GestureContext | None = None) -> list[Command]:
        """Read one frame (`pose` may be Pose.empty); the commands it completes, usually none."""
        ctx = context or GestureContext()
        reading = self._read(pose, t_ms)
        if reading is None:
            self._unclear(t_ms)
            return []
        raised = [reading.keep[0], reading.keep[1]]
        self.both_hands_up = raised[0] and raised[1]
        low = [reading.height[i] <= self.s.other_down for i in (0, 1)]
        if low[0] and low[1]:
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
            for i in (0, 1):
                if self.state == "ready" and reading.up[i] and low[1 - i]:
                    self._begin(i, t_ms, reading.across[i])
            return []
        assert self.hand is not None
        i = self.hand
        if raised[i] and raised[1 - i]:
            self._reset()  # both arms up (the yoga pose): never a command
            return []
        if not raised[i]:
            if t_ms - self._last_up > self.s.gap_ms or low[i]:
                self._reset()
            return []
        if not low[1 - i]:
            return self._unclear(t_ms)  # the other hand half up: wait, do not time it
        self._last_up = t_ms
        if self.state == "spent":
            return []
        return self._advance(reading.across[i], t_ms, ctx)

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

    def _begin(self, hand: int, t_ms: int, x: float) -> None:
        self.state, self.hand = "holding", hand
        self._up_since = self._steady_since = self._last_up = t_ms
        self._short = None
        self._wave = _Wave(self.s.wave_amp, self.s.wave_min_swing_ms)
        self._wave.update(x, t_ms)

    def _advance(self, x: float, t_ms: int, ctx: GestureContext) -> list[Command]:
        s = self.s
        if self._wave.update(x, t_ms):
            self._steady_since = t_ms
        if self._wave.count(t_ms, s.wave_window_ms) >= s.wave_swings:
            self.state = "spent"
            return [Command(t_ms, PAIN_STOP, "gesture")]
        if self.state == "holding" and t_ms - self._steady_since >= s.hold_ms:
            self.state = "held"
            self._short = {"waiting": START, "running": PAUSE, "paused": RESUME}[ctx.mode]
            return [Command(t_ms, self._short, "gesture")]
        if (self.state == "held" and self._short in (PAUSE, RESUME) and ctx.move_on is not None
                and t_ms - self._up_since >= s.long_hold_ms):
            self.state = "spent"
            return [Command(t_ms, ctx.move_on, "gesture")]
        return []

    def _unclear(self, t_ms: int) -> list[Command]:
        """A frame without a clear reading: a raise survives it for `gap_ms`, a rest is broken."""
        self._rest_since = None
        if self.state in ("holding", "held", "spent") and t_ms - self._last_up > self.s.gap_ms:
            self._reset()
        return []

    def _reset(self) -> None:
        self.state, self.hand, self._short = "rearm", None, None
