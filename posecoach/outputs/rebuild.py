"""summary.json, report.html and metrics.csv made again from a session's frame log, for a session
killed hard (no summary was written) or any other (`posecoach report DIR`).

The frame log says per frame what was seen, judged and said; the summary made from it has the
interface's keys (frames, fps, duration, detection, holds, good form, cues) and, for a routine, a
section per exercise from the frames' "exercise" key. What only the running session knew (the
latency, the keys pressed, the pelvis calibration) is kept from an existing summary.json; a
session without one is marked `"end_reason": "killed"` (it has no end time of its own: its
duration is that of its last logged frame) and `"rebuilt_from_log": true`.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from posecoach import __version__
from posecoach.core.errors import PosecoachError
from posecoach.core.protocol import FORM_FAULTS, SIDES, TITLES
from posecoach.outputs.session_log import FRAMES, SUMMARY, write_json_atomic
from posecoach.outputs.tally import Tally, in_lunge_side

KILLED = "killed"


def read_frames(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of a frames.jsonl and how many lines were skipped (a line torn by a kill, or
    a line that is not a JSON object)."""
    records: list[dict[str, Any]] = []
    skipped = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                skipped += 1
                continue
            if isinstance(rec, dict) and "t_ms" in rec:
                records.append(rec)
            else:
                skipped += 1
    return records, skipped


def fps_of(records: Sequence[Mapping[str, Any]]) -> float:
    """Frames logged a second, from the first and last timestamps (a live session that dropped
    frames logged fewer than its camera gave); 30 when unknown."""
    span = int(records[-1]["t_ms"]) - int(records[0]["t_ms"]) if records else 0
    return round(1000.0 * (len(records) - 1) / span, 3) if span > 0 else 30.0


def summary_from_records(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """summary.json's keys as far as the frame log tells them."""
    fps = fps_of(records)
    tally = Tally.of(records)
    n = len(records)
    duration = (int(records[-1]["t_ms"]) - int(records[0]["t_ms"])) / 1000.0 + 1.0 / fps if n else 0.0
    lunge = [r for r in records if in_lunge_side(r) is not None]
    good = sum(1 for r in lunge if not any(f in FORM_FAULTS for f in r.get("faults") or []))
    last_hold = next((r.get("hold_s") for r in reversed(records) if r.get("hold_s")), None) or {}
    out: dict[str, Any] = {
        "frames": n, "fps": fps, "duration_s": round(duration, 3),
        "detected_fraction": round(sum(1 for r in records if r.get("person")) / n, 4) if n else 0.0,
        "hold_s": {s: float(last_hold.get(s, 0.0)) for s in SIDES},
        "good_form_fraction": round(good / len(lunge), 4) if lunge else 0.0,
        "lunge_frames": len(lunge),
        "cues": [_cue(r) for r in records if isinstance(r.get("cue"), Mapping)],
        "pain_stop": any(str((r.get("cue") or {}).get("code", "")).startswith("PAIN_STOP") for r in records),
        "model_frames": sum(1 for r in records if r.get("model", True)),
        "time_s": round(tally.total_s, 3),
    }
    stages = _stages(records)
    if len(stages) > 1 or (stages and next(iter(stages)) != "lunge"):
        out["exercises"] = stages
        if len(stages) == 1:
            out["exercise"] = next(iter(stages))
    return out


def _cue(r: Mapping[str, Any]) -> dict[str, Any]:
    cue = r["cue"]
    out = {"t_ms": int(r["t_ms"]), "code": cue.get("code"), "text": cue.get("text")}
    if r.get("exercise"):
        out["exercise"] = r["exercise"]
    return out


def _stages(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A section per exercise named by the frames' "exercise" key, in the order they ran."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        if r.get("exercise"):
            groups.setdefault(str(r["exercise"]), []).append(r)
    out: dict[str, dict[str, Any]] = {}
    for i, (name, rs) in enumerate(groups.items()):
        last = rs[-1]
        s: dict[str, Any] = {"title": TITLES.get(name, name), "ran": True, "start_t_ms": int(rs[0]["t_ms"]),
                             "end_t_ms": int(last["t_ms"]),
                             "end_reason": KILLED if i == len(groups) - 1 else "next",
                             "hold_s": dict(last.get("hold_s") or {})}
        if name == "rest":
            s["rest_s"] = max(float(r.get("timer_s") or 0.0) for r in rs)
            s["target_s"] = float(last.get("target_s") or 0.0)
        elif name == "lunge":
            lunge = [r for r in rs if in_lunge_side(r) is not None]
            good = sum(1 for r in lunge if not any(f in FORM_FAULTS for f in r.get("faults") or []))
            s["good_form_fraction"] = round(good / len(lunge), 4) if lunge else 0.0
        out[name] = s
    return out


def rebuild(folder: Path, source: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], int]:
    """Write folder/summary.json (atomically) from its frame log, keeping what an existing summary
    says beyond it; returns (summary, lines skipped). `source`: the history's row for the session
    (started_at, source), used when there is no summary."""
    frames = folder / FRAMES
    if not frames.is_file():
        raise PosecoachError(f"{folder} holds no frame log ({FRAMES}): nothing to rebuild")
    records, skipped = read_frames(frames)
    if not records:
        raise PosecoachError(f"{frames} holds no whole frame record: nothing to rebuild")
    old: dict[str, Any] = {}
    try:
        loaded = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
        old = loaded if isinstance(loaded, dict) else {}
    except (OSError, json.JSONDecodeError):
        pass
    rebuilt = summary_from_records(records)
    if old:
        summary = {**rebuilt, **old}
    else:
        source = source or {}
        summary = {"video": source.get("source") or "", **rebuilt, "posecoach_version": __version__,
                   "started_at": source.get("started_at"), "end_reason": KILLED, "rebuilt_from_log": True}
        summary = {k: v for k, v in summary.items() if v is not None}
    if skipped:
        summary["frames_log_lines_skipped"] = skipped
    write_json_atomic(folder / SUMMARY, summary)
    return summary, skipped
