"""Pre-rendered natural-voice clips for the coach's fixed sentences (made by `voicegen`).

Why: eSpeak NG is clear but robotic; the fixed cues are known in advance, so they are rendered once
at development time in a natural neural voice (Piper, the CC0-dataset "joe" voice) and shipped as
small audio files in posecoach/data/voice/. A text plays from clips only when EVERY sentence in it
has one (so "{cue} {PAIN_ADVICE}" plays as two clips in a row, and an utterance never switches
voice half-way); anything else - a plan's own strings, other languages - goes to eSpeak NG.

The clip format ("block DPCM", .pcv), decoded with numpy alone (no audio library at run time):
mono, 12 kHz and 5 bits a sample as shipped (the header says). Each block of samples has one step
size (an index into a 2**(k/4) table); each b-bit code c gives the change (c - 2**(b-1)) * step
from the previous sample, so a clip decodes with one cumulative sum. The encoder
(voicegen/codec.py) simulates this decoder and keeps every sample within int16, so decoding is
exact integer arithmetic. File layout, little endian: b"PCV1", sample rate (u32), samples (u32),
bits (u8), block length (u16), one u8 step index a block, then the codes, `bits` each, packed
most significant bit first into bytes.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from importlib.abc import Traversable

MAGIC = b"PCV1"
HEADER_BYTES = 4 + 4 + 4 + 1 + 2
STEPS = np.unique(np.round(2.0 ** (np.arange(64) / 4.0))).astype(np.int32)  # 1 .. ~55000
MANIFEST = "manifest.json"
GAP_S = 0.28  # silence between two sentences played in a row, seconds (a natural full stop)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class ClipError(ValueError):
    """A clip file that is not a valid .pcv file."""


def normalise(text: str) -> str:
    """Whitespace collapsed, ends trimmed: the form texts are looked up in."""
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """The sentences of a cue text, split after . ! or ? followed by a space.

    The generator splits the same way, so every fixed sentence is one clip.
    """
    text = normalise(text)
    return [s for s in _SENTENCE_END.split(text) if s] if text else []


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """A .pcv file's bytes -> (int16 samples, sample rate in Hz)."""
    if len(data) < HEADER_BYTES or data[:4] != MAGIC:
        raise ClipError("not a posecoach voice clip (bad magic)")
    rate, n = (int(v) for v in np.frombuffer(data, "<u4", 2, 4))
    bits = data[12]
    block = int(np.frombuffer(data, "<u2", 1, 13)[0])
    if bits not in (2, 3, 4, 5, 6) or block <= 0:
        raise ClipError(f"unsupported clip layout: {bits} bits, block {block}")
    n_blocks = -(-n // block)
    steps_at = HEADER_BYTES
    codes_at = steps_at + n_blocks
    n_code_bytes = -(-n * bits // 8)
    if len(data) != codes_at + n_code_bytes:
        raise ClipError(f"clip size {len(data)} does not match its header ({codes_at + n_code_bytes})")
    k = np.frombuffer(data, np.uint8, n_blocks, steps_at)
    if k.size and int(k.max()) >= STEPS.size:
        raise ClipError("step index out of range")
    stream = np.unpackbits(np.frombuffer(data, np.uint8, n_code_bytes, codes_at))[: n * bits]
    codes = stream.reshape(n, bits) @ (1 << np.arange(bits - 1, -1, -1))
    deltas = (codes.astype(np.int32) - (1 << (bits - 1))) * np.repeat(STEPS[k], block)[:n]
    samples = np.cumsum(deltas, dtype=np.int32)
    if samples.size and (samples.max() > 32767 or samples.min() < -32768):
        raise ClipError("clip decodes outside 16-bit range")
    return samples.astype(np.int16), rate


@dataclass(frozen=True)
class ClipInfo:
    """One manifest entry: the sentence, its file (relative to the bank folder) and length."""
    text: str
    file: str
    samples: int


class ClipBank:
    """The pre-rendered sentences of one folder (its manifest.json), decoded on first use."""

    def __init__(self, folder: Traversable | Path) -> None:
        self.folder = folder
        meta = json.loads(folder.joinpath(MANIFEST).read_text(encoding="utf-8"))
        self.sample_rate = int(meta["sample_rate"])
        self.voice = str(meta.get("voice", ""))
        self.clips: dict[str, ClipInfo] = {
            normalise(text): ClipInfo(normalise(text), e["file"], int(e["samples"]))
            for text, e in meta["clips"].items()}
        self._cache: dict[str, np.ndarray] = {}

    @classmethod
    def bundled(cls) -> "ClipBank | None":
        """The bank shipped in the package (posecoach/data/voice), or None if it is missing."""
        try:
            folder = resources.files("posecoach") / "data" / "voice"
            return cls(folder) if folder.joinpath(MANIFEST).is_file() else None
        except (OSError, ValueError, KeyError, ModuleNotFoundError):
            return None

    def __contains__(self, sentence: str) -> bool:
        return normalise(sentence) in self.clips

    def covers(self, text: str) -> bool:
        """True when every sentence of `text` has a clip."""
        sentences = split_sentences(text)
        return bool(sentences) and all(s in self.clips for s in sentences)

    def sentence(self, sentence: str) -> np.ndarray:
        """One sentence's int16 samples (KeyError if it has no clip)."""
        key = normalise(sentence)
        if key not in self._cache:
            info = self.clips[key]
            samples, rate = decode(self.folder.joinpath(info.file).read_bytes())
            if rate != self.sample_rate:
                raise ClipError(f"{info.file}: {rate} Hz, manifest says {self.sample_rate} Hz")
            self._cache[key] = samples
        return self._cache[key]

    def render(self, text: str) -> np.ndarray | None:
        """The whole text as int16 samples (sentences with GAP_S between), or None when any
        sentence has no clip (the caller then speaks it with eSpeak)."""
        if not self.covers(text):
            return None
        gap = np.zeros(int(GAP_S * self.sample_rate), np.int16)
        parts: list[np.ndarray] = []
        for i, s in enumerate(split_sentences(text)):
            if i:
                parts.append(gap)
            parts.append(self.sentence(s))
        return np.concatenate(parts)


def clip_speaker(bank: ClipBank, play: Callable[[str, np.ndarray, int], None],
                 fallback: Callable[[str], None]) -> Callable[[str], None]:
    """An utterance function: texts the bank covers are played from clips through
    `play(text, int16 samples, rate)`, any other text goes to `fallback(text)` (eSpeak)."""
    def speak(text: str) -> None:
        samples = bank.render(text)
        if samples is None:
            fallback(text)
        else:
            play(text, samples, bank.sample_rate)
    return speak
