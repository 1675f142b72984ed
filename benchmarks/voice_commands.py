"""Spoken-command benchmark: recall, false commands per hour, latency and CPU of the spotter.

Corpora: benchmarks/voice_corpus.py (commands alone and in carriers, sentences, coach echo, room
noise) and benchmarks/voice_corpus_alone.py (every candidate said alone, short non-command
utterances, more negatives); splits dev (tuning), heldout (other voices, other seeds, other short
negatives) and espeak. Steps:

    python -m benchmarks.voice_commands features --corpus C1 --corpus C2 --work W   # judge every utterance
    python -m benchmarks.voice_commands tune --corpus C1 --corpus C2 --work W       # dev only: sweeps
    python -m benchmarks.voice_commands evaluate --corpus C1 --corpus C2 [--splits dev,heldout]

`features` runs the product's segmenter and judge over every file once (all candidate words in
the grammar) and stores each utterance's shape and scores; `tune` sweeps per-word thresholds and
the utterance-shape rules on those, reading only the dev split; `evaluate` runs the product's
streaming KeywordSpotter (100 ms chunks) with its shipped defaults (or --keywords) over whole
splits and prints the tables, coach echo with the guard off and on (SpanGuard, tails 0/400/1000).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voice_features import features  # noqa: E402
from benchmarks.voice_scoring import COMMAND_OF, load_files, overlaps, report  # noqa: E402
from benchmarks.voice_texts import ALONE_CANDIDATES  # noqa: E402
from posecoach.control.activity import SileroActivity, WebRtcActivity  # noqa: E402
from posecoach.control.listener import SpanGuard  # noqa: E402
from posecoach.control.microphone import AudioChunk, load_wav_16k  # noqa: E402
from posecoach.control.speech import DEFAULT_KEYWORDS, Isolation, Keyword, KeywordSpotter  # noqa: E402

CHUNK = 1600  # samples: 100 ms
THRESHOLDS = [x / 2 for x in range(-20, 21)]
SHAPES = {f"q{q}_m{m}_f{fl}": (q, m, fl) for q in (250, 400, 700) for m in (1000, 1400) for fl in (-99, 0, 1)}


# -- features ------------------------------------------------------------------------------------
def feature_path(work: Path, split: str, activity: str, close_ms: int) -> Path:
    return work / f"features_{split}_{activity}_c{close_ms}.jsonl"


def run_features(corpora: list[Path], work: Path, splits: list[str], activity: str, close_ms: int) -> None:
    work.mkdir(parents=True, exist_ok=True)
    for split in splits:
        files = load_files(corpora, split)
        jobs = [("/", f["wav"], activity, list(ALONE_CANDIDATES), close_ms) for f in files]
        with Pool(2) as pool:
            res = pool.map(features, jobs, chunksize=1)
        feature_path(work, split, activity, close_ms).write_text("".join(json.dumps(r) + "\n" for r in res))
        print(split, len(res), "files", flush=True)


# -- tune ----------------------------------------------------------------------------------------
def accepted(rows: list[list], vocab: dict[str, float], shape: tuple[int, int, float]) -> list[tuple[int, int, str, str]]:
    """(start, end, word, command) of the utterances a spotter with these thresholds would accept."""
    q, m, fl = shape
    out = []
    for s, e, qb, _, w, margin, over in rows:
        if w in vocab and 150 <= e - s <= m and qb >= q and margin >= vocab[w] and over >= fl:
            out.append((s, e, w, COMMAND_OF[w]))
    return out


def sweep_word(files: list[dict], feats: dict[str, list], word: str, shape: tuple[int, int, float]) -> list[tuple[int, int, int]]:
    """Per threshold: (alone events of `word` found, their number, false acceptances of `word`)
    over the dev files other than coach echo (the guard handles the coach)."""
    out = []
    for t in THRESHOLDS:
        found = total = false = 0
        for f in files:
            if f["kind"] == "coach":
                continue
            acc = accepted(feats[f["wav"]], {word: t}, shape)
            events = f.get("events", [])
            mine = [e for e in events if e["alone"] and e["word"] == word]
            total += len(mine)
            found += sum(any(overlaps(a[0], a[1], e) for a in acc) for e in mine)
            false += sum(not any(a[3] == COMMAND_OF[e["word"]] and overlaps(a[0], a[1], e) for e in events) for a in acc)
        out.append((found, total, false))
    return out


def tune(corpora: list[Path], work: Path, activity: str, close_ms: int, words: list[str], budget: int) -> None:
    files = load_files(corpora, "dev")
    feats = {}
    for line in feature_path(work, "dev", activity, close_ms).read_text().splitlines():
        r = json.loads(line)
        feats[r["path"]] = r["utterances"]
    hours = sum(f["seconds"] for f in files if f["kind"] != "coach") / 3600
    print(f"dev: {len(files)} files, {60 * hours:.0f} min without coach echo; activity {activity}, close {close_ms} ms")
    print("per shape: per word the most lenient threshold with <= budget false acceptances; recall of words said alone")
    best: dict[str, dict] = {}
    for name, shape in SHAPES.items():
        chosen = {}
        for w in words:
            rows = sweep_word(files, feats, w, shape)
            ok = [(t, f, n, x) for t, (f, n, x) in zip(THRESHOLDS, rows) if x <= budget]
            t, f, n, x = min(ok, key=lambda r: r[0]) if ok else (THRESHOLDS[-1], *rows[-1])
            chosen[w] = (t, f, n, x)
        mean = float(np.mean([c[1] / max(c[2], 1) for c in chosen.values()]))
        best[name] = {"shape": shape, "recall": mean, "words": chosen}
        print(f"{name:16s} mean {100 * mean:5.1f}%  " + "  ".join(f"{w} {c[0]:+.1f}:{100 * c[1] / max(c[2], 1):.0f}%/{c[3]}" for w, c in chosen.items()))
    top = max(best, key=lambda k: best[k]["recall"])
    print(f"\nbest shape {top}; sweep per word (recall % / false acceptances in {60 * hours:.0f} min):")
    print("word          " + " ".join(f"{t:>7.1f}" for t in THRESHOLDS[::2]))
    for w in words:
        rows = sweep_word(files, feats, w, best[top]["shape"])[::2]
        print(f"{w:13s} " + " ".join(f"{100 * f / max(n, 1):3.0f}/{x:<3d}" for f, n, x in rows))
    (work / f"tuned_{activity}_c{close_ms}.json").write_text(json.dumps(best, indent=1))


# -- curve ---------------------------------------------------------------------------------------
def curve(corpora: list[Path], work: Path, split: str, kw: list[tuple[str, str, float]], quiet_ms: int, max_ms: int) -> None:
    """From the stored judgements: the keyword set with every threshold moved by the same offset,
    recall of its words said alone (all and by SNR), false commands per hour of audio without
    commands, per 1000 short non-command utterances, and commands for a wrongly heard candidate."""
    files = load_files(corpora, split)
    feats = {json.loads(line)["path"]: json.loads(line)["utterances"]
             for line in feature_path(work, split, "silero", 300).read_text().splitlines()}
    words = {w: (c, t) for w, c, t in kw}
    hours = sum(f["seconds"] for f in files if f["kind"] in ("other", "silence", "commands")) / 3600
    n_short = sum(len(f.get("spoken", [])) for f in files if f["kind"] == "short")
    print(f"{split}: {', '.join(f'{w} {t:+.1f}' for w, _, t in kw)}; quiet before >= {quiet_ms} ms, <= {max_ms} ms")
    for delta in (-4, -2, -1, 0, 1, 2, 4, 6):
        def ok(u: list) -> bool:
            return (u[4] in words and 150 <= u[1] - u[0] <= max_ms and u[2] >= quiet_ms
                    and u[5] >= words[u[4]][1] + delta)
        found: dict[object, list[bool]] = defaultdict(list)
        wrong = said = false_long = false_short = 0
        for f in files:
            events = f.get("events", [])
            for e in events:
                if not e["alone"]:
                    continue
                said += 1
                us = [u for u in feats[f["wav"]] if ok(u) and overlaps(u[0], u[1], e)]
                if e["word"] in words:
                    found[f.get("snr")].append(any(words[u[4]][0] == COMMAND_OF[e["word"]] for u in us))
                wrong += any(words[u[4]][0] != COMMAND_OF[e["word"]] for u in us)
            if f["kind"] != "coach":
                lone = [u for u in feats[f["wav"]] if ok(u) and not any(overlaps(u[0], u[1], e) for e in events)]
                false_short += len(lone) if f["kind"] == "short" else 0
                false_long += len(lone) if f["kind"] != "short" else 0
        allf = [x for v in found.values() for x in v]
        by = " ".join(f"{k or 'clean'}:{100 * sum(found[k]) / max(len(found[k]), 1):.0f}" for k in (None, 20.0, 10.0, 5.0))
        print(f"  offset {delta:+d}: recall {100 * sum(allf) / max(len(allf), 1):.0f}% ({by}) | false {false_long / hours:.1f}/h "
              f"| short {1000 * false_short / max(n_short, 1):.0f}/1000 | wrong command {wrong}/{said}")


# -- evaluate ------------------------------------------------------------------------------------
def replay(spotter: Any, x: np.ndarray, speaking: list, tail: int | None) -> tuple[list[list], float]:
    """Stream 16 kHz audio `x` through `spotter` in 100 ms chunks as the product does, muted by a
    SpanGuard over the coach's `speaking` spans when `tail` is given: ([[t_ms, command, word start
    ms, chunk end ms]...], CPU seconds spent in the spotter)."""
    guard = SpanGuard([tuple(s) for s in speaking], tail_ms=tail) if tail is not None else None
    cmds: list[list] = []
    busy = 0.0
    for i in range(0, len(x), CHUNK):
        chunk = AudioChunk(x[i:i + CHUNK], i * 1000 // 16000)
        if guard is not None and guard.muted(chunk):
            continue
        t = time.process_time()
        found = spotter.feed(chunk.samples, chunk.t_ms)
        busy += time.process_time() - t
        starts = {d.end_ms: d.start_ms for d in spotter.detections}
        cmds += [[c.t_ms, c.command, starts.get(c.t_ms, c.t_ms), chunk.end_ms] for c in found]
    return cmds, busy


def run_file(args: tuple[dict, list[tuple[str, str, float]], dict, str]) -> dict:
    """The product's streaming spotter over one file (and guarded runs for coach echo)."""
    f, kw, iso, act = args
    x = load_wav_16k(f["wav"])
    out: dict = {"seconds": len(x) / 16000, "guarded": {}}
    for tail in ([None] + ([0, 400, 1000] if f["kind"] == "coach" else [])):
        spotter = KeywordSpotter([Keyword(*k) for k in kw], Isolation(**iso),
                                 activity=SileroActivity() if act == "silero" else WebRtcActivity())
        cmds, busy = replay(spotter, x, f.get("speaking", []), tail)
        if tail is None:
            out["commands"], out["busy"] = cmds, busy
        else:
            out["guarded"][tail] = cmds
    return out


