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


def clip_table(folder: Path) -> str:
    """One row per <stem>.truth.json: what the clip shows, truth ranges and the fault codes."""
    lines = [
        "| clip | s | what it shows | body | camera | knee | shin | back hip | trunk | pelvis | faults (frames) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for path in sorted(folder.glob("*.truth.json")):
        doc = json.loads(path.read_text())
        rows = doc["per_frame"]
        body, cam = doc["body"], doc["camera"]
        who = ("woman" if body["gender"] >= 0.5 else "man") + f", w{body['weight']:.1f} h{body['height']:.1f}"
        counts: dict[str, int] = {}
        for r in rows:
            for code in r["fault"]:
                counts[code] = counts.get(code, 0) + 1
        faults = ", ".join(f"{c} ({n})" for c, n in sorted(counts.items())) or "none"
        stem = path.name[: -len(".truth.json")]
        lines.append(
            f"| {stem} | {doc['frames'] / doc['fps']:.0f} | {doc['description']} | {who} | "
            f"{cam['height_m']:.2f} m | {_range(rows, 'front_knee_angle_deg')} | {_range(rows, 'shin_tilt_deg')} | "
            f"{_range(rows, 'back_hip_extension_deg')} | {_range(rows, 'trunk_lean_deg')} | "
            f"{_range(rows, 'pelvic_tilt_deg')} | {faults} |"
        )
    return "\n".join(lines)
