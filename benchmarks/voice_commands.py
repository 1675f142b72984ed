"""Spoken-command benchmark: recall, false triggers per hour, latency and CPU of the keyword spotter.

The corpus comes from benchmarks/voice_corpus.py (dev / heldout / espeak splits, see its
docstring). Three steps:

    python -m benchmarks.voice_commands collect --corpus DIR   # every raw hit at a lenient threshold
    python -m benchmarks.voice_commands tune --corpus DIR      # per-word thresholds from dev only
    python -m benchmarks.voice_commands evaluate --corpus DIR  # the real streaming spotter, all splits

`tune` reads only the dev split. `evaluate` runs posecoach.control.speech.KeywordSpotter exactly as
the product does (100 ms chunks, reset after a hit), with DEFAULT_KEYWORDS unless --thresholds
FILE (written by tune) is given, and prints the tables for dev, heldout (voices never tuned on)
and eSpeak. Coach echo is measured with the guard off and on (SpanGuard over the spans the coach
spoke, tail 0 and 400 ms).
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voice_texts import COMMAND_WORDS  # noqa: E402
from posecoach.control.listener import SpanGuard  # noqa: E402
from posecoach.control.microphone import AudioChunk, load_wav_16k  # noqa: E402
from posecoach.control.speech import (DEFAULT_KEYWORDS, FRAME_MS, Isolation, Keyword, KeywordSpotter,  # noqa: E402
                                      SpeechFlags, load_engine)

CHUNK = 1600  # samples: 100 ms
KWS_MAX = 1500  # PocketSphinx reports prob = score margin - KWS_MAX
GRID = [10.0 ** -e for e in range(5, 55, 5)]
WORD_COMMAND = {"ouch": "pain_stop", "pain": "pain_stop", "next": "move_on", "stop": "end"}  # word -> command
EARLY_MS, LATE_MS = 150, 800  # a hit counts for a spoken event if it ends within [start-150, end+800]


def units(threshold: float) -> int:
    """A threshold as PocketSphinx's integer score margin (log base 1.0001, >> 10)."""
    return math.floor(math.log(threshold) / math.log(1.0001)) >> 10


def command_of(word: str) -> str:
    return WORD_COMMAND.get(word, word)


def load_manifest(corpus: Path, split: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((corpus / split).glob("*.json"))]


# -- collect -------------------------------------------------------------------------------------
def collect_file(args: tuple[str, str]) -> dict:
    """All hits of every candidate word at 1e-50 over one file, no resets, as [word, start_ms,
    end_ms, margin] (margin: the score over the phone loop in PocketSphinx's threshold units),
    and the VAD's speech flags per 30 ms frame for each VAD mode tried."""
    corpus, rel = args
    ps = load_engine()
    d = ps.Decoder(kws=str(Path(corpus) / "collect.kws"), lm=None, loglevel="FATAL")
    x = load_wav_16k(Path(corpus) / rel)
    d.start_utt()
    for i in range(0, len(x), CHUNK):
        d.process_raw(x[i:i + CHUNK].tobytes(), False, False)
    d.end_utt()
    hits = [[s.word.strip(), s.start_frame * FRAME_MS, (s.end_frame + 1) * FRAME_MS,
             round(math.log(s.prob) / math.log(1.0001)) + KWS_MAX] for s in d.seg()]
    flags = {}
    for mode in VAD_MODES:
        f = SpeechFlags(ps.Vad(mode), keep_ms=10**9)
        f.add(x)
        flags[mode] = "".join("1" if v else "0" for v in f.flags)
    return {"hits": hits, "flags": flags}


def collect(corpus: Path, splits: list[str]) -> None:
    (corpus / "collect.kws").write_text("".join(f"{w} /1e-50/\n" for w in COMMAND_WORDS))
    for split in splits:
        files = load_manifest(corpus, split)
        with Pool(2) as pool:
            res = pool.map(collect_file, [(str(corpus), f["path"]) for f in files])
        (corpus / f"hits_{split}.json").write_text(json.dumps({f["path"]: r for f, r in zip(files, res)}))
        print(split, len(files), "files,", sum(len(r["hits"]) for r in res), "raw hits")