def evaluate(corpora: list[Path], splits: list[str], kw: list[tuple[str, str, float]], iso: dict, act: str,
             dump: Path | None = None) -> None:
    wanted = {w for w, _, _ in kw}
    print("keywords:", ", ".join(f"{w}->{c} {t:+.1f}" for w, c, t in kw), "|", Isolation(**iso), "| activity", act)
    for split in splits:
        files = load_files(corpora, split)
        if not files:
            continue
        with Pool(2) as pool:
            results = pool.map(run_file, [(f, kw, iso, act) for f in files], chunksize=1)
        report(files, results, wanted, split)
        if dump is not None:
            dump.mkdir(parents=True, exist_ok=True)
            (dump / f"results_{split}.json").write_text(json.dumps({"keywords": kw, "files": files, "results": results}))


def parse_keywords(spec: str) -> list[tuple[str, str, float]]:
    """'word:threshold' or 'word:command:threshold', comma-separated; the command defaults to the
    word's (COMMAND_OF), and the old names (next, stop, pain) are read as the word's command."""
    out = []
    for k in spec.split(","):
        p = k.split(":")
        w, t = p[0], float(p[-1])
        c = p[1] if len(p) == 3 and p[1] in COMMAND_OF.values() else COMMAND_OF[w]
        out.append((w, c, t))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["features", "tune", "curve", "evaluate", "report"])
    ap.add_argument("--corpus", type=Path, action="append", required=True)
    ap.add_argument("--work", type=Path, default=Path("/work/data/issue13-kws2/work"))
    ap.add_argument("--splits", default="dev,heldout,espeak")
    ap.add_argument("--activity", default="silero", choices=["silero", "webrtc"])
    ap.add_argument("--close-ms", type=int, default=300)
    ap.add_argument("--words", default="pause,resume,next,stop,ouch,pain,it hurts,that hurts,continue,start,switch,switch sides,stop now")
    ap.add_argument("--budget", type=int, default=1, help="false acceptances allowed per word on dev (tune)")
    ap.add_argument("--keywords", help="evaluate: 'word:command:threshold,...' instead of the shipped ones")
    ap.add_argument("--isolation", default="{}", help="evaluate: JSON of Isolation fields to override")
    ap.add_argument("--dump", type=Path, help="evaluate: write every command found per file to DIR/results_<split>.json")
    a = ap.parse_args()
    splits = a.splits.split(",")
    if a.step == "features":
        run_features(a.corpus, a.work, splits, a.activity, a.close_ms)
    elif a.step == "report":
        for split in splits:
            d = json.loads((a.dump / f"results_{split}.json").read_text())
            print("keywords:", ", ".join(f"{w}->{c} {t:+.1f}" for w, c, t in d["keywords"]))
            report(d["files"], d["results"], {w for w, _, _ in d["keywords"]}, split)
    elif a.step == "curve":
        kw = (parse_keywords(a.keywords) if a.keywords
              else [(k.word, k.command, k.threshold) for k in DEFAULT_KEYWORDS])
        iso = Isolation(**json.loads(a.isolation))
        for split in splits:
            curve(a.corpus, a.work, split, kw, iso.quiet_before_ms, iso.max_ms)
    elif a.step == "tune":
        tune(a.corpus, a.work, a.activity, a.close_ms, a.words.split(","), a.budget)
    else:
        kw = (parse_keywords(a.keywords) if a.keywords
              else [(k.word, k.command, k.threshold) for k in DEFAULT_KEYWORDS])
        iso = {"close_ms": a.close_ms, **json.loads(a.isolation)}
        evaluate(a.corpus, splits, kw, iso, a.activity, a.dump)


if __name__ == "__main__":
    main()
