"""Scoring spoken-command results against a corpus (shared by benchmarks/voice_commands.py).

A corpus folder holds <split>/<name>.wav with a sidecar <name>.json (voice_corpus.py,
voice_corpus_alone.py). A result for a file is a list of commands [t_ms, command, start_ms]
(start_ms: when the utterance began). A command matches a spoken event when it is the event's
command and its utterance overlaps [event start - 150 ms, event end + 150 ms].
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

# What each spoken candidate means. "pain" and the pain phrases all mean the pain stop.
COMMAND_OF = {"pause": "pause", "resume": "resume", "continue": "resume", "next": "move_on", "stop": "end",
              "stop now": "end", "pain": "pain_stop", "ouch": "pain_stop", "it hurts": "pain_stop",
              "that hurts": "pain_stop", "start": "start", "switch": "switch_side", "switch sides": "switch_side"}
SLACK_MS = 150
NEGATIVE_KINDS = ("other", "short", "silence", "coach")
KIND_LABEL = {"other": "other speech (sentences) + room noise", "short": "short everyday utterances (not commands)",
              "silence": "room noise alone", "coach": "coach echo, guard OFF"}


def load_files(corpora: list[Path], split: str) -> list[dict]:
    """Every file of `split` in the corpora, sidecar metadata plus `wav` (absolute path)."""
    out = []
    for c in corpora:
        for side in sorted((c / split).glob("*.json")):
            f = json.loads(side.read_text())
            f["wav"] = str(side.with_suffix(".wav"))
            out.append(f)
    return out


def overlaps(start: int, end: int, ev: dict) -> bool:
    return start <= ev["end_ms"] + SLACK_MS and end >= ev["start_ms"] - SLACK_MS


def score_file(f: dict, commands: list[list], words: set[str]) -> tuple[list[dict], list[list]]:
    """(one row per spoken event of a keyword: found or not, latency; the false commands)."""
    rows, used = [], set()
    for e in f.get("events", []):
        cmd = COMMAND_OF[e["word"]]
        if e["word"] not in words and not (not e["alone"] and any(COMMAND_OF[w] == cmd for w in words)):
            continue
        hit = next((i for i, c in enumerate(commands) if c[1] == cmd and i not in used and overlaps(c[2], c[0], e)), None)
        if hit is not None:
            used.add(hit)
        rows.append({**e, "command": cmd, "corpus": Path(f["wav"]).parent.parent.name, "voice": f.get("voice"), "pitch": f.get("pitch"), "snr": f.get("snr"),
                     "reverb": f.get("reverb"), "found": hit is not None,
                     "latency": commands[hit][3] - e["end_ms"] if hit is not None and len(commands[hit]) > 3 else None})
    return rows, [c for i, c in enumerate(commands) if i not in used]


def pct(v: list[bool]) -> str:
    return f"{100 * sum(v) / len(v):.0f}% ({len(v)})" if v else "-"


def breakdown(rows: list[dict], key: str) -> str:
    groups: dict[object, list[bool]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r["found"])
    return ", ".join(f"{k if k is not None else 'clean'}: {pct(v)}" for k, v in sorted(groups.items(), key=lambda kv: str(kv[0])))


def report(files: list[dict], results: list[dict], wanted: set[str], title: str) -> None:
    """Recall tables by word, command, voice, SNR, tempo, pitch, reverb, alone; false commands per
    hour by kind of audio; latency and CPU. `results[i]`: {"commands", "busy", "seconds"} for files[i]
    and optionally "guarded": {tail_ms: commands} for coach files."""
    rows, false_cmd, wrong, secs_cmd = [], defaultdict(int), 0, 0.0
    near: dict[str, int] = defaultdict(int)
    for f, r in zip(files, results):
        if f["kind"] == "commands":
            rr, false = score_file(f, r["commands"], wanted)
            rows += rr
            secs_cmd += r["seconds"]
            events = f.get("events", [])
            for c in false:
                hit = [e for e in events if overlaps(c[2], c[0], e)]
                if not hit:
                    false_cmd[c[1]] += 1
                elif hit[0]["word"] in wanted:
                    wrong += 1  # a keyword heard as another command
                else:
                    near[hit[0]["word"]] += 1  # another candidate ("start", "pain") taken for a command
    alone = [r for r in rows if r["alone"]]
    print(f"\n== {title}: {len(files)} files, {sum(r['seconds'] for r in results) / 60:.1f} min of audio")
    print(f"  recall, words said alone: {sum(r['found'] for r in alone)}/{len(alone)} = {pct([r['found'] for r in alone])}")
    carried = [r for r in rows if not r["alone"]]
    if carried:
        print(f"  recall, words in a carrier phrase ('okay, pause'): {pct([r['found'] for r in carried])}")
    for key in ("word", "command", "corpus", "voice", "snr", "tempo", "pitch", "reverb"):
        print(f"  alone, by {key}: {breakdown(alone, key)}")
    lat = [r["latency"] for r in alone if r["latency"] is not None]
    if lat:
        q = np.percentile(lat, [50, 90, 100])
        print(f"  latency, spoken word's end -> command handed over (audio ms): median {q[0]:.0f}, p90 {q[1]:.0f}, max {q[2]:.0f}")
    n = sum(false_cmd.values())
    n_kw = len(rows)
    n_other = sum(1 for f in files if f["kind"] == "commands" for e in f.get("events", []) if e["word"] not in wanted)
    print(f"  a keyword heard as another command: {wrong} of {n_kw} keywords said")
    print(f"  a command from another candidate word said (not a keyword here): {sum(near.values())} of {n_other} {dict(near)}")
    print(f"  false commands in the command files between the candidates (sentences, quiet): {n} in "
          f"{secs_cmd / 60:.1f} min = {n / max(secs_cmd / 3600, 1e-9):.1f}/h {dict(false_cmd)}")
    for kind in NEGATIVE_KINDS:
        sel = [r for f, r in zip(files, results) if f["kind"] == kind]
        if not sel:
            continue
        hours = sum(r["seconds"] for r in sel) / 3600
        what: dict[str, int] = defaultdict(int)
        for r in sel:
            for c in r["commands"]:
                what[c[1]] += 1
        n = sum(what.values())
        extra = ""
        if kind == "short":
            spoken = sum(len(f.get("spoken", [])) for f in files if f["kind"] == "short")
            extra = f" ({spoken} utterances: {1000 * n / max(spoken, 1):.1f} per 1000)"
        print(f"  false commands, {KIND_LABEL[kind]}: {n} in {60 * hours:.1f} min = {n / hours:.1f}/h {dict(what)}{extra}")
        if kind == "coach":
            for tail in sorted({t for r in sel for t in r.get("guarded", {})}):
                g = sum(len(r["guarded"][tail]) for r in sel)
                print(f"  false commands, coach echo, guard ON (tail {tail} ms): {g} = {g / hours:.1f}/h")
    busy, secs = sum(r["busy"] for r in results), sum(r["seconds"] for r in results)
    print(f"  CPU: {busy:.1f} s for {secs / 60:.1f} min of audio = real-time factor {busy / max(secs, 1e-9):.4f} (one core)")
