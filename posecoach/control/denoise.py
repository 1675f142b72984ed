"""Spectral subtraction of steady room noise before an utterance is decoded.

The acoustic model was trained on fairly clean speech; at 5-10 dB of fan or traffic noise it
hears most words as silence or as the wrong word. The quiet just before a command (which the
segmenter requires anyway) is a sample of the room's noise: its power spectrum is subtracted
(over-subtraction `alpha`, spectral floor `floor` against musical noise) from the utterance.
Measured on the dev split (docs/voice-commands.md): isolated-word accuracy at 5 dB SNR rose from
38% to 67% with alpha 2, floor 0.3, and did not fall at 20 dB or clean.
"""
from __future__ import annotations

import numpy as np

N_FFT, HOP = 512, 256  # 32 ms Hann windows, half overlapping (they sum to one)
_WINDOW = np.hanning(N_FFT + 1)[:N_FFT].astype(np.float32)


def _frames(x: np.ndarray) -> np.ndarray:
    k = max(1, (len(x) - N_FFT) // HOP + 1)
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(k)[:, None]
    return np.pad(x, (0, max(0, N_FFT - len(x))))[idx] * _WINDOW


def subtract_noise(x: np.ndarray, noise: np.ndarray, alpha: float = 2.0, floor: float = 0.3) -> np.ndarray:
    """`x` (int16) with the average power spectrum of `noise` (int16, >= one window) taken out."""
    if len(noise) < N_FFT or len(x) == 0:
        return x
    noise_power = np.mean(np.abs(np.fft.rfft(_frames(noise.astype(np.float32)), axis=1)) ** 2, axis=0)
    padded = np.concatenate([np.zeros(N_FFT, np.float32), x.astype(np.float32), np.zeros(N_FFT, np.float32)])
    spec = np.fft.rfft(_frames(padded), axis=1)
    power = np.maximum(np.abs(spec) ** 2, 1e-9)
    gain = np.sqrt(np.maximum(1.0 - alpha * noise_power / power, floor ** 2))
    y = np.fft.irfft(spec * gain, n=N_FFT, axis=1)
    out = np.zeros(len(padded) + N_FFT, np.float32)
    for i, frame in enumerate(y):
        out[i * HOP:i * HOP + N_FFT] += frame
    return np.clip(np.round(out[N_FFT:N_FFT + len(x)]), -32768, 32767).astype(np.int16)
