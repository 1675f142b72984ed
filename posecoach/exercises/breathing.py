"""Breathing rate of a person lying on the back, from the rise and fall of the belly.

The signal: how tall the body's silhouette stands above the floor over the belly, i.e. the person
mask summed down each image column between the hips and the lower ribs (pixels, sub-pixel precise
because the mask is a soft probability). Without a mask, the fallback is the height of the
shoulders and hips (landmarks move less with a breath and jitter more, so it is a weaker signal).

The rate: the period of the signal's autocorrelation over the last `window_s` seconds, recomputed
every `every_ms`. Causal (only past samples), time passed in (ms), robust to missing frames and to
uneven frame timing (the samples are resampled onto a uniform grid first).
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np

from posecoach.exercises.lying import BodyLine

GRID_HZ = 10.0


def belly_height_px(mask: np.ndarray | None, b: BodyLine, lo: float = 0.15, hi: float = 0.55,
                    columns: tuple[float, float] | None = None, scale: float = 1.0) -> float | None:
    """Mean height (pixels) of the person mask over the belly: the columns from `lo` to `hi` of the
    way from the hip joint towards the shoulder (or `columns` = (x0, x1) pixels, already steadied).
    `scale`: mask pixels per frame pixel (Pose.mask_scale); the result is in frame pixels.

    Summing the soft mask down a column gives the silhouette's height there; the back lies on the
    floor, so this height moves with the belly's rise and fall.
    """
    if mask is None:
        return None
    if columns is None:
        columns = (b.hip[0] + lo * (b.shoulder[0] - b.hip[0]), b.hip[0] + hi * (b.shoulder[0] - b.hip[0]))
    x0, x1 = sorted(c * scale for c in columns)
    w = mask.shape[1]
    a, z = max(0, int(math.floor(x0))), min(w, int(math.ceil(x1)) + 1)
    if z - a < 2 or not (np.isfinite(x0) and np.isfinite(x1)):
        return None
    heights = mask[:, a:z].sum(axis=0, dtype=np.float64)
    if float(heights.max()) < 1.0:
        return None
    return float(np.mean(heights)) / scale


def landmark_height_px(b: BodyLine) -> float:
    """Fallback signal: height of the shoulders and hips (pixels up from the image top, negated y)."""
    return -0.5 * float(b.shoulder[1] + b.hip[1])


def rate_from_samples(t_s: np.ndarray, x: np.ndarray, min_bpm: float = 4.0, max_bpm: float = 40.0,
                      min_corr: float = 0.4) -> tuple[float | None, float]:
    """(breaths per minute or None, confidence 0-1) of a sampled signal, by autocorrelation.

    The samples are resampled at 10 Hz, a quadratic trend (slow settling, drift) is removed and
    0.5 s of jitter averaged out; the strongest autocorrelation peak between the periods of
    `max_bpm` and `min_bpm` (and at most half the span, so two breaths are seen) is the period.
    The biased autocorrelation decays with lag, so a multiple of the true period never wins.
    """
    if len(t_s) < 8:
        return None, 0.0
    span = float(t_s[-1] - t_s[0])
    n = int(span * GRID_HZ) + 1
    if n < 16:
        return None, 0.0
    grid = t_s[0] + np.arange(n) / GRID_HZ
    y = np.interp(grid, t_s, x)
    u = (grid - grid.mean()) / (span or 1.0)
    y = y - np.polyval(np.polyfit(u, y, 2), u)
    k = max(1, int(round(0.5 * GRID_HZ)))
    if n > 2 * k:
        y = np.convolve(y, np.ones(k) / k, mode="same")
    y = y - y.mean()
    energy = float(np.dot(y, y))
    if energy <= 1e-12:
        return None, 0.0
    spec = np.fft.rfft(y, 2 * n)
    ac = np.fft.irfft(spec * np.conj(spec))[:n] / energy
    lo = max(2, int(math.floor(60.0 / max_bpm * GRID_HZ)))
    hi = min(n // 2, int(math.ceil(60.0 / min_bpm * GRID_HZ)))
    if hi <= lo + 1:
        return None, 0.0
    seg = ac[lo - 1:hi + 2]
    peaks = [i for i in range(1, len(seg) - 1) if seg[i] >= seg[i - 1] and seg[i] > seg[i + 1]]
    if not peaks:
        return None, 0.0
    best = max(peaks, key=lambda i: seg[i])
    corr = float(seg[best])
    if corr < min_corr:
        return None, max(0.0, corr)
    a, b, c = seg[best - 1], seg[best], seg[best + 1]
    denom = a - 2 * b + c
    shift = 0.5 * (a - c) / denom if denom != 0 else 0.0
    lag = (lo - 1 + best + float(np.clip(shift, -0.5, 0.5))) / GRID_HZ
    k = max(1, int(round(lag * GRID_HZ / 4)))  # smooth over a quarter breath before counting crossings
    crossing = crossing_period_s(np.convolve(y, np.ones(k) / k, mode="same") if n > 2 * k else y)
    if crossing is None or not 0.7 < crossing / lag < 1.45:
        return None, min(1.0, corr)  # the rhythm's zero crossings disagree: a spurious peak
    return 60.0 / lag, min(1.0, corr)


def crossing_period_s(y: np.ndarray, hysteresis: float = 0.3) -> float | None:
    """Mean period (s) of a detrended signal sampled at GRID_HZ from its crossings of zero with
    hysteresis (+-`hysteresis` standard deviations), or None with fewer than two full cycles.

    A check on the autocorrelation: while the window holds less than two breaths, a spurious
    shorter autocorrelation peak can win; the crossings then give a clearly longer period.
    """
    band = hysteresis * float(np.std(y))
    state, edges = 0, []
    for i, v in enumerate(y):
        if v > band and state <= 0:
            if state < 0:
                edges.append(i)
            state = 1
        elif v < -band and state >= 0:
            if state > 0:
                edges.append(i)
            state = -1
    if len(edges) < 4:
        return None
    return 2.0 * (edges[-1] - edges[0]) / (len(edges) - 1) / GRID_HZ


class BreathingRate:
    """Causal breathing-rate estimate from a stream of signal samples.

    `update(value, t_ms)` -> breaths per minute, or None until `min_span_s` of signal has been seen
    (and while no clear rhythm is present). Missing samples (None) are skipped; a gap longer than
    `max_gap_s` restarts the estimate, since the belly signal's level jumps when the person moves.
    """

    def __init__(self, window_s: float = 30.0, min_span_s: float = 10.0, every_ms: float = 500.0,
                 max_gap_s: float = 3.0, min_bpm: float = 4.0, max_bpm: float = 40.0) -> None:
        self.window_ms = window_s * 1000.0
        self.min_span_ms = min_span_s * 1000.0
        self.every_ms = every_ms
        self.max_gap_ms = max_gap_s * 1000.0
        self.min_bpm, self.max_bpm = min_bpm, max_bpm
        self._t: deque[float] = deque()
        self._x: deque[float] = deque()
        self._last_calc: float | None = None
        self.rate_bpm: float | None = None
        self.confidence = 0.0

    def reset(self) -> None:
        self._t.clear()
        self._x.clear()
        self._last_calc = None
        self.rate_bpm, self.confidence = None, 0.0

    def update(self, value: float | None, t_ms: float) -> float | None:
        if value is None or not math.isfinite(value):
            if self._t and t_ms - self._t[-1] > self.max_gap_ms:
                self.reset()
            return self.rate_bpm
        if self._t and (t_ms - self._t[-1] > self.max_gap_ms or t_ms <= self._t[-1]):
            if t_ms <= self._t[-1]:
                return self.rate_bpm  # repeated timestamp: keep the first sample
            self.reset()
        self._t.append(float(t_ms))
        self._x.append(float(value))
        while self._t and t_ms - self._t[0] > self.window_ms:
            self._t.popleft()
            self._x.popleft()
        if self._last_calc is not None and t_ms - self._last_calc < self.every_ms:
            return self.rate_bpm
        self._last_calc = t_ms
        if self._t[-1] - self._t[0] < self.min_span_ms:
            return None
        t = np.fromiter(self._t, float) / 1000.0
        rate, conf = rate_from_samples(t, np.fromiter(self._x, float), self.min_bpm, self.max_bpm)
        self.rate_bpm, self.confidence = rate, conf
        return rate
