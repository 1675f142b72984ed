"""Causal smoothing for live signals. Time is passed in (ms), never read from a clock, so a
recorded video replays exactly. Missing input (None/NaN) is allowed and resets after a gap.
"""
from __future__ import annotations

import math


class OneEuro:
    """One Euro filter (Casiez, Roussel, Vogel, CHI 2012): an adaptive low-pass whose cutoff rises
    with speed, so still holds are smoothed hard while real moves lag little.

    min_cutoff_hz: cutoff at rest (lower = smoother). beta: how fast the cutoff rises with speed
    (per unit of the signal per second). d_cutoff_hz: cutoff for the speed estimate.
    reset_after_ms: a gap in the input longer than this restarts the filter.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0,
                 reset_after_ms: float = 500.0) -> None:
        if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
            raise ValueError("cutoffs must be > 0 and beta >= 0")
        self.min_cutoff = min_cutoff_hz
        self.beta = beta
        self.d_cutoff = d_cutoff_hz
        self.reset_after_ms = reset_after_ms
        self._x: float | None = None
        self._dx = 0.0
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: float, dt_s: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt_s)

    def reset(self) -> None:
        self._x, self._dx, self._t = None, 0.0, None

    def update(self, x: float | None, t_ms: float) -> float | None:
        """Feed one sample at time t_ms; returns the filtered value (None while input is missing)."""
        if x is None or not math.isfinite(x):
            if self._t is not None and t_ms - self._t > self.reset_after_ms:
                self.reset()
            return None
        if self._x is None or self._t is None or t_ms - self._t > self.reset_after_ms:
            self._x, self._dx, self._t = x, 0.0, t_ms
            return x
        dt = max((t_ms - self._t) / 1000.0, 1e-3)
        dx = (x - self._x) / dt
        self._dx += self._alpha(self.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        self._x += self._alpha(cutoff, dt) * (x - self._x)
        self._t = t_ms
        return self._x


class Passthrough:
    """The no-filter baseline, with OneEuro's interface, to measure what the filter buys."""

    def update(self, x: float | None, t_ms: float) -> float | None:
        return None if x is None or not math.isfinite(x) else x

    def reset(self) -> None:
        pass


class Debounce:
    """A boolean that changes only after the raw input has held its new value for `hold_ms`.

    Keeps a fault from flickering; the delay bounds the added lag.
    """

    def __init__(self, on_ms: float, off_ms: float | None = None) -> None:
        self.on_ms = on_ms
        self.off_ms = on_ms if off_ms is None else off_ms
        self.state = False
        self._since: float | None = None

    def update(self, raw: bool | None, t_ms: float) -> bool:
        """raw None means "unknown": the state is kept and no change is pending."""
        if raw is None or raw == self.state:
            self._since = None
            return self.state
        if self._since is None:
            self._since = t_ms
        if t_ms - self._since >= (self.on_ms if raw else self.off_ms):
            self.state, self._since = raw, None
        return self.state

    def reset(self) -> None:
        self.state, self._since = False, None
