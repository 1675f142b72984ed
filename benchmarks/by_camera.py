"""The accuracy table by camera azimuth and height (issue 12): posecoach against the plain
baseline, scored on the body's own 3D sagittal angles, with the picture's own error beside them.

A clip sits in one azimuth bin and one height bin: its camera azimuth is the median of the truth's
per-frame `camera_azimuth_deg` over its lunge frames (+ = camera in front of the person, - =
behind; docs/ground-truth.md), rounded to the nearest 10 deg (so "+30" holds 25..35, halves rounding up); old truth
files without it use the unsigned `view_deg` and land in "0" or "?". Its height is the truth's
`camera.height_m`: low < 0.5 m, mid 0.5-0.95 m, high >= 0.95 m. Rows "az within 20" and "az within 40"
pool the bins the issue's targets are about; "az +-0-10", "+-20", "+-30", "+-40" pool each unsigned
bin (in front and behind). Pure: no video, no MediaPipe.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.scoring import FORM_CODES, METRICS, ClipScore, MetricScore, pool

SHORT = {"front_knee_angle_deg": "knee", "shin_tilt_deg": "shin", "knee_ahead_of_ankle": "knee/ankle",
         "back_hip_extension_deg": "back hip", "trunk_lean_deg": "trunk", "pelvic_tilt_deg": "pelvis"}
HEIGHT_BINS = (("low <0.5 m", 0.0, 0.5), ("mid 0.5-0.95 m", 0.5, 0.95), ("high >=0.95 m", 0.95, 9.0))


@dataclass
class CameraClip:
    """One clip's camera and its scores (faults judged on the 3D truth: scoring.judge_form_3d)."""
    name: str
    azimuth_deg: float | None
    height_m: float | None
    posecoach: ClipScore | None
    plain: ClipScore | None
    gap: dict[str, MetricScore] = field(default_factory=dict)  # metrics_2d vs metrics
    view: MetricScore | None = None  # posecoach's view_angle_deg vs view_deg


def clip_camera(truth: dict[str, Any]) -> tuple[float | None, float | None]:
    """(azimuth deg, camera height m) of a clip from its truth file (module doc)."""
    rows = [r for r in truth.get("per_frame", []) if r.get("in_lunge")] or truth.get("per_frame", [])
    az = [float(r["camera_azimuth_deg"]) for r in rows if r.get("camera_azimuth_deg") is not None]
    if az:
        azimuth: float | None = statistics.median(az)
    else:
        view = [float(r["view_deg"]) for r in rows if r.get("view_deg") is not None]
        azimuth = 0.0 if view and statistics.median(view) < 5.0 else None
    height = (truth.get("camera") or {}).get("height_m")
    return azimuth, None if height is None else float(height)


def azimuth_bin(azimuth: float | None) -> str:
    """Nearest multiple of 10 deg as a label ("+30", "0", "-10"); halves round up (25 -> +30)."""
    if azimuth is None:
        return "?"
    b = _bin_value(azimuth)
    return f"{b:+d}" if b else "0"


def _bin_value(azimuth: float) -> int:
    return int(math.floor(azimuth / 10.0 + 0.5)) * 10


def height_bin(height: float | None) -> str:
    for label, lo, hi in HEIGHT_BINS:
        if height is not None and lo <= height < hi:
            return label
    return "?"


def groups(clips: Sequence[CameraClip]) -> dict[str, list[CameraClip]]:
    """Row label -> clips: azimuth bins (behind to in front), |az| <= 20 / 40, height bins."""
    out: dict[str, list[CameraClip]] = {}
    keyed = sorted(clips, key=lambda c: (c.azimuth_deg is None, c.azimuth_deg or 0.0))
    for c in keyed:
        out.setdefault(f"az {azimuth_bin(c.azimuth_deg)}", []).append(c)
    for lo, hi in ((0, 10), (20, 20), (30, 30), (40, 40)):  # unsigned bands: 0-10, 10-20, 20-30, 30-40
        sel = [c for c in clips if c.azimuth_deg is not None and lo <= abs(_bin_value(c.azimuth_deg)) <= hi]
        if sel:
            out[f"az +-{lo}-{hi}" if lo != hi else f"az +-{hi}"] = sel
    for limit in (20, 40):
        sel = [c for c in clips if c.azimuth_deg is not None and abs(_bin_value(c.azimuth_deg)) <= limit]
        if sel:
            out[f"az within {limit}"] = sel
    for label, _, _ in HEIGHT_BINS:
        sel = [c for c in clips if height_bin(c.height_m) == label]
        if sel:
            out[f"h {label}"] = sel
    return out


