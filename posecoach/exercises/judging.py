"""Judgement over time shared by every exercise: a steadied posture label, smoothed measurements,
and the one fault engine (bands with hysteresis, a debounce, the "past the fault line" rule, and the
yes/no faults such as nobody in view).
"""
from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Mapping

from posecoach.core.config import Band
from posecoach.core.filters import Debounce, OneEuro
from posecoach.core.protocol import Fault, View

# The floor exercises' debounce of the scene faults (ms on, ms off): lying people are found less
# steadily, so a short gap is not reported at once.
FLOOR_FLAGS: dict[str, tuple[float, float]] = {Fault.NO_PERSON: (300.0, 300.0), Fault.NOT_SIDE_VIEW: (300.0, 300.0)}


def scene_flags(person: bool, view: View) -> dict[str, bool | None]:
    """The yes/no scene faults of a frame, for FaultJudge: nobody in view; facing the camera,
    judged only with someone in view whose view is known (None: not judged this frame)."""
    side: bool | None = view == View.FRONT if person and view != View.UNKNOWN else None
    return {Fault.NO_PERSON: not person, Fault.NOT_SIDE_VIEW: side}


class PostureVote:
    """The most frequent posture label over the last `n` frames, so one odd frame cannot flip it.

    A tie keeps the label given before, which makes the change of posture sticky by one frame.
    """

    def __init__(self, n: int = 9) -> None:
        self._votes: deque[str] = deque(maxlen=n)
        self.label = "none"

    def update(self, label: str) -> str:
        self._votes.append(label)
        counts = Counter(self._votes)
        best, count = counts.most_common(1)[0]
        if counts.get(self.label, 0) < count:
            self.label = best
        return self.label

    def reset(self) -> None:
        self._votes.clear()
        self.label = "none"


class SmoothedMetrics:
    """One One-Euro filter per metric (units as measured); None passes through as None."""

    def __init__(self, names: tuple[str, ...], min_cutoff_hz: float = 0.5, beta: float = 0.02,
                 enabled: bool = True) -> None:
        self.enabled = enabled
        self._f = {n: OneEuro(min_cutoff_hz, beta, reset_after_ms=1500.0) for n in names}

    def update(self, values: Mapping[str, float | None], t_ms: int) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for name, f in self._f.items():
            v = values.get(name)
            if v is not None and not math.isfinite(v):
                v = None
            out[name] = f.update(v, t_ms) if self.enabled else v
        return out


class FaultJudge:
    """The one fault-judging engine of every exercise: faults from measurements by protocol-style
    bands, and yes/no faults (nobody in view, facing the camera), each debounced.

    bands: code -> (measurement name, Band). A band fault switches on above the band's `on` point and
    off below its `off` point (hysteresis; `midpoint`: the plain baseline's single threshold halfway
    between ok and fault), then holds for `on_ms` / `off_ms` before it counts. A fault that is on is
    *confirmed* once its value has also been past the fault line itself (Band.fault) for `on_ms`:
    a correction interrupts the hold, so only a clear fault is spoken. While `judging` is False
    (wrong posture, wrong view, nobody there) every band fault is off and reset.
    flags: code -> (on_ms, off_ms) for the yes/no faults; a flag given as None in `update` is not
    judged this frame (its state is kept and it is not listed). first_flag_at_once: a flag's first
    judgement is taken at once (nothing to debounce against yet), so a stream that starts with
    nobody, or facing the camera, says so at once. hold_missing_ms: a measurement missing (None)
    for at most this long since it was last seen keeps its fault's state (listed if on), so a
    reading withheld for a few frames does not reset a fault; longer gaps reset it.
    """

    def __init__(self, bands: Mapping[str, tuple[str, Band]], *, on_ms: float, off_ms: float,
                 flags: Mapping[str, tuple[float, float]] | None = None, first_flag_at_once: bool = False,
                 midpoint: bool = False, hold_missing_ms: float = 0.0) -> None:
        self.bands = dict(bands)
        self.midpoint = midpoint
        self.hold_missing_ms = hold_missing_ms
        self._seen_ms: dict[str, int | None] = {code: None for code in self.bands}
        self._raw = {code: False for code in self.bands}
        self._debounce = {code: Debounce(on_ms, off_ms) for code in self.bands}
        self._past_line = {code: Debounce(on_ms, 0.0) for code in self.bands}
        self._confirmed = {code: False for code in self.bands}
        self._flags = {code: Debounce(*timing) for code, timing in (flags or {}).items()}
        self._unjudged = set(self._flags) if first_flag_at_once else set()

    @property
    def confirmed(self) -> list[str]:
        """Band faults on and past the fault line (see the class doc), in band order."""
        return [code for code in self.bands if self._confirmed[code]]

    def update(self, values: Mapping[str, float | None], judging: bool, t_ms: int, *,
               flags: Mapping[str, bool | None] | None = None, shift: Mapping[str, float] | None = None) -> list[str]:
        """The faults on at `t_ms`: flags first, then band faults, each in the order given.
        shift: code -> degrees added to that band's thresholds this frame (a rough reading is
        trusted only when clearly past them)."""
        on_codes = self._update_flags(flags or {}, t_ms)
        for code, (name, band) in self.bands.items():
            v = values.get(name)
            seen = self._seen_ms[code]
            if judging and v is None and seen is not None and t_ms - seen <= self.hold_missing_ms:
                if self._debounce[code].state:
                    on_codes.append(code)
                continue
            if not judging or v is None:
                self._seen_ms[code] = None
                self._raw[code] = False
                self._debounce[code].reset()
                self._past_line[code].reset()
                self._confirmed[code] = False
                continue
            self._seen_ms[code] = t_ms
            s = (shift or {}).get(code, 0.0)
            if self.midpoint:
                raw = v >= (band.fault + band.ok) / 2
            else:
                raw = v >= band.off + s if self._raw[code] else v >= band.on + s
            self._raw[code] = raw
            past = self._past_line[code].update(v >= band.fault + s, t_ms)
            if self._debounce[code].update(raw, t_ms):
                on_codes.append(code)
                self._confirmed[code] = self._confirmed[code] or past
            else:
                self._confirmed[code] = False
        return on_codes

    def _update_flags(self, flags: Mapping[str, bool | None], t_ms: int) -> list[str]:
        on_codes = []
        for code, debounce in self._flags.items():
            raw = flags.get(code)
            if raw is None:
                continue
            if code in self._unjudged:
                self._unjudged.discard(code)
                debounce.state = raw
            if debounce.update(raw, t_ms):
                on_codes.append(code)
        return on_codes


def judge_truth(values: Mapping[str, float | None], bands: Mapping[str, tuple[str, Band]],
                judging: bool) -> tuple[list[str], list[str]]:
    """(fault codes, ambiguous codes) of true values by the bands, as the ground truth states them;
    nothing is judged (all ambiguous) when `judging` is False."""
    fault, ambiguous = [], []
    for code, (name, band) in bands.items():
        v = values.get(name)
        if not judging or v is None:
            ambiguous.append(code)
        elif v >= band.fault:
            fault.append(code)
        elif v > band.ok:
            ambiguous.append(code)
    return fault, ambiguous
