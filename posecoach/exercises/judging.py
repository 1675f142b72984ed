"""Judgement over time shared by the floor exercises: a steadied posture label, smoothed metrics and
faults switched by bands with hysteresis and a debounce (the same rules as the kneeling lunge).
"""
from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Mapping

from posecoach.core.config import Band
from posecoach.core.filters import Debounce, OneEuro


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


class BandFaults:
    """Faults judged from metrics by protocol-style bands (fault at or above `fault`, ok at or
    below `ok`): on above the band's `on` point, off below its `off` point, then debounced.

    faults: code -> (metric name, Band). `update(values, judging, t_ms)` returns the codes on;
    while `judging` is False (wrong posture, nobody there) every fault is off and reset.
    """

    def __init__(self, faults: Mapping[str, tuple[str, Band]], on_ms: float = 600.0,
                 off_ms: float = 800.0) -> None:
        self.faults = dict(faults)
        self._raw = {code: False for code in self.faults}
        self._debounce = {code: Debounce(on_ms, off_ms) for code in self.faults}

    def update(self, values: Mapping[str, float | None], judging: bool, t_ms: int) -> list[str]:
        on_codes = []
        for code, (name, band) in self.faults.items():
            v = values.get(name)
            if not judging or v is None:
                self._raw[code] = False
                self._debounce[code].reset()
                continue
            raw = v >= band.off if self._raw[code] else v >= band.on
            self._raw[code] = raw
            if self._debounce[code].update(raw, t_ms):
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
