"""Cue pacing, the one engine every coach uses: one instruction at a time, chosen by the cue
table's priority, each code with a cooldown, a minimum gap between any two cues (which a higher-
ranked or urgent cue may cut into), and some codes said only once until allowed again. Time is
passed in (t_ms), never read from a clock, so a replayed video gives the same cues.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from posecoach.core.cues import CUE_TABLE, ONCE, PRIORITY, URGENT, cue_text
from posecoach.core.types import Cue


class CuePacer:
    """`choose(wanted, t_ms) -> Cue | None`; `issue(code, t_ms)` says one at once.

    strings: a plan's replacement texts. default_cooldown_s: seconds before a code may repeat when
    neither `cooldown_s` (the exercise's own, from its config) nor the cue table gives one.
    repeat_factor: the same cue back to back waits this many cooldowns. gap_s: the least time
    between two cues, unless the new one outranks the last or is urgent.
    """

    def __init__(self, strings: Mapping[str, str] | None = None, *, default_cooldown_s: float, gap_s: float,
                 cooldown_s: Mapping[str, float] | None = None, repeat_factor: float = 1.0) -> None:
        self.strings = dict(strings or {})
        self.default_cooldown_s = default_cooldown_s
        self.gap_s = gap_s
        self.cooldown_s = dict(cooldown_s or {})
        self.repeat_factor = repeat_factor
        self._said_once: set[str] = set()
        self._at: dict[str, int] = {}
        self.last: Cue | None = None

    def allow_again(self, *codes: str) -> None:
        """Once-only codes that may be said again (a new hold, a new spot)."""
        self._said_once.difference_update(codes)

    def said(self, code: str) -> bool:
        """Whether `code` was ever issued."""
        return code in self._at

    def said_once(self, code: str) -> bool:
        """Whether a once-only `code` has been said and not yet allowed again."""
        return code in self._said_once

    def mark(self, code: str, t_ms: int) -> None:
        """Start `code`'s cooldown as if it had been said (its message was said by another cue)."""
        self._at[code] = t_ms

    def cooldown_ms(self, code: str) -> float:
        spec = CUE_TABLE.get(code)
        own = self.cooldown_s.get(code, spec.cooldown_s if spec else None)
        seconds = self.default_cooldown_s if own is None else own
        if self.last is not None and self.last.code == code:
            seconds *= self.repeat_factor
        return 1000.0 * seconds

    def choose(self, wanted: Iterable[str], t_ms: int, *, texts: Mapping[str, str] | None = None,
               **fields: str) -> Cue | None:
        """The most important wanted code that may be said now, issued; None when none may.
        texts: code -> the table row whose text to say instead (a combined message)."""
        for code in sorted(set(wanted), key=lambda c: -PRIORITY.get(c, 0)):
            spec = CUE_TABLE.get(code)
            if (code in ONCE and code in self._said_once) or (spec is not None and not spec.spoken):
                continue
            last_at = self._at.get(code)
            if last_at is not None and t_ms - last_at < self.cooldown_ms(code):
                continue
            last = self.last
            if (last is not None and t_ms - last.t_ms < 1000 * self.gap_s and code not in URGENT
                    and last.priority >= PRIORITY.get(code, 0)):
                return None  # a more important cue may cut in; an equal or lesser one waits
            return self.issue(code, t_ms, text_code=(texts or {}).get(code), **fields)
        return None

    def issue(self, code: str, t_ms: int, *, text_code: str | None = None, **fields: str) -> Cue:
        """Say `code` now (its text from `text_code`'s row when given)."""
        cue = Cue(code=code, text=cue_text(text_code or code, self.strings, **fields), t_ms=t_ms,
                  priority=PRIORITY.get(code, 0))
        self.last = cue
        self._at[code] = t_ms
        if code in ONCE:
            self._said_once.add(code)
        return cue
