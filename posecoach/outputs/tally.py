"""Per-side time accounting over frame records (the frames.jsonl objects of interface.md), shared
by the HTML report (over a finished file) and the history (live, as frames arrive), so both say
the same thing.

Time convention: a frame is credited with the time since the previous frame (seconds, from the
records' `t_ms`), exactly as the coach's hold timer counts, so "time in good form" and the hold
time agree on a steady video.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from posecoach.core.config import MAX_TIMER_STEP_S
from posecoach.core.protocol import (
    FAULT_NAMES as FAULT_NAMES,  # re-exported for reports
)
from posecoach.core.protocol import FORM_FAULTS, SETUP_FAULTS, SIDES


@dataclass
class SideTally:
    """Seconds spent in the stretch on one side (front leg), in good form and in each form fault."""
    lunge_s: float = 0.0
    good_s: float = 0.0
    fault_s: dict[str, float] = field(default_factory=lambda: {f: 0.0 for f in FORM_FAULTS})

    @property
    def good_share(self) -> float | None:
        """Share of the time in the stretch with no form fault, 0..1; None when never in it."""
        return self.good_s / self.lunge_s if self.lunge_s > 0 else None

    def main_fault(self) -> str | None:
        code, secs = max(self.fault_s.items(), key=lambda kv: kv[1])
        return code if secs > 0 else None


@dataclass
class Tally:
    """Feed records in order with `add(record)`; read per-side and whole-session times."""
    sides: dict[str, SideTally] = field(default_factory=lambda: {s: SideTally() for s in SIDES})
    total_s: float = 0.0
    detected_s: float = 0.0
    setup_s: dict[str, float] = field(default_factory=lambda: {f: 0.0 for f in SETUP_FAULTS})
    frames: int = 0
    _last_t: int | None = None

    def add(self, rec: Mapping[str, Any]) -> None:
        t = int(rec["t_ms"])
        # as the hold timer counts: a longer gap between records (a pause) is not time held
        dt = 0.0 if self._last_t is None else min(MAX_TIMER_STEP_S, max(0.0, (t - self._last_t) / 1000.0))
        self._last_t = t
        self.frames += 1
        self.total_s += dt
        if rec.get("person"):
            self.detected_s += dt
        faults = [str(f) for f in rec.get("faults") or []]
        for code in SETUP_FAULTS:
            if code in faults:
                self.setup_s[code] += dt
        side = in_lunge_side(rec)
        if side is None:
            return
        st = self.sides[side]
        st.lunge_s += dt
        form = [f for f in faults if f in FORM_FAULTS]
        if not form:
            st.good_s += dt
        for f in form:
            st.fault_s[f] += dt

    @classmethod
    def of(cls, records: Iterable[Mapping[str, Any]]) -> "Tally":
        t = cls()
        for r in records:
            t.add(r)
        return t


def in_lunge_side(rec: Mapping[str, Any]) -> str | None:
    """The front leg of a record when the person is in the stretch, else None. Records without the
    `in_lunge` note (older logs) count as in the stretch while the coach was in its hold phase."""
    side = rec.get("front_side")
    if side not in SIDES:
        return None
    in_lunge = rec.get("in_lunge")
    if in_lunge is None:
        in_lunge = rec.get("phase") == "holding"
    return str(side) if in_lunge else None
