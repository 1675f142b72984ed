"""Frame records (interface.md's frames.jsonl objects) built by hand, for report and history tests."""
from __future__ import annotations

import json
from pathlib import Path

METRICS = {"front_knee_angle_deg": 92.0, "shin_tilt_deg": 3.0, "knee_ahead_of_ankle": 0.05,
           "back_hip_extension_deg": 6.0, "trunk_lean_deg": 1.0, "pelvic_tilt_deg": None}


def record(i: int, t_ms: int, side: str | None, faults: list[str], hold: dict[str, float],
           person: bool = True, cue: dict | None = None, **metrics: float | None) -> dict:
    return {"frame": i, "t_ms": t_ms, "person": person, "view": "side" if person else "unknown",
            "front_side": side, "phase": "holding" if side else "setup",
            "metrics": {**METRICS, **metrics} if person else {k: None for k in METRICS},
            "faults": faults, "cue": cue, "hold_s": dict(hold), "in_lunge": side is not None,
            "good_form": side is not None and not faults}


def left_then_right(step_ms: int = 100) -> list[dict]:
    """A session at 10 fps (t_ms 0, 100, ...): frames 0-9 nobody in view, 10-69 left leg forward
    in good form, 70-109 left with HIPS_FORWARD (back thigh at 30 deg), 110-149 right in good form.

    Each frame is credited the time since the previous one (0.1 s; frame 0 nothing), so: left in
    the stretch 10.0 s, of which good 6.0 s (60%) and hips forward 4.0 s; right 4.0 s, all good;
    out of view 0.9 s. The hold timers (as the coach counts: from the second good frame) end at
    left 5.9 s, right 3.9 s. Seen in 140 of 150 frames (93%).
    """
    recs, hold = [], {"left": 0.0, "right": 0.0}
    t = 0
    for i in range(150):
        if i < 10:
            recs.append(record(i, t, None, ["NO_PERSON"], hold, person=False))
        elif i < 70:
            if i > 10:
                hold["left"] = round(hold["left"] + step_ms / 1000, 3)
            cue = {"code": "HOLD_START", "text": "Good. Hold it there and breathe."} if i == 10 else None
            recs.append(record(i, t, "left", [], hold, cue=cue))
        elif i < 110:
            cue = {"code": "HIPS_FORWARD", "text": "Don't lunge deeper. Ease your hips back."} if i == 72 else None
            recs.append(record(i, t, "left", ["HIPS_FORWARD"], hold, cue=cue, back_hip_extension_deg=30.0))
        else:
            if i > 110:
                hold["right"] = round(hold["right"] + step_ms / 1000, 3)
            recs.append(record(i, t, "right", [], hold))
        t += step_ms
    return recs


def summary_for(recs: list[dict], **extra: object) -> dict:
    cues = [{"t_ms": r["t_ms"], **r["cue"]} for r in recs if r["cue"]]
    person = sum(r["person"] for r in recs)
    return {"video": "clip.mp4", "frames": len(recs), "fps": 10.0, "duration_s": len(recs) / 10.0,
            "detected_fraction": round(person / len(recs), 4), "hold_s": dict(recs[-1]["hold_s"]),
            "good_form_fraction": 0.0, "cues": cues, "posecoach_version": "test", **extra}


def write_analysis(folder: Path, recs: list[dict], summary: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "frames.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return folder