def _f(x: float | None, nd: int = 1) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def _pool(label: str, items: list[ClipScore | None]) -> ClipScore | None:
    got = [c for c in items if c is not None]
    return pool(label, got) if got else None


def _pool_metric(scores: list[MetricScore]) -> MetricScore:
    total = MetricScore()
    for s in scores:
        total.add(s)
    return total


def _metric_cell(pc: ClipScore | None, pl: ClipScore | None, gap: MetricScore, m: str) -> str:
    nd = 3 if m == "knee_ahead_of_ankle" else 1
    a = pc.metrics[m] if pc else None
    b = pl.metrics[m] if pl else None
    mae = f"{_f(a.mae if a else None, nd)} / {_f(b.mae if b else None, nd)} / {_f(gap.mae, nd)}"
    cov = f"{_f(a.coverage if a else None, 2)}/{_f(b.coverage if b else None, 2)}"
    return f"{mae} ({cov})"


def _fault_cell(pc: ClipScore | None, pl: ClipScore | None, code: str) -> str:
    def pr(c: ClipScore | None) -> str:
        if c is None:
            return "-"
        f = c.faults[code]
        if f.tp + f.fn + f.fp == 0:
            return "."
        return f"{_f(f.precision, 2)}/{_f(f.recall, 2)}"
    return f"{pr(pc)} \\| {pr(pl)}"


def metric_table(rows: dict[str, list[CameraClip]], metrics: Sequence[str] = METRICS) -> list[str]:
    """Markdown: per row, MAE posecoach / plain / picture (metrics_2d) and coverage posecoach/plain."""
    head = ["| camera | clips | view angle MAE (cov) | " + " | ".join(SHORT[m] for m in metrics) + " |",
            "|---|---|---|" + "---|" * len(metrics)]
    lines = list(head)
    for label, clips in rows.items():
        pc = _pool(label, [c.posecoach for c in clips])
        pl = _pool(label, [c.plain for c in clips])
        view = _pool_metric([c.view for c in clips if c.view is not None])
        vcell = f"{_f(view.mae)} ({_f(view.coverage, 2)})" if view.n_truth else "-"
        cells = [_metric_cell(pc, pl, _pool_metric([c.gap[m] for c in clips if m in c.gap]), m) for m in metrics]
        lines.append(f"| {label} | {len(clips)} | {vcell} | " + " | ".join(cells) + " |")
    return lines


def fault_table(rows: dict[str, list[CameraClip]], codes: Sequence[str] = FORM_CODES) -> list[str]:
    """Markdown: per row and form code, precision/recall posecoach | plain ("." = no frame)."""
    lines = ["| camera | clips | " + " | ".join(codes) + " |", "|---|---|" + "---|" * len(codes)]
    for label, clips in rows.items():
        pc = _pool(label, [c.posecoach for c in clips])
        pl = _pool(label, [c.plain for c in clips])
        lines.append(f"| {label} | {len(clips)} | " + " | ".join(_fault_cell(pc, pl, k) for k in codes) + " |")
    return lines


def camera_report(clips: Sequence[CameraClip], title: str = "") -> list[str]:
    """Both tables with their legends."""
    rows = groups(clips)
    return [
        f"== by camera azimuth and height{': ' + title if title else ''} ({len(clips)} clips; 3D sagittal truth) ==",
        "metric cells: MAE posecoach / plain / picture (metrics_2d vs 3D) (coverage posecoach/plain); "
        "deg, knee/ankle in shin lengths; az + = camera in front of the person, - = behind",
        *metric_table(rows), "",
        "form faults judged on the 3D truth in every lunge frame: precision/recall posecoach \\| plain "
        "(\".\" = no scored fault or prediction)",
        *fault_table(rows),
    ]


def to_json(clips: Sequence[CameraClip], scorer: Callable[[ClipScore], dict[str, Any]] = ClipScore.to_dict
            ) -> dict[str, Any]:
    """Pooled rows for accuracy.json."""
    out: dict[str, Any] = {}
    for label, cs in groups(clips).items():
        pc = _pool(label, [c.posecoach for c in cs])
        pl = _pool(label, [c.plain for c in cs])
        out[label] = {"clips": [c.name for c in cs], "posecoach": scorer(pc) if pc else None,
                      "plain": scorer(pl) if pl else None,
                      "picture_gap": {m: _pool_metric([c.gap[m] for c in cs if m in c.gap]).to_dict() for m in METRICS}}
    return out