# -- tune ----------------------------------------------------------------------------------------
def matches(hit_end: int, ev: dict) -> bool:
    return ev["start_ms"] - EARLY_MS <= hit_end <= ev["end_ms"] + LATE_MS


class Flags(SpeechFlags):
    """Stored VAD flags of a whole file, measured like the spotter's."""

    def __init__(self, bits: str) -> None:  # noqa: D107 (no VAD needed: the flags are stored)
        self.frame_ms, self.t0_ms, self.flags = 30.0, 0.0, [b == "1" for b in bits]
        self.unheard_is_speech = False


def isolated(h: list, flags: Flags, iso: Isolation | None) -> bool:
    if iso is None:
        return True
    pre = flags.fraction(h[1] - iso.pre_ms[0], h[1] - iso.pre_ms[1])
    post = flags.fraction(h[2] + iso.post_ms[0], h[2] + iso.post_ms[1])
    return pre <= iso.max_speech and post <= iso.max_speech


def sweep(files: list[dict], hits: dict[str, dict], word: str, iso: Isolation | None) -> list[tuple[int, int, int, float]]:
    """Per GRID threshold: (events found, events, false hits, hours) for one word; coach files are
    left out (the guard handles the coach's own voice)."""
    out = []
    for t in GRID:
        u, found, total, false, seconds = units(t), 0, 0, 0, 0.0
        for f in files:
            if f["kind"] == "coach":
                continue
            seconds += f["seconds"]
            r = hits[f["path"]]
            flags = Flags(r["flags"][str(iso.vad_mode if iso else 2)])
            kept = [h for h in r["hits"] if h[0] == word and h[3] >= u and isolated(h, flags, iso)]
            events = [e for e in f.get("events", []) if e["word"] == word]
            total += len(events)
            found += sum(any(matches(h[2], e) for h in kept) for e in events)
            false += len(merge([h for h in kept if not any(matches(h[2], e) for e in events)]))
        out.append((found, total, false, seconds / 3600))
    return out


def merge(hits: list[list]) -> list[list]:
    """Hits closer than the refractory time are one trigger (as the spotter reports them)."""
    out: list[list] = []
    for h in sorted(hits, key=lambda h: h[2]):
        if not out or h[2] - out[-1][2] >= 1500:
            out.append(h)
    return out


ISOLATIONS = {
    "none": None,
    "A": Isolation(pre_ms=(500, 150), post_ms=(100, 350), max_speech=0.35, vad_mode=2),
    "B": Isolation(pre_ms=(600, 200), post_ms=(300, 600), max_speech=0.5, vad_mode=2),
    "C": Isolation(pre_ms=(600, 200), post_ms=(250, 500), max_speech=0.35, vad_mode=3),
    "D": Isolation(pre_ms=(600, 200), post_ms=(300, 600), max_speech=0.5, vad_mode=3),
}
VAD_MODES = sorted({i.vad_mode for i in ISOLATIONS.values() if i is not None})


