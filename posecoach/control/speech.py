"""Offline keyword spotting of spoken commands ("pause", "resume", "next", "stop", "ouch", ...).

PocketSphinx's keyphrase search (its US English acoustic model ships inside the PyPI wheel, so
nothing is downloaded at run time) scores each keyword against a phone loop as audio streams in;
a keyword fires when its score beats the phone loop by more than its threshold. Thresholds are per
word (short words need stricter ones) and were tuned on the dev part of a generated corpus
(benchmarks/voice_commands.py). The engine is an optional dependency: `pip install
'posecoach[voice-control]'`; without it `SpeechUnavailable` carries a one-line notice.

Time is passed in: every chunk comes with the stream time of its first sample, and a Command's
t_ms is the audio time at which its word ended. No clock is read here.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from posecoach.control.command import Command

RATE = 16000
FRAME_MS = 10  # PocketSphinx's frame rate is 100 per second
INSTALL_HINT = "voice commands need PocketSphinx: pip install 'posecoach[voice-control]'"


class SpeechUnavailable(RuntimeError):
    """The speech engine is not installed or cannot start; str() is the one-line notice."""


@dataclass(frozen=True)
class Keyword:
    """A spoken `word` that gives `command`, firing when its score beats the phone loop by
    `threshold` (a likelihood ratio: 1e-10 is strict, 1e-40 lenient)."""
    word: str
    command: str
    threshold: float


# Tuned on the dev split (benchmarks/voice_commands.py --tune); see docs/voice-commands.md.
DEFAULT_KEYWORDS: tuple[Keyword, ...] = (
    Keyword("pause", "pause", 1e-20),
    Keyword("resume", "resume", 1e-20),
    Keyword("next", "next", 1e-20),
    Keyword("stop", "stop", 1e-20),
    Keyword("ouch", "pain", 1e-20),
    Keyword("pain", "pain", 1e-20),
)


def load_engine():
    """The pocketsphinx module, or SpeechUnavailable with the install hint."""
    try:
        import pocketsphinx
    except ImportError:
        raise SpeechUnavailable(INSTALL_HINT) from None
    return pocketsphinx


@dataclass(frozen=True)
class Detection:
    """One raw keyword hit: audio times in ms, and the engine's log score (higher = surer)."""
    word: str
    start_ms: int
    end_ms: int
    score: int


class KeywordSpotter:
    """Streams 16 kHz mono int16 audio through one PocketSphinx keyphrase search.

    feed(samples, t_ms) -> commands found so far; reset() after a gap in the audio (e.g. while the
    coach spoke). A command repeated within `refractory_ms` ("ouch, ouch") is reported once.
    `detections` keeps every raw hit (benchmarks).
    """

    def __init__(self, keywords: Iterable[Keyword] = DEFAULT_KEYWORDS, refractory_ms: int = 1500) -> None:
        self.keywords = {k.word: k for k in keywords}
        if not self.keywords:
            raise ValueError("no keywords to spot")
        self.refractory_ms = refractory_ms
        self.detections: list[Detection] = []
        self._decoder = self._make_decoder(load_engine())
        self._utt_t0: int | None = None  # stream ms of the current utterance's first sample
        self._utt_ms = 0  # audio fed into the current utterance
        self._last: dict[str, int] = {}

    def _make_decoder(self, ps):
        fd, path = tempfile.mkstemp(suffix=".kws", text=True)
        try:
            with os.fdopen(fd, "w") as f:
                for k in self.keywords.values():
                    f.write(f"{k.word} /{k.threshold:g}/\n")
            try:
                return ps.Decoder(kws=path, lm=None, loglevel="FATAL")
            except (RuntimeError, ValueError) as e:
                raise SpeechUnavailable(f"the speech engine could not start: {e}") from None
        finally:
            os.unlink(path)

    def feed(self, samples: np.ndarray, t_ms: int) -> list[Command]:
        """Process one chunk whose first sample is at stream time `t_ms`; returns new commands."""
        if samples.dtype != np.int16:
            raise TypeError("samples must be int16 mono at 16 kHz")
        if self._utt_t0 is None or t_ms > self._utt_t0 + self._utt_ms + 50:  # a gap: start afresh
            self.reset()
            self._decoder.start_utt()
            self._utt_t0, self._utt_ms = t_ms, 0
        self._decoder.process_raw(samples.tobytes(), False, False)
        self._utt_ms += len(samples) * 1000 // RATE
        if self._decoder.hyp() is None:
            return []
        hits = [Detection(s.word.strip(), self._utt_t0 + s.start_frame * FRAME_MS,
                          self._utt_t0 + (s.end_frame + 1) * FRAME_MS, s.prob) for s in self._decoder.seg()]
        # Start a new utterance right after the hit so the next word is spotted on its own.
        self._decoder.end_utt()
        self._decoder.start_utt()
        self._utt_t0, self._utt_ms = t_ms + len(samples) * 1000 // RATE, 0
        return self._commands(hits)

    def _commands(self, hits: list[Detection]) -> list[Command]:
        """Overlapping hits are one spoken word: keep the best-scoring; then drop repeats."""
        hits = [h for h in hits if h.word in self.keywords]
        self.detections += hits
        kept: list[Detection] = []
        for h in sorted(hits, key=lambda h: -h.score):
            if all(min(h.end_ms, k.end_ms) - max(h.start_ms, k.start_ms) <= 0 for k in kept):
                kept.append(h)
        out = []
        for h in sorted(kept, key=lambda h: h.end_ms):
            command = self.keywords[h.word].command
            if h.end_ms - self._last.get(command, -10**9) < self.refractory_ms:
                continue
            self._last[command] = h.end_ms
            out.append(Command(h.end_ms, command, "voice"))
        return out

    def reset(self) -> None:
        """Forget the audio so far (call across a gap); the next feed starts a new utterance."""
        if self._utt_t0 is not None:
            self._decoder.end_utt()
        self._utt_t0 = None
