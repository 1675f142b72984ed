"""Score the sagittal correction (issue 12) against the body's 3D truth, by camera azimuth and
height: posecoach's picture today vs the corrected values vs the plain baseline.

    python -m benchmarks.sagittal_bench --stills /work/data/issue12-fit/stills_check
    python -m benchmarks.sagittal_bench --clips /work/data/issue12-sweep/heldout [--per-clip]

Stills (benchmarks/oblique_stills.py; one picture each, no smoothing): a metric counts for a
still when the person kneels by observe()'s gate and the view is judged coachable: today the
unsigned view angle <= 42 deg (lunge.py's "front" threshold), corrected the estimated |azimuth|
<= `--view-on`; the plain baseline like today on raw landmarks. A fault is predicted when the
value reaches its band's `on` point (config.Band), the live switch-on threshold; the truth judges
it from the 3D metrics (fault at or past the fault line, ok at or below the ok line, else not
scored). Clips: posecoach's LungeAnalyzer run over the cached landmarks in the three modes of
benchmarks/sagittal_pipeline.py and scored like `posecoach analyze` output (scoring.py, faults
judged on the 3D truth by judge_form_3d). Cells: MAE today / corrected / plain (coverage
today/corrected/plain); faults: precision/recall today | corrected | plain.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.by_camera import HEIGHT_BINS, azimuth_bin, clip_camera, height_bin
from benchmarks.oblique import DEFAULT_CACHE
from benchmarks.sagittal_data import Sample, load_stills
from benchmarks.sagittal_pipeline import MODES, load, run_clip
from benchmarks.scoring import FaultScore, MetricScore, align, judge_form_3d, score_faults, score_metrics
from posecoach.core.config import default_bands
from posecoach.exercises import sagittal as S
from samplegen.metrics import BANDS

SCORED = ("front_knee_angle_deg", "shin_tilt_deg", "back_hip_extension_deg", "trunk_lean_deg")
SHORT = {"front_knee_angle_deg": "knee", "shin_tilt_deg": "shin", "back_hip_extension_deg": "back hip",
         "trunk_lean_deg": "trunk"}
CODES = tuple(c for c in BANDS if c != "ANTERIOR_TILT")


def still_values(s: Sample, view_on: float) -> tuple[dict[str, dict[str, float | None]], float | None]:
    """Per mode the metrics a still gets (None = not reported), and the corrected view angle."""
    reading = S.sagittal_metrics(s.pose, s.facing, s.front)
    today_ok = s.kneeling and s.view_today is not None and s.view_today <= 42.0
    corr_ok = s.kneeling and reading is not None and abs(reading.view_angle_deg) <= view_on
    out: dict[str, dict[str, float | None]] = {}
    for mode, m, ok in (("today", s.picture, today_ok), ("corrected", reading.metrics if reading else None, corr_ok),
                        ("plain", s.plain, today_ok)):
        out[mode] = {k: (getattr(m, k) if ok and m is not None else None) for k in SCORED + ("knee_ahead_of_ankle",)}
    return out, None if reading is None else reading.view_angle_deg


def score_stills(samples: list[Sample], view_on: float) -> dict[str, dict[str, Any]]:
    """Rows (azimuth bins, pools, height bins) of MetricScores and FaultScores per mode."""
    bands = default_bands()
    rows: dict[str, dict[str, Any]] = {}
    for s in samples:
        values, view = still_values(s, view_on)
        keys = [f"az {azimuth_bin(s.azimuth)}", f"h {height_bin(s.height_m)}", "all"]
        keys += [f"az within {lim}" for lim in (20, 40) if abs(s.azimuth) <= lim + 5]
        for key in keys:
            row = rows.setdefault(key, {"n": 0, "view": [], **{m: ({k: MetricScore() for k in SCORED},
                                                                     {c: FaultScore() for c in CODES}) for m in MODES}})
            row["n"] += 1
            if view is not None:
                row["view"].append(view - s.azimuth)
            for mode in MODES:
                _add_still(row[mode], values[mode], s.truth, bands)
    return rows


def _add_still(acc: tuple[dict[str, MetricScore], dict[str, FaultScore]], got: dict[str, float | None],
               truth: dict[str, float], bands: Any) -> None:
    metrics, faults = acc
    for k in SCORED:
        if k in truth:
            metrics[k].add_pair(truth[k], got.get(k))
    for code in CODES:
        name, ok_max, fault_min = BANDS[code]
        tv, v = truth.get(name), got.get(name)
        if tv is None or ok_max < tv < fault_min:
            continue
        predicted = v is not None and v >= bands[code].on
        f = faults[code]
        if tv >= fault_min:
            f.tp += predicted
            f.fn += not predicted
        else:
            f.fp += predicted
            f.tn += not predicted


def score_clips(folders: list[Path], cache: Path, view_on: float, view_off: float, per_clip: bool) -> dict[str, dict[str, Any]]:
    """Rows of pooled MetricScores and FaultScores per mode over the clips of `folders`."""
    rows: dict[str, dict[str, Any]] = {}
    for folder in folders:
        for t in sorted(folder.glob("*.truth.json")):
            if not t.with_name(t.name.replace(".truth.json", ".mp4")).is_file():
                continue
            truth, data = load(t, cache)
            az, h = clip_camera(truth)
            judged = judge_form_3d(truth["per_frame"], BANDS)
            clip: dict[str, Any] = {"n": 1, "view": [], "side": {"label": [0, 0], "geometry": [0, 0]}}
            for mode in MODES:
                frames = run_clip(truth, data, mode, view_on, view_off)
                pairs = align(judged, frames)
                faults = score_faults(pairs)
                clip[mode] = (score_metrics(pairs), {c: faults[c] for c in CODES})
                if mode == "corrected":
                    _clip_extras(clip, pairs)
            keys = [f"az {azimuth_bin(az)}", f"h {height_bin(h)}", "all"]
            keys += [f"az within {lim}" for lim in (20, 40) if az is not None and abs(az) <= lim + 5]
            if per_clip:
                keys.append(t.name.replace(".truth.json", ""))
            for key in keys:
                _merge(rows.setdefault(key, {"n": 0, "view": [], "side": {"label": [0, 0], "geometry": [0, 0]},
                                             **{m: ({k: MetricScore() for k in SCORED}, {c: FaultScore() for c in CODES})
                                                for m in MODES}}), clip)
    return rows


def _clip_extras(clip: dict[str, Any], pairs: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
    """View angle errors and front-side agreement (label vs geometry) over the lunge frames."""
    for t, p in pairs:
        if p is None or not (t.get("in_lunge") and p.get("in_lunge")):
            continue
        if p.get("view_angle_deg") is not None and t.get("camera_azimuth_deg") is not None:
            clip["view"].append(p["view_angle_deg"] - t["camera_azimuth_deg"])
        for kind in ("label", "geometry"):
            side = p.get(f"front_side_{kind}")
            if side is not None:
                clip["side"][kind][0] += side == t.get("front_side")
                clip["side"][kind][1] += 1


def _merge(row: dict[str, Any], clip: dict[str, Any]) -> None:
    row["n"] += clip["n"]
    row["view"] += clip["view"]
    for kind in ("label", "geometry"):
        row["side"][kind][0] += clip["side"][kind][0]
        row["side"][kind][1] += clip["side"][kind][1]
    for mode in MODES:
        for k in SCORED:
            row[mode][0][k].add(clip[mode][0][k])
        for c in CODES:
            row[mode][1][c].add(clip[mode][1][c])


def _fmt(v: float | None, digits: int = 1) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def metric_table(rows: dict[str, dict[str, Any]], unit: str) -> list[str]:
    head = "| camera | " + unit + " | " + " | ".join(SHORT[k] for k in SCORED) + " | view angle MAE, bias |"
    has_side = any(r.get("side", {}).get("label", [0, 0])[1] for r in rows.values())
    if has_side:
        head += " front side ok: label / geometry |"
    lines = [head, "|---|---|" + "---|" * (len(SCORED) + 1 + has_side)]
    for label, r in _ordered(rows):
        cells = []
        for k in SCORED:
            maes = " / ".join(_fmt(r[m][0][k].mae) for m in MODES)
            covs = "/".join(_fmt(r[m][0][k].coverage, 2) for m in MODES)
            cells.append(f"{maes} ({covs})")
        v = np.array(r["view"], float)
        view = f"{np.abs(v).mean():.1f}, {v.mean():+.1f}" if len(v) else "-"
        line = f"| {label} | {r['n']} | " + " | ".join(cells) + f" | {view} |"
        if has_side:
            line += " " + " / ".join(_fmt(a / n if n else None, 2) for a, n in (r["side"]["label"], r["side"]["geometry"])) + " |"
        lines.append(line)
    return lines


def fault_table(rows: dict[str, dict[str, Any]], unit: str) -> list[str]:
    lines = ["| camera | " + unit + " | " + " | ".join(CODES) + " |", "|---|---|" + "---|" * len(CODES)]
    for label, r in _ordered(rows):
        cells = []
        for c in CODES:
            parts = []
            for m in MODES:
                f = r[m][1][c]
                parts.append("." if f.tp + f.fn + f.fp == 0 else f"{_fmt(f.precision, 2)}/{_fmt(f.recall, 2)}")
            cells.append(" \\| ".join(parts))
        lines.append(f"| {label} | {r['n']} | " + " | ".join(cells) + " |")
    return lines


def _ordered(rows: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    def key(label: str) -> tuple[int, float, str]:
        if label.startswith("az within"):
            return (1, float(label.split()[-1]), label)
        if label.startswith("az "):
            v = label[3:]
            return (0, 0.0 if v == "0" else float(v) if v != "?" else 99.0, label)
        if label.startswith("h "):
            return (2, [b[0] for b in HEIGHT_BINS].index(label[2:]) if label[2:] in [b[0] for b in HEIGHT_BINS] else 9, label)
        return (3 if label == "all" else 4, 0.0, label)
    return sorted(rows.items(), key=lambda kv: key(kv[0]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sagittal_bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--stills", nargs="*", type=Path, default=[])
    ap.add_argument("--clips", nargs="*", type=Path, default=[])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--view-on", type=float, default=S.COACHABLE_ON_DEG)
    ap.add_argument("--view-off", type=float, default=S.COACHABLE_OFF_DEG)
    ap.add_argument("--per-clip", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    out: list[str] = []
    if args.stills:
        samples = [s for f in args.stills for s in load_stills(f)]
        rows = score_stills(samples, args.view_on)
        out += [f"## Stills ({len(samples)}): MAE deg today / corrected / plain (coverage)", ""]
        out += metric_table(rows, "stills") + ["", "Faults, precision/recall today | corrected | plain:", ""]
        out += fault_table(rows, "stills") + [""]
    if args.clips:
        rows = score_clips(args.clips, args.cache, args.view_on, args.view_off, args.per_clip)
        out += ["## Clips: MAE deg today / corrected / plain (coverage)", ""] + metric_table(rows, "clips")
        out += ["", "Faults, precision/recall today | corrected | plain:", ""] + fault_table(rows, "clips")
    print("\n".join(out))
    if args.json:
        args.json.write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
