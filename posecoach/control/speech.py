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
from typing import Any

import numpy as np

from posecoach.control.commands import END, MOVE_ON, PAIN_STOP, PAUSE, RESUME, Command

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


# Tuned on the dev split only (benchmarks/voice_commands.py tune, isolation C): per word the most
# lenient threshold with <= 2 false triggers in 32 min of dev audio. "pause" has no threshold
# within that budget (1e-5: 19% recall); it is set to 1e-15 (dev: 27% recall, 3 false pauses in
# 14 min of other speech and silence, 18 in 22 min of command sessions) because a pause that never
# fires is useless. "pain" fires on room noise (>= 13/h at any threshold) so the pain word is
# "ouch". See docs/voice-commands.md.
DEFAULT_KEYWORDS: tuple[Keyword, ...] = (
    Keyword("pause", PAUSE, 1e-15),
    Keyword("resume", RESUME, 1e-20),
    Keyword("next", MOVE_ON, 1e-25),
    Keyword("stop", END, 1e-10),
    Keyword("ouch", PAIN_STOP, 1e-5),
)


def load_engine() -> Any:
    """The pocketsphinx module, or SpeechUnavailable with the install hint."""
    try:
        import pocketsphinx
    except ImportError:
        raise SpeechUnavailable(INSTALL_HINT) from None
    return pocketsphinx


@dataclass(frozen=True)
class Detection:
    """One raw keyword hit: audio times in ms, the engine's score, and how much of the audio just
    before and just after the word the voice-activity detector called speech (0..1)."""
    word: str
    start_ms: int
    end_ms: int
    score: float
    pre: float = 0.0
    post: float = 0.0


@dataclass(frozen=True)
class Isolation:
    """A command is a word said on its own: the `pre_ms` before its start and the `post_ms` after
    its end must be mostly non-speech (speech fraction <= max_speech). This rejects command-like
    sounds inside running speech, where single-syllable keywords ("pain", "next") fire often.
    Costs `post_ms` of latency. `vad_mode` is the WebRTC-style VAD's aggressiveness (0-3)."""
    pre_ms: tuple[int, int] = (600, 200)
    post_ms: tuple[int, int] = (250, 500)
    max_speech: float = 0.35
    vad_mode: int = 3


class SpeechFlags:
    """Voice-activity flags per VAD frame over a rolling window of stream time."""

    def __init__(self, vad: Any, keep_ms: int = 10000) -> None:
        self.vad = vad
        self.frame_ms = vad.frame_length * 1000.0
        self.n = vad.frame_bytes // 2
        self.keep = int(keep_ms / self.frame_ms)
        self.flags: list[bool] = []
        self.t0_ms = 0.0  # stream time of flags[0]
        self.unheard_is_speech = False
        self._rest = np.zeros(0, np.int16)

    def restart(self, t_ms: int, after_gap: bool) -> None:
        self.flags, self.t0_ms, self._rest = [], float(t_ms), np.zeros(0, np.int16)
        self.unheard_is_speech = after_gap

    def add(self, samples: np.ndarray) -> None:
        x = np.concatenate([self._rest, samples])
        k = len(x) // self.n * self.n
        self.flags += [self.vad.is_speech(x[i:i + self.n].tobytes()) for i in range(0, k, self.n)]
        self._rest = x[k:]
        if len(self.flags) > 2 * self.keep:
            drop = len(self.flags) - self.keep
            self.flags, self.t0_ms = self.flags[drop:], self.t0_ms + drop * self.frame_ms

    @property
    def end_ms(self) -> float:
        return self.t0_ms + len(self.flags) * self.frame_ms

    def fraction(self, a_ms: float, b_ms: float) -> float:
        """Share of speech frames in [a, b) ms. Time before the flags start counts as silence at the
        start of the stream, but as speech after a muted gap (the coach was speaking): a word right
        after unheard audio is not known to stand on its own."""
        i = int(np.floor((a_ms - self.t0_ms) / self.frame_ms))
        j = int(np.ceil((b_ms - self.t0_ms) / self.frame_ms))
        span = self.flags[max(i, 0):max(j, 0)]
        unheard = max(0, min(j, 0) - i) if self.unheard_is_speech else 0
        return (sum(span) + unheard) / max(j - i, 1)


