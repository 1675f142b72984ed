"""Cut streaming audio into utterances: stretches of speech between pauses.

A spoken command is said on its own: a short utterance (a word or two, 0.15-1.6 s) with quiet
before and after it. Finding that shape first, with a voice-activity detector (activity.py),
and only then asking the recogniser which word it was, rejects command-like sounds inside running
speech without a keyword spotter's hair trigger. Time is passed in (t_ms of each chunk's first
sample); no clock is read.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecoach.control.activity import RATE, VoiceActivity


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech. `start_ms`/`end_ms`: stream times of its first and last speech
    window; `quiet_before_ms`: heard non-speech before it (capped at the segmenter's memory; 0
    when the time just before was not heard, e.g. muted while the coach spoke); `quiet_after_ms`:
    non-speech heard after it when it was closed. `samples`: int16 audio from `t0_ms`, padded
    around the speech; empty for utterances too long to be a command. `noise`: int16 audio of the
    quiet just before the padding (up to the rules' `noise_ms`; empty when none was heard), a
    sample of the room's noise for denoise.py."""
    start_ms: int
    end_ms: int
    quiet_before_ms: int
    quiet_after_ms: int
    t0_ms: int
    samples: np.ndarray
    noise: np.ndarray

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class SegmentRules:
    """Hysteresis on the speech probability (`on` starts speech, below `off` counts as quiet),
    `close_ms` of quiet ends an utterance (the latency floor), blips shorter than `min_ms` are
    ignored (knocks, clicks), audio of utterances longer than `max_ms` is not kept, `pad_ms` of
    audio is kept on each side for the recogniser and up to `noise_ms` of the quiet before that
    as a noise sample."""
    on: float = 0.5
    off: float = 0.35
    close_ms: int = 300
    min_ms: int = 100
    max_ms: int = 1600
    pad_ms: int = 150
    noise_ms: int = 250


class UtteranceSegmenter:
    """feed(samples, t_ms) -> utterances that ended in this chunk. A jump forward in t_ms (audio
    that was not heard) ends any open utterance unheard and marks the quiet before the next one
    as unknown (0)."""

    def __init__(self, activity: VoiceActivity, rules: SegmentRules = SegmentRules(), memory_ms: int = 5000) -> None:
        self.activity, self.rules = activity, rules
        self.memory_ms = memory_ms
        self._win_ms = activity.window * 1000 / RATE
        self._buf = np.zeros(0, np.int16)
        self._buf_t0 = 0.0  # stream ms of _buf[0]
        self._next_ms: float | None = None  # stream ms where the next fed sample is expected
        self._gap = False  # reset() was called: the next chunk follows unheard audio
        self._rest = np.zeros(0, np.float32)  # samples not yet in a full VAD window
        self._win_t = 0.0  # stream ms of the next VAD window's first sample
        self._quiet_since: float = 0.0  # stream ms since which no speech was heard
        self._start: float | None = None  # open utterance's first speech window
        self._last_speech = 0.0  # end of the last speech window of the open utterance
        self.probs: list[tuple[float, float]] = []  # (t_ms, prob) when keep_probs (benchmarks)
        self.keep_probs = False

    def feed(self, samples: np.ndarray, t_ms: int) -> list[Utterance]:
        if self._next_ms is None or abs(t_ms - self._next_ms) > 50:
            self._restart(t_ms, fresh=self._next_ms is None and not self._gap)
        self._next_ms = t_ms + len(samples) * 1000 / RATE
        self._buf = np.concatenate([self._buf, samples])
        x = np.concatenate([self._rest, samples.astype(np.float32) / 32768.0])
        n = self.activity.window
        out: list[Utterance] = []
        k = 0
        while k + n <= len(x):
            p = self.activity.prob(x[k:k + n])
            if self.keep_probs:
                self.probs.append((self._win_t, p))
            u = self._step(p, self._win_t)
            if u is not None:
                out.append(u)
            self._win_t += self._win_ms
            k += n
        self._rest = x[k:]
        self._trim()
        return out

    def reset(self) -> None:
        """The audio until now is forgotten and the next chunk follows an unheard gap."""
        self._next_ms, self._gap = None, True

    def _restart(self, t_ms: int, fresh: bool) -> None:
        """A fresh stream (nothing came before it: its start counts as quiet) or the audio after
        a gap (what came before was not heard)."""
        self._gap = False
        self.activity.reset()
        self._buf, self._buf_t0 = np.zeros(0, np.int16), float(t_ms)
        self._rest, self._win_t = np.zeros(0, np.float32), float(t_ms)
        self._start = None
        self._quiet_since = float(t_ms) - (self.memory_ms if fresh else 0)

    def _step(self, p: float, t: float) -> Utterance | None:
        r = self.rules
        if self._start is None:
            if p >= r.on:
                self._start, self._last_speech = t, t + self._win_ms
            return None
        if p >= r.off:
            self._last_speech = t + self._win_ms
            return None
        if t + self._win_ms - self._last_speech < r.close_ms:
            return None
        start, end = self._start, self._last_speech
        self._start = None
        if end - start < r.min_ms:
            return None  # a click or knock: neither an utterance nor the end of the quiet
        quiet_before = min(start - self._quiet_since, self.memory_ms)
        self._quiet_since = end
        keep = end - start <= r.max_ms
        a = max(start - r.pad_ms, self._buf_t0)
        n0 = max(a - min(r.noise_ms, max(quiet_before - r.pad_ms, 0)), self._buf_t0)
        i, j = self._index(a), self._index(end + r.pad_ms)
        empty = np.zeros(0, np.int16)
        return Utterance(int(start), int(end), int(max(quiet_before, 0)), int(t + self._win_ms - end), int(a),
                         self._buf[i:j].copy() if keep else empty, self._buf[self._index(n0):i].copy() if keep else empty)

    def _index(self, t_ms: float) -> int:
        return max(int((t_ms - self._buf_t0) * RATE / 1000), 0)

    def _trim(self) -> None:
        """Keep only the audio an open or the next utterance can need."""
        r = self.rules
        need = (self._start if self._start is not None else self._win_t) - r.pad_ms - r.noise_ms
        need = max(need, self._win_t - r.max_ms - 2 * r.pad_ms - r.noise_ms - 1000)
        drop = int((need - self._buf_t0) * RATE / 1000)
        if drop > RATE:
            self._buf, self._buf_t0 = self._buf[drop:], self._buf_t0 + drop * 1000 / RATE
