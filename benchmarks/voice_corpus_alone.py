"""A second spoken-command corpus: every candidate said on its own, short non-command utterances,
and more long negatives (development time only; same tools as benchmarks/voice_corpus.py).

    /work/data/issue13-kws/piper-venv/bin/python benchmarks/voice_corpus_alone.py --out DIR [--splits dev,heldout]

Kinds of file (16 kHz mono WAV + a sidecar .json like voice_corpus.py's):
- `alone`: each of ALONE_CANDIDATES (single words, "it hurts", "switch sides"...) once, said on its
  own the way the setup tells people to (2.5-4 s of room between them, a third of the gaps
  holding an everyday sentence in the same voice that ends >= 1.2 s before the next command);
  per file one voice, pitch, SNR and reverb as in the first corpus; per utterance a tempo.
- `short`: 2 min of short everyday utterances that are not commands ("okay", "hang on",
  "post"...), 1.5-4 s apart: the hardest negatives for a detector of short words said alone.
  The dev and held-out lists differ (voice_texts.SHORT_NEGATIVES).
- `other`, `silence`: more of the first corpus's kinds (new seeds).
The seeds differ from the first corpus, so none of this audio repeats it.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voice_corpus import (JOE_PITCHES, PITCHES, ROOT, SNRS, SPLITS, SR, TEMPOS, Renderer,  # noqa: E402
                                     compose, finish, room_noise, shift, speech_file, to_int16, write_wav)
from benchmarks.voice_texts import ALONE_CANDIDATES, SENTENCES, SHORT_NEGATIVES, doc_sentences  # noqa: E402

SEED_OFFSET = 500


def alone_file(render: Renderer, tmp: Path, voice: str, pitch: int, snr: float | None, rev: bool,
               rng: random.Random, nrng: np.random.Generator) -> tuple[np.ndarray, list[dict]]:
    words = list(ALONE_CANDIDATES)
    rng.shuffle(words)
    parts, events, at = [], [], int(SR * rng.uniform(0.8, 1.5))
    for w in words:
        tempo = rng.choice(TEMPOS)
        clip = shift(render(voice, w, rng), tmp, pitch, tempo)
        parts.append((at, clip))
        events.append({"word": w, "text": w, "alone": True, "tempo": tempo,
                       "start_ms": round(at * 1000 / SR), "end_ms": round((at + len(clip)) * 1000 / SR)})
        at += len(clip) + int(SR * rng.uniform(1.2, 2.0))
        if rng.random() < 1 / 3:
            s = shift(render(voice, rng.choice(SENTENCES), rng), tmp, pitch, rng.choice(TEMPOS))
            parts.append((at, s))
            at += len(s)
        at += int(SR * rng.uniform(1.2, 2.0))
    return finish(compose(parts, at + SR), snr, rev, tmp, nrng), events


def short_file(render: Renderer, tmp: Path, split: str, voices: list[str], rng: random.Random,
               nrng: np.random.Generator, snr: float | None, rev: bool) -> tuple[np.ndarray, list[list[int]]]:
    parts, spans, at = [], [], int(SR * 0.8)
    while at < 120 * SR:
        voice = rng.choice(voices)
        pitch = rng.choice(JOE_PITCHES if voice == "joe" else PITCHES)
        clip = shift(render(voice, rng.choice(SHORT_NEGATIVES[split]), rng), tmp, pitch, rng.choice(TEMPOS))
        parts.append((at, clip))
        spans.append([round(at * 1000 / SR), round((at + len(clip)) * 1000 / SR)])
        at += len(clip) + int(SR * rng.uniform(1.5, 4.0))
    return finish(compose(parts, at), snr, rev, tmp, nrng), spans


def plan(split: str, n_short: int, n_other: int, n_silence: int) -> list[dict]:
    cfg = SPLITS[split]
    rng = random.Random(cfg["seed"] + SEED_OFFSET)
    files, k = [], 0
    for voice in cfg["voices"]:
        for pitch in (JOE_PITCHES if voice == "joe" else PITCHES):
            for snr in ([None, 10.0] if k % 2 == 0 else [20.0, 5.0]):
                files.append({"path": f"{split}/alone_{voice}_p{pitch:+d}_snr{snr or 'clean'}.wav", "kind": "commands",
                              "voice": voice, "pitch": pitch, "snr": snr, "reverb": rng.random() < 0.5})
            k += 1
    files += [{"path": f"{split}/short_{i}.wav", "kind": "short", "snr": SNRS[i % 4], "reverb": rng.random() < 0.5}
              for i in range(n_short)]
    files += [{"path": f"{split}/other2_{i}.wav", "kind": "other", "snr": SNRS[i % 4], "reverb": rng.random() < 0.5}
              for i in range(n_other)]
    files += [{"path": f"{split}/silence2_{i}.wav", "kind": "silence"} for i in range(n_silence)]
    for f in files:
        f["split"] = split
    return files


def make_file(e: dict, out: Path, render: Renderer, tmp: Path) -> dict:
    cfg = SPLITS[e["split"]]
    seed = zlib.crc32(f"{cfg['seed'] + SEED_OFFSET}/{e['path']}".encode())
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    e = dict(e)
    if e["kind"] == "commands":
        x, e["events"] = alone_file(render, tmp, e["voice"], e["pitch"], e["snr"], e["reverb"], rng, nrng)
    elif e["kind"] == "short":
        x, e["spoken"] = short_file(render, tmp, e["split"], cfg["voices"], rng, nrng, e["snr"], e["reverb"])
    elif e["kind"] == "other":
        texts = SENTENCES + doc_sentences((ROOT / "README.md").read_text())
        x, _ = speech_file(render, tmp, cfg["voices"], texts, 120, rng,
                           lambda v: rng.choice(JOE_PITCHES if v == "joe" else PITCHES), (0.3, 1.5))
        x = finish(x, e["snr"], e["reverb"], tmp, nrng)
    else:
        level = [0.0005, 0.003, 0.01, 0.02][int(e["path"].rsplit("_", 1)[1].split(".")[0]) % 4]
        x = (room_noise(120 * SR, nrng) * level).astype(np.float32)
    e["seconds"] = len(x) / SR
    write_wav(out / e["path"], to_int16(x), SR)
    return e


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--splits", default="dev,heldout")
    ap.add_argument("--short", type=int, default=8, help="2-min files of short non-command utterances")
    ap.add_argument("--other", type=int, default=6, help="2-min files of other speech")
    ap.add_argument("--silence", type=int, default=4, help="2-min files of room noise")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        render = Renderer(tmp)
        for split in a.splits.split(","):
            (a.out / split).mkdir(parents=True, exist_ok=True)
            for entry in plan(split, a.short, a.other, a.silence):
                side = (a.out / entry["path"]).with_suffix(".json")
                try:  # claim the file, so several processes can share the work
                    os.close(os.open(side.with_suffix(".claim"), os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    continue
                side.write_text(json.dumps(make_file(entry, a.out, render, tmp)))
                print(entry["path"], flush=True)


if __name__ == "__main__":
    main()
