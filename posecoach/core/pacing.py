"""Cue pacing for the calm floor exercises: one instruction at a time, by priority, each code with a
cooldown, a minimum gap between any two cues, and some codes said only once. Time is passed in.

The floor exercises talk less than the lunge coach: a person resting with their eyes closed should
hear a few gentle sentences over several minutes, not a stream of corrections.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from posecoach.core.messages import cue_text
from posecoach.core.types import Cue

URGENT = frozenset(("PAIN_STOP",))


class CuePacer:
    """choose(wanted, t_ms) -> Cue | None.

    priority: code -> rank (higher first). cooldown_s: code -> seconds before it may repeat
    (default `default_cooldown_s`). once: codes said at most once until `allow_again(code)`.
    gap_s: the minimum time between two cues, unless the new one outranks the last.
    """

    def __init__(self, priority: dict[str, int], strings: dict[str, str] | None = None,
                 cooldown_s: dict[str, float] | None = None, once: Iterable[str] = (),
                 default_cooldown_s: float = 30.0, gap_s: float = 5.0) -> None:
        self.priority = priority
        self.strings = strings or {}
        self.cooldown_s = cooldown_s or {}
        self.once = frozenset(once)
        self.default_cooldown_s = default_cooldown_s
        self.gap_s = gap_s
        self._said_once: set[str] = set()
        self._at: dict[str, int] = {}
        self.last: Cue | None = None

    def allow_again(self, *codes: str) -> None:
        self._said_once.difference_update(codes)

    def said(self, code: str) -> bool:
        return code in self._at

    def choose(self, wanted: Iterable[str], t_ms: int, **fields: str) -> Cue | None:
        for code in sorted(set(wanted), key=lambda c: -self.priority.get(c, 0)):
            if code in self.once and code in self._said_once:
                continue
            last_at = self._at.get(code)
            if last_at is not None and t_ms - last_at < 1000 * self.cooldown_s.get(code, self.default_cooldown_s):
                continue
            last = self.last
            if (last is not None and t_ms - last.t_ms < 1000 * self.gap_s and code not in URGENT
                    and last.priority >= self.priority.get(code, 0)):
                return None
            return self.issue(code, t_ms, **fields)
        return None

    def issue(self, code: str, t_ms: int, **fields: str) -> Cue:
        cue = Cue(code=code, text=cue_text(code, self.strings, **fields), t_ms=t_ms,
                  priority=self.priority.get(code, 0))
        self.last = cue
        self._at[code] = t_ms
        if code in self.once:
            self._said_once.add(code)
        return cue


@dataclass
class FloorCoachState:
    """What a floor-exercise coach says and shows at one frame.

    timer_s: seconds counted towards the current target (rest time, or time on this ball spot).
    hold_s: seconds per side for the interface's hold_s (both 0 for constructive rest).
    """
    phase: str
    cue: Cue | None
    timer_s: float
    target_s: float
    good: bool
    hold_s: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    info: dict[str, object] = field(default_factory=dict)


class FloorCoachBase:
    """What the floor coaches share: the frame clock, how long nobody has been seen, the delayed
    setup cue and the pain key. Subclasses set `config` (with `setup_cue_after_s`) and `pacer`,
    call `_start()` in their __init__ and `_tick()` first thing in `update`."""

    config: object
    pacer: CuePacer

    def _start(self) -> None:
        self.phase = "setup"
        self.stopped = False
        self._last_t: int | None = None
        self._absent_since: int | None = None
        self._setup_since: int | None = None
        self._was_good = False

    @property
    def done(self) -> bool:
        return self.phase == "done"

    def stop_for_pain(self, t_ms: int) -> Cue:
        """Pain key: stop at once (the cue says to see a professional if pain is sharp or lasting)."""
        self.stopped = True
        self.phase = "stopped"
        return self.pacer.issue("PAIN_STOP", t_ms)

    def _tick(self, t_ms: int, person: bool) -> tuple[float, float]:
        """(seconds since the previous frame, seconds nobody has been seen) at `t_ms`."""
        dt = 0.0 if self._last_t is None else max(0.0, (t_ms - self._last_t) / 1000.0)
        self._last_t = t_ms
        if person:
            self._absent_since = None
        elif self._absent_since is None:
            self._absent_since = t_ms
        return dt, 0.0 if self._absent_since is None else (t_ms - self._absent_since) / 1000.0

    def _setup_cue(self, t_ms: int, person: bool, view: str) -> str | None:
        """In the setup phase, once it has lasted `setup_cue_after_s`: what to fix first (nobody
        lying in view, facing the camera, or not all in the picture)."""
        if self.phase != "setup":
            self._setup_since = None
            return None
        if self._setup_since is None:
            self._setup_since = t_ms
        if t_ms - self._setup_since < 1000 * self.config.setup_cue_after_s:  # type: ignore[attr-defined]
            return None
        return "LYING_SETUP" if not person else "NOT_SIDE_VIEW" if view == "front" else "STEP_BACK"
