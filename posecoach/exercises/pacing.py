"""Cue pacing for the calm floor exercises: one instruction at a time, by priority, each code with a
cooldown, a minimum gap between any two cues, and some codes said only once. Time is passed in.

The floor exercises talk less than the lunge coach: a person resting with their eyes closed should
hear a few gentle sentences over several minutes, not a stream of corrections.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from posecoach.messages import cue_text
from posecoach.types import Cue

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
