"""Which command word, if any, one short utterance is (the second half of the spotter).

Each utterance cut by segments.py is decoded twice by PocketSphinx (its US English acoustic model
and dictionary ship inside the PyPI wheel):

1. a grammar of exactly one word, said alone (silence around it allowed): the command words and
   a list of near-miss and everyday words ("post", "shop", "couch", "okay", "yes"...) that win
   when the utterance sounds more like them, and
2. a free phone loop (PocketSphinx's allphone search), the best any sequence of English sounds
   can do on the same audio.

`margin` = how much worse the one-word explanation scores than the free phone loop, per 10 ms
frame of the utterance (log base 1.0001 units, <= about 0). A real command word said alone is
explained almost as well by the word as by the phone loop; two words, a cough, a sentence
fragment or noise are not. Per-word thresholds on `margin` are tuned on dev data
(benchmarks/voice_commands.py).
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from posecoach.control.denoise import subtract_noise

LOG_BASE = math.log(1.0001)  # PocketSphinx's log base
# A fixed, faint noise floor (std 4 of 32768, about -78 dBFS) added before decoding: digital
# silence (exact zeros, as in clean recordings and some sound cards' muted inputs) gives the
# feature extraction log(0) frames; on dev clean words it cost 17 points of accuracy.
_FLOOR = np.round(np.random.default_rng(13).standard_normal(16000) * 4.0).astype(np.int16)

# Words that are not commands but compete with them in the grammar: near-misses of each command
# (no homophones: "paws" sounds exactly like "pause") and short everyday words and noises.
FILLER_WORDS: tuple[str, ...] = (
    "post", "pose", "cause", "boss", "pass", "text", "necks", "nest", "shop", "top", "stuff", "step",
    "spot", "presume", "assume", "zoom", "room", "out", "couch", "house", "how", "paint", "rain", "main",
    "plain", "star", "part", "heart", "which", "stitch", "yes", "no", "okay", "right", "good", "hello",
    "thanks", "hey", "what", "wait", "sorry", "hmm", "um", "oh", "ah", "well", "so", "go", "done", "help",
    "hurt", "it", "coach", "please",
)


@dataclass(frozen=True)
class Verdict:
    """The best command word for an utterance, its frames (10 ms) within the decoded audio,
    `margin`: (its path score - the phone loop's) / frames decoded, and `over_fillers`: (its path
    score - the best filler word's) / frames (> 0: the command word explains it better)."""
    word: str
    margin: float
    over_fillers: float
    start_frame: int
    end_frame: int
    frames: int


def _log(p: float) -> float:
    """A PocketSphinx probability (the Python API hands scores over as 1.0001**score) back to score."""
    return math.log(p) / LOG_BASE if p > 0 else -1e9


class WordJudge:
    """Decodes utterances against `words` (+ `fillers`) and a phone loop. `decoder_kw` go to
    pocketsphinx.Decoder (tests use the defaults: the wheel's en-us model and dictionary)."""

    def __init__(self, engine: Any, words: Iterable[str], fillers: Iterable[str] = FILLER_WORDS) -> None:
        self.words = tuple(dict.fromkeys(words))
        # lw 1 (instead of 6.5): grammar and phone-loop priors weigh little against the acoustics;
        # on dev isolated words it raised the best word's accuracy from 68% to 74%.
        d = engine.Decoder(lm=None, lw=1.0, loglevel="FATAL")
        vocab = [w for w in dict.fromkeys((*self.words, *fillers)) if self._add(d, w)]
        missing = [w for w in self.words if w not in vocab]
        if missing:
            raise ValueError(f"not in the pronunciation dictionary: {', '.join(missing)}")
        self._fillers = [w for w in vocab if w not in self.words]
        for name, alts in (("commands", self.words), ("fillers", self._fillers)):
            if alts:
                rule = " | ".join(w.replace(" ", "_") for w in alts)
                d.add_jsgf_string(name, f"#JSGF V1.0;\ngrammar {name};\npublic <w> = {rule} ;\n")
        d.add_allphone_file("phones", os.path.join(engine.get_model_path(), "en-us", "en-us-phone.lm.bin"))
        self._d = d

    @staticmethod
    def _add(d: Any, phrase: str) -> bool:
        """Make `phrase` one dictionary word ("it hurts" -> it_hurts, its words' sounds in a row:
        JSGF word sequences ended early here, a lone "that" being taken for "that hurts")."""
        if " " not in phrase:
            return d.lookup_word(phrase) is not None
        sounds = [d.lookup_word(w) for w in phrase.split()]
        if any(p is None for p in sounds):
            return False
        d.add_word(phrase.replace(" ", "_"), " ".join(sounds), True)
        return True

    def _decode(self, search: str, pcm: bytes) -> tuple[float, list[Any], str]:
        """(path score, segments, words) of the best path through `search`."""
        d = self._d
        d.activate_search(search)
        d.start_utt()
        d.process_raw(pcm, False, True)
        d.end_utt()
        hyp = d.hyp()
        if hyp is None:
            return -1e9, [], ""
        return _log(hyp.score), list(d.seg()), hyp.hypstr

    def judge(self, samples: np.ndarray, noise: np.ndarray | None = None, fillers: bool = True) -> Verdict | None:
        """The verdict on one utterance (int16, 16 kHz, a little silence on each side), or None
        when the grammar finds no word in it. `noise`: the room just before it, subtracted first.
        fillers=False skips the filler decode (over_fillers is then +inf)."""
        if noise is not None and len(noise):
            samples = subtract_noise(samples, noise)
        floor = _FLOOR[np.arange(len(samples)) % len(_FLOOR)].astype(np.int32)
        samples = np.clip(samples.astype(np.int32) + floor, -32768, 32767).astype(np.int16)
        pcm = np.ascontiguousarray(samples, dtype=np.int16).tobytes()
        s_cmd, segs, said_text = self._decode("commands", pcm)
        said = [s for s in segs if not s.word.startswith("<") and not s.word.startswith("[")]
        if not said:
            return None
        frames = max(self._d.n_frames(), 1)
        s_fill = self._decode("fillers", pcm)[0] if self._fillers and fillers else -math.inf
        s_phones = self._decode("phones", pcm)[0]
        word = " ".join(w.split("(")[0] for w in said_text.split()).replace("_", " ")
        if word not in self.words:
            return None  # a partial path: the search never reached the grammar's end
        return Verdict(word, (s_cmd - s_phones) / frames, (s_cmd - s_fill) / frames,
                       said[0].start_frame, said[-1].end_frame, frames)