class KeywordSpotter:
    """Streams 16 kHz mono int16 audio through one PocketSphinx keyphrase search.

    feed(samples, t_ms) -> commands confirmed so far. A hit is confirmed once the audio has run
    `isolation.post_ms` past the word and the word was said on its own (isolation=None: at once,
    as the engine reports it). A command repeated within `refractory_ms` ("ouch, ouch") counts
    once. `detections` keeps every raw hit with its isolation measures (benchmarks). A gap in the
    stream times (muted audio) starts a fresh utterance.
    """

    def __init__(self, keywords: Iterable[Keyword] = DEFAULT_KEYWORDS, isolation: Isolation | None = Isolation(),
                 refractory_ms: int = 1500) -> None:
        self.keywords = {k.word: k for k in keywords}
        if not self.keywords:
            raise ValueError("no keywords to spot")
        self.isolation, self.refractory_ms = isolation, refractory_ms
        self.detections: list[Detection] = []
        ps = load_engine()
        self._decoder = self._make_decoder(ps)
        self._flags = SpeechFlags(ps.Vad(isolation.vad_mode if isolation else 2))
        self._utt_t0: int | None = None  # stream ms of the current utterance's first sample
        self._utt_ms = 0  # audio fed into the current utterance
        self._heard = False  # any audio fed yet (a later restart follows a gap)
        self._seen: set[tuple[str, int]] = set()
        self._pending: list[Detection] = []
        self._last: dict[str, int] = {}

    def _make_decoder(self, ps: Any) -> Any:
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
            self._restart(t_ms)
        elif self._utt_ms > 20000 and not self._pending and self._flags.fraction(t_ms - 300, t_ms) == 0:
            self._restart(t_ms)  # keep utterances short, cutting only in a pause
        self._decoder.process_raw(samples.tobytes(), False, False)
        self._flags.add(samples)
        self._utt_ms += len(samples) * 1000 // RATE
        if self._decoder.hyp() is not None:
            for s in self._decoder.seg():
                key = (s.word.strip(), s.start_frame)
                if key[0] in self.keywords and key not in self._seen:
                    self._seen.add(key)
                    self._pending.append(Detection(key[0], self._utt_t0 + s.start_frame * FRAME_MS,
                                                   self._utt_t0 + (s.end_frame + 1) * FRAME_MS, s.prob))
        return self._confirm(t_ms + len(samples) * 1000 // RATE)

    def _restart(self, t_ms: int) -> None:
        if self._utt_t0 is not None:
            self._decoder.end_utt()
        self._decoder.start_utt()
        self._utt_t0, self._utt_ms, self._seen = t_ms, 0, set()
        if self._flags.end_ms != t_ms:
            self._flags.restart(t_ms, after_gap=self._heard)
        self._heard = True

    def _confirm(self, now_ms: int) -> list[Command]:
        """Pending hits whose post-word window has been heard: measure isolation, keep the best of
        overlapping hits (one spoken word), drop repeats."""
        wait = self.isolation.post_ms[1] if self.isolation else 0
        ready = [h for h in self._pending if h.end_ms + wait <= now_ms]
        if not ready:
            return []
        self._pending = [h for h in self._pending if h.end_ms + wait > now_ms]
        iso, f = self.isolation, self._flags
        if iso is not None:
            ready = [Detection(h.word, h.start_ms, h.end_ms, h.score,
                               f.fraction(h.start_ms - iso.pre_ms[0], h.start_ms - iso.pre_ms[1]),
                               f.fraction(h.end_ms + iso.post_ms[0], h.end_ms + iso.post_ms[1])) for h in ready]
        self.detections += ready
        if iso is not None:
            ready = [h for h in ready if h.pre <= iso.max_speech and h.post <= iso.max_speech]
        kept: list[Detection] = []
        for h in sorted(ready, key=lambda h: -h.score):
            if all(min(h.end_ms, k.end_ms) <= max(h.start_ms, k.start_ms) for k in kept):
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
        """Forget the audio so far (e.g. before a gap); the next feed starts a new utterance."""
        self._pending = []
        if self._utt_t0 is not None:
            self._decoder.end_utt()
        self._utt_t0 = None
