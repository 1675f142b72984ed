"""A Markdown table of the committed clips, read from their truth files (for the README)."""
from __future__ import annotations

import json
from pathlib import Path


def _range(rows: list[dict], name: str) -> str:
    values = [r["metrics"][name] for r in rows if r["metrics"].get(name) is not None]
    if not values:
        return "-"
    lo, hi = round(min(values)) + 0, round(max(values)) + 0  # "+ 0" turns -0 into 0
    return f"{lo}" if lo == hi else f"{lo}..{hi}"


def _camera(doc: dict) -> str:
    """Camera height, and its angle off the side view when the truth records it (issue 12)."""
    text = f"{doc['camera']['height_m']:.2f} m"
    az = sorted(r["camera_azimuth_deg"] for r in doc["per_frame"] if r.get("in_lunge") and r.get("camera_azimuth_deg") is not None)
    if az and abs(az[len(az) // 2]) >= 3:
        mid = az[len(az) // 2]
        text += f", {abs(mid):.0f} deg {'in front' if mid > 0 else 'behind'}"
    return text


def clip_table(folder: Path) -> str:
    """One row per <stem>.truth.json: what the clip shows, truth ranges and the fault codes."""
    lines = [
        "| clip | s | what it shows | body | camera | knee | shin | back hip | trunk | pelvis | faults (frames) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for path in sorted(folder.glob("*.truth.json")):
        doc = json.loads(path.read_text())
        rows = doc["per_frame"]
        body = doc["body"]
        who = ("woman" if body["gender"] >= 0.5 else "man") + f", w{body['weight']:.1f} h{body['height']:.1f}"
        counts: dict[str, int] = {}
        for r in rows:
            for code in r["fault"]:
                counts[code] = counts.get(code, 0) + 1
        faults = ", ".join(f"{c} ({n})" for c, n in sorted(counts.items())) or "none"
        stem = path.name[: -len(".truth.json")]
        lines.append(
            f"| {stem} | {doc['frames'] / doc['fps']:.0f} | {doc['description']} | {who} | "
            f"{_camera(doc)} | {_range(rows, 'front_knee_angle_deg')} | {_range(rows, 'shin_tilt_deg')} | "
            f"{_range(rows, 'back_hip_extension_deg')} | {_range(rows, 'trunk_lean_deg')} | "
            f"{_range(rows, 'pelvic_tilt_deg')} | {faults} |"
        )
    return "\n".join(lines)
