"""Preparing a Piper render for shipping: trim, level, resample to the clip rate (dev time only)."""
from __future__ import annotations

from math import gcd

import numpy as np

RATE = 16000  # Hz, the analysis rate (PESQ wide-band, PocketSphinx). Piper renders at 22.05 kHz
TARGET_RMS_DBFS = -20.0  # speech level of eSpeak NG's output here, so the two voices match in loudness
PEAK = 0.89  # at most -1 dBFS
EDGE_S = 0.03  # silence kept before and after the speech, seconds
THRESHOLD = 0.01  # |sample| above this (full scale 1.0) counts as sound when trimming


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited polyphase resampling (scipy), float64 out."""
    from scipy.signal import resample_poly
    g = gcd(rate_in, rate_out)
    return resample_poly(np.asarray(x, np.float64), rate_out // g, rate_in // g)


def trim(x: np.ndarray, rate: int) -> np.ndarray:
    """Cut the silence around the speech, keeping EDGE_S at each end: the first sound comes
    sooner, and the gap between sentences is set by the player, not by the render."""
    loud = np.nonzero(np.abs(x) > THRESHOLD)[0]
    if loud.size == 0:
        return x[:0]
    edge = int(EDGE_S * rate)
    return x[max(0, loud[0] - edge): loud[-1] + 1 + edge]


def active_rms(x: np.ndarray, rate: int) -> float:
    """RMS over the 20 ms frames whose level is within 30 dB of the loudest frame (speech)."""
    frame = max(1, rate // 50)
    n = x.size // frame * frame
    if n == 0:
        return float(np.sqrt(np.mean(x ** 2))) if x.size else 0.0
    power = (x[:n].reshape(-1, frame) ** 2).mean(axis=1)
    keep = power >= power.max() * 1e-3
    return float(np.sqrt(power[keep].mean()))


def level(x: np.ndarray, rate: int) -> np.ndarray:
    """Scale to TARGET_RMS_DBFS of speech, unless that would push a peak above PEAK."""
    rms, peak = active_rms(x, rate), float(np.abs(x).max()) if x.size else 0.0
    if rms <= 0 or peak <= 0:
        return x
    gain = min(10 ** (TARGET_RMS_DBFS / 20) / rms, PEAK / peak)
    return x * gain


def prepare(x: np.ndarray, rate_in: int, rate_out: int = RATE) -> np.ndarray:
    """Piper float samples -> int16 at `rate_out` Hz, trimmed and levelled."""
    y = trim(resample(trim(np.asarray(x, np.float64), rate_in), rate_in, rate_out), rate_out)
    y = level(y, rate_out)
    return np.clip(np.rint(y * 32767), -32768, 32767).astype(np.int16)
