"""A machine listener's word error rate on the clips: PocketSphinx (its bundled US English model and
language model, full vocabulary) transcribes each sentence; WER = word edits / reference words.

    python -m voicegen asr [--cache DIR]      (needs: pip install pocketsphinx)

Compared on the same 105 sentences: the Piper render before encoding (16 kHz PCM), the shipped
clips (decoded), a 4-bit 16 kHz encoding, and eSpeak NG at the product's settings (resampled to 16 kHz).
Absolute WERs of a general-purpose 2010s recogniser are high; the comparison is the point.
"""
from __future__ import annotations

import re

import numpy as np

from posecoach.outputs.clips import ClipBank, decode
from voicegen.audio import RATE, prepare, resample
from voicegen.codec import encode_pcv


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split()


def edit_distance(a: list[str], b: list[str]) -> int:
    d = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, y in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (x != y))
    return d[-1]


class Listener:
    def __init__(self) -> None:
        from pocketsphinx import Decoder
        self.decoder = Decoder(samprate=RATE, loglevel="FATAL")

    def __call__(self, samples: np.ndarray) -> str:
        pad = np.zeros(RATE // 4, np.int16)
        self.decoder.start_utt()
        self.decoder.process_raw(np.concatenate([pad, samples, pad]).tobytes(), full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


def wer_table(sentences: list[str], raw) -> str:
    """raw(sentence) -> (float samples, rate) of the Piper render."""
    from posecoach.outputs.voice import RATE_WPM, LibEspeak
    listen = Listener()
    bank = ClipBank.bundled()
    espeak = LibEspeak.shared()
    espeak.set_voice("en", RATE_WPM)
    variants = {
        "Piper render, 16 kHz PCM (before encoding)": lambda s: prepare(*raw(s)),
        f"shipped clip ({bank.sample_rate // 1000} kHz block DPCM, decoded, resampled to 16 kHz)":
            lambda s: to_int16(resample(bank.sentence(s), bank.sample_rate, RATE)),
        "4-bit 16 kHz block DPCM (decoded)": lambda s: decode(encode_pcv(prepare(*raw(s)), RATE, 4))[0],
        "eSpeak NG (150 wpm, resampled to 16 kHz)": lambda s: to_int16(resample(espeak.synth(s), espeak.sample_rate, RATE)),
    }
    lines = ["| audio | WER | sentences fully right |", "|---|---|---|"]
    for name, make in variants.items():
        errors = total = exact = 0
        for s in sentences:
            ref, hyp = words(s), words(listen(make(s)))
            e = edit_distance(ref, hyp)
            errors, total, exact = errors + e, total + len(ref), exact + (e == 0)
        lines.append(f"| {name} | {errors / total:.1%} | {exact}/{len(sentences)} |")
    return "\n".join(lines)