def tune(corpus: Path, budget: dict[str, int], out: Path) -> None:
    """Per isolation setting and word: the most lenient threshold whose false hits on dev stay
    within the budget; prints the sweep and writes the choice for every setting."""
    files = load_manifest(corpus, "dev")
    hits = json.loads((corpus / "hits_dev.json").read_text())
    chosen: dict[str, dict] = {}
    for name, iso in ISOLATIONS.items():
        print(f"\ndev sweep, isolation {name} {iso}: recall % / false triggers per hour, by threshold")
        print("word    " + " ".join(f"{t:>10.0e}" for t in GRID))
        chosen[name] = {}
        for w in COMMAND_WORDS:
            rows = sweep(files, hits, w, iso)
            print(f"{w:8s}" + " ".join(f"{100 * f / max(n, 1):4.0f}/{x / h:5.1f}" for f, n, x, h in rows))
            ok = [(t, f) for t, (f, n, x, h) in zip(GRID, rows) if x <= budget.get(w, 1)]
            t, f = max(ok, key=lambda tf: (tf[1], -tf[0])) if ok else (GRID[0], 0)
            chosen[name][w] = {"threshold": t, "recall": f / max(rows[0][1], 1)}
        print("chosen:", {w: f"{c['threshold']:.0e} ({100 * c['recall']:.0f}%)" for w, c in chosen[name].items()})
    out.write_text(json.dumps(chosen, indent=1))


# -- evaluate ------------------------------------------------------------------------------------
def run_file(args: tuple[str, dict, list[tuple[str, float]], int | None, str]) -> dict:
    """The product's streaming spotter over one file; optionally guarded by the coach's spans."""
    corpus, f, kw, tail, iso = args
    spotter = KeywordSpotter([Keyword(w, command_of(w), t) for w, t in kw], isolation=ISOLATIONS[iso])
    guard = SpanGuard([tuple(s) for s in f.get("speaking", [])], tail_ms=tail) if tail is not None else None
    x = load_wav_16k(Path(corpus) / f["path"])
    out, busy = [], 0.0
    for i in range(0, len(x), CHUNK):
        chunk = AudioChunk(x[i:i + CHUNK], i * 1000 // 16000)
        if guard is not None and guard.muted(chunk):
            continue
        t = time.process_time()
        found = spotter.feed(chunk.samples, chunk.t_ms)
        busy += time.process_time() - t
        out += [[c.t_ms, c.command, chunk.end_ms] for c in found]
    return {"commands": out, "busy": busy, "seconds": len(x) / 16000}


def score(files: list[dict], runs: list[dict], commands: set[str]) -> tuple[list[dict], list[int], int]:
    """Per spoken event: found or not (+latency); the false commands' count."""
    rows, latencies, false = [], [], 0
    for f, r in zip(files, runs):
        events = [dict(e, command=command_of(e["word"])) for e in f.get("events", [])]
        used = set()
        for e in events:
            if e["command"] not in commands:
                continue
            hit = next((c for c in r["commands"] if c[1] == e["command"] and matches(c[0], e)), None)
            rows.append({**e, "voice": f.get("voice"), "pitch": f.get("pitch"), "snr": f.get("snr"),
                         "reverb": f.get("reverb"), "found": hit is not None})
            if hit is not None:
                used.add(id(hit))
                if e["alone"]:
                    latencies.append(hit[2] - e["end_ms"])
        false += sum(id(c) not in used for c in r["commands"])
    return rows, latencies, false


def table(rows: list[dict], key: str, title: str) -> None:
    groups: dict[object, list[bool]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r["found"])
    cells = ", ".join(f"{k if k is not None else 'clean'}: {100 * sum(v) / len(v):.0f}% ({len(v)})"
                      for k, v in sorted(groups.items(), key=lambda kv: str(kv[0])))
    print(f"  recall by {title}: {cells}")


def evaluate(corpus: Path, splits: list[str], kw: list[tuple[str, float]], iso: str, kinds: set[str]) -> None:
    commands = {command_of(w) for w, _ in kw}
    print("keywords:", ", ".join(f"{w}->{command_of(w)} {t:.0e}" for w, t in kw), "| isolation", iso, ISOLATIONS[iso])
    for split in splits:
        files = [f for f in load_manifest(corpus, split) if f["kind"] in kinds]
        if not files:
            continue
        with Pool(2) as pool:
            runs = pool.map(run_file, [(str(corpus), f, kw, None, iso) for f in files])
            coach = [f for f in files if f["kind"] == "coach"]
            guarded = {tail: pool.map(run_file, [(str(corpus), f, kw, tail, iso) for f in coach]) for tail in (0, 400, 1000)}
        print(f"\n== {split}: {len(files)} files, {sum(r['seconds'] for r in runs) / 60:.1f} min")
        cmd = [(f, r) for f, r in zip(files, runs) if f["kind"] == "commands"]
        rows, lat, false_in_cmd = score([f for f, _ in cmd], [r for _, r in cmd], commands)
        n = len(rows)
        print(f"  recall: {sum(r['found'] for r in rows)}/{n} = {100 * sum(r['found'] for r in rows) / max(n, 1):.1f}%")
        for key, title in (("command", "command"), ("word", "word"), ("voice", "voice"), ("pitch", "pitch (cents)"),
                           ("tempo", "tempo"), ("snr", "SNR (dB)"), ("reverb", "reverb"), ("alone", "word alone")):
            table(rows, key, title)
        if lat:
            q = np.percentile(lat, [50, 90, 100])
            print(f"  latency word end -> command (audio ms, 100 ms chunks): median {q[0]:.0f}, p90 {q[1]:.0f}, max {q[2]:.0f}")
        hours_cmd = sum(r["seconds"] for _, r in cmd) / 3600
        print(f"  false commands in the command sessions (speech between commands): {false_in_cmd} "
              f"= {false_in_cmd / max(hours_cmd, 1e-9):.1f}/h over {60 * hours_cmd:.1f} min")
        for kind in ("other", "silence", "coach"):
            sel = [(f, r) for f, r in zip(files, runs) if f["kind"] == kind]
            if not sel:
                continue
            hours = sum(r["seconds"] for _, r in sel) / 3600
            what = defaultdict(int)
            for _, r in sel:
                for c in r["commands"]:
                    what[c[1]] += 1
            n_false = sum(what.values())
            label = {"other": "other speech + room noise", "silence": "silence / room noise",
                     "coach": "coach echo, guard OFF"}[kind]
            print(f"  false commands, {label}: {n_false} in {60 * hours:.1f} min = {n_false / hours:.1f}/h {dict(what)}")
        if coach:
            hours = sum(r["seconds"] for r in guarded[0]) / 3600
            for tail, rs in guarded.items():
                n_false = sum(len(r["commands"]) for r in rs)
                print(f"  false commands, coach echo, guard ON (tail {tail} ms): {n_false} = {n_false / hours:.1f}/h")
        busy, secs = sum(r["busy"] for r in runs), sum(r["seconds"] for r in runs)
        print(f"  CPU: {busy:.1f} s for {secs / 60:.1f} min of audio = real-time factor {busy / secs:.3f} (one core)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["collect", "tune", "evaluate"])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--splits", default="dev,heldout,espeak")
    ap.add_argument("--thresholds", type=Path, help="JSON written by tune (default: DEFAULT_KEYWORDS)")
    ap.add_argument("--isolation", default="B", choices=sorted(ISOLATIONS))
    ap.add_argument("--kinds", default="commands,other,coach,silence", help="which files to run")
    ap.add_argument("--words", help="comma list of words to evaluate (default: all in the thresholds)")
    a = ap.parse_args()
    splits = a.splits.split(",")
    if a.step == "collect":
        collect(a.corpus, splits)
    elif a.step == "tune":
        budget = {w: 2 for w in COMMAND_WORDS}  # false triggers on ~32 min of dev audio: ~3.7 per hour
        tune(a.corpus, budget, a.thresholds or a.corpus / "thresholds.json")
    else:
        kw = ([(w, c["threshold"]) for w, c in json.loads(a.thresholds.read_text())[a.isolation].items()]
              if a.thresholds else [(k.word, k.threshold) for k in DEFAULT_KEYWORDS])
        if a.words:
            kw = [(w, t) for w, t in kw if w in a.words.split(",")]
        evaluate(a.corpus, splits, kw, a.isolation, set(a.kinds.split(",")))


if __name__ == "__main__":
    main()
