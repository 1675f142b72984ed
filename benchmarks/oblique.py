"""Measure posecoach/exercises/sagittal.py against the 3D truth by camera azimuth and height
(issue 12, Part B research): per-frame, unsmoothed metrics of several estimators on cached
landmarks.

    python -m benchmarks.oblique /work/data/issue12-sweep/dev [--cache DIR] [--per-clip]

The pose model runs once per clip (VIDEO mode, as the analysis does); xy, world landmarks,
visibility and presence are cached as .npz (default /work/cache/issue12-landmarks). Frames scored:
the truth has a person in the lunge and the model found someone. Estimators:
  plain    raw picture landmarks (posecoach --plain), front leg by the ankle ahead in the picture
  picture  the picture with joints.py's landmark -> joint-centre corrections (posecoach today)
  world    sagittal.py: world landmarks in the body frame (sagittal_joints)
  fit      sagittal.py's sagittal_metrics: the learned correction (sagittal_model.py), gated
(The "lift" of the picture's joints with the world depth, tried first, never beat the picture:
docs/accuracy.md, "Part B"; it was removed.)
Also: sagittal.py's view angle (signed) against the truth's camera_azimuth_deg, and how often
its front leg (by geometry) matches the truth's anatomical front side.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.by_camera import azimuth_bin, clip_camera, height_bin
from benchmarks.landmark_cache import landmarks
from benchmarks.scoring import MetricScore
from posecoach.core import geometry as g
from posecoach.exercises import sagittal as S
from posecoach.exercises.sagittal_model import picture_metrics
from posecoach.exercises.joints import JointCentres, joint_centres
from posecoach.exercises.lunge import facing_votes
from posecoach.core.landmarks import Landmark as L
from posecoach.core.landmarks import side_joints
from posecoach.core.types import Metrics, Pose

SCORED = ("front_knee_angle_deg", "shin_tilt_deg", "back_hip_extension_deg", "trunk_lean_deg")
DEFAULT_CACHE = Path("/work/cache/issue12-landmarks")


def pose_at(data: dict[str, np.ndarray], i: int) -> Pose:
    return Pose(xy=data["xy"][i], visibility=data["visibility"][i], presence=data["presence"][i],
                world=data["world"][i], mask=None, image_size=tuple(int(v) for v in data["size"]))  # type: ignore[arg-type]


def picture_joints(pose: Pose, corrected: bool) -> tuple[JointCentres, str, int]:
    """posecoach's picture joint centres without the kneeling gate: (joints, front, facing);
    front = the leg whose ankle is further ahead in the picture (observe() does the same)."""
    facing = 1 if facing_votes(pose) >= 0 else -1
    xy = pose.xy
    mid = g.midpoint(xy[L.LEFT_HIP], xy[L.RIGHT_HIP])
    front = max(("left", "right"), key=lambda s: g.ahead_offset(xy[side_joints(s)["ankle"]], mid, facing))
    return joint_centres(pose, front, facing, corrected=corrected), front, facing


def blend(a: Metrics, b: Metrics, w: float) -> Metrics:
    """w * a + (1 - w) * b, metric by metric (None where either is None)."""
    out = Metrics()
    for name in SCORED + ("knee_ahead_of_ankle",):
        x, y = getattr(a, name), getattr(b, name)
        if x is not None and y is not None and math.isfinite(x) and math.isfinite(y):
            setattr(out, name, w * x + (1 - w) * y)
    return out


def estimates(pose: Pose) -> tuple[dict[str, Metrics], S.CameraAngles | None]:
    """Every estimator's metrics for one pose (module doc), and sagittal.py's camera angles."""
    jc, front, facing = picture_joints(pose, corrected=True)
    raw, _, _ = picture_joints(pose, corrected=False)
    out = {"plain": picture_metrics(raw, facing), "picture": picture_metrics(jc, facing)}
    frame = S.body_frame(pose)
    cam = S.camera_angles(frame) if frame is not None else None
    if frame is not None and cam is not None:
        j = S.sagittal_joints(pose, frame)
        out["world"] = S.plane_metrics(j) if j is not None else Metrics()
    reading = S.sagittal_metrics(pose, facing, front)
    if reading is not None:
        out["fit"] = reading.metrics
    return out, cam


NAMES = ("plain", "picture", "world", "fit")


def evaluate_clip(truth: dict[str, Any], data: dict[str, np.ndarray]) -> dict[str, Any]:
    """Per-estimator MetricScores, view-angle errors and front-leg agreement for one clip."""
    scores = {name: {m: MetricScore() for m in SCORED} for name in NAMES}
    view_err: list[float] = []
    front_ok = front_n = geo_ok = steady_ok = 0
    swapped = 0
    steady = S.SteadySide()
    for rec in truth["per_frame"]:
        i = int(rec["frame"])
        if not (rec.get("person") and rec.get("in_lunge")) or i >= len(data["present"]):
            continue
        got: dict[str, Metrics] = {}
        if data["present"][i]:
            pose = pose_at(data, i)
            got, cam = estimates(pose)
            view = S.view_angle_deg(pose)
            if view is not None and rec.get("camera_azimuth_deg") is not None:
                view_err.append(view - float(rec["camera_azimuth_deg"]))
            _, front, facing = picture_joints(pose, corrected=False)
            front_n += 1
            front_ok += front == rec.get("front_side")
            geo = S.front_leg(pose, facing)
            geo_ok += bool(geo and geo[1] == rec.get("front_side"))
            steady_ok += steady.update(geo[1] if geo else None) == rec.get("front_side")
            frame = S.body_frame(pose)
            swapped += bool(frame and frame.labels_swapped)
        for name, per in scores.items():
            m = got.get(name, Metrics())
            for metric in SCORED:
                tv = (rec.get("metrics") or {}).get(metric)
                if tv is not None:
                    per[metric].add_pair(tv, getattr(m, metric))
    return {"scores": scores, "view_err": view_err, "front_ok": front_ok, "front_n": front_n, "swapped": swapped,
            "geo_ok": geo_ok, "steady_ok": steady_ok}


def pool_rows(results: list[tuple[str, float | None, float | None, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, az, h, r in sorted(results, key=lambda x: (x[1] is None, x[1] or 0.0)):
        rows.setdefault(f"az {azimuth_bin(az)}", []).append(r)
    for lim in (20, 40):
        sel = [r for _, az, _, r in results if az is not None and abs(az) <= lim + 5]
        rows[f"az within {lim}"] = sel
    for _, az, h, r in results:
        rows.setdefault(f"h {height_bin(h)}", []).append(r)
    rows["all"] = [r for *_, r in results]
    return rows


def table(rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    names = NAMES
    short = {"front_knee_angle_deg": "knee", "shin_tilt_deg": "shin", "back_hip_extension_deg": "hip", "trunk_lean_deg": "trunk"}
    lines = ["MAE deg (coverage) per estimator: " + " / ".join(names),
             "| camera | n | " + " | ".join(short.values()) + " | view angle MAE, bias | front side ok: labels/geometry/steady | world labels swapped |",
             "|---|---|" + "---|" * (len(short) + 3)]
    for label, rs in rows.items():
        cells = []
        for m in SCORED:
            parts = []
            for n in names:
                tot = MetricScore()
                for r in rs:
                    tot.add(r["scores"][n][m])
                parts.append("-" if tot.mae is None else f"{tot.mae:.1f}")
            cov = MetricScore()
            for r in rs:
                cov.add(r["scores"]["world"][m])
            cells.append(" / ".join(parts) + (f" ({cov.coverage:.2f})" if cov.coverage is not None else ""))
        errs = [e for r in rs for e in r["view_err"]]
        view = f"{np.mean(np.abs(errs)):.1f}, {np.mean(errs):+.1f}" if errs else "-"
        fn = sum(r["front_n"] for r in rs)
        front = "/".join(f"{sum(r[k] for r in rs) / fn:.2f}" for k in ("front_ok", "geo_ok", "steady_ok")) if fn else "-"
        sw = sum(r["swapped"] for r in rs)
        lines.append(f"| {label} | {len(rs)} | " + " | ".join(cells) + f" | {view} | {front} | {sw} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.oblique", description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--per-clip", action="store_true")
    ap.add_argument("--cache-only", action="store_true", help="only run the pose model (fill the cache)")
    args = ap.parse_args(argv)
    results = []
    for folder in args.folders:
        for t in sorted(folder.glob("*.truth.json")):
            video = t.with_name(t.name.replace(".truth.json", ".mp4"))
            if not video.is_file():
                continue
            data = landmarks(video, args.cache)
            if args.cache_only:
                continue
            truth = json.loads(t.read_text())
            az, h = clip_camera(truth)
            r = evaluate_clip(truth, data)
            results.append((video.stem, az, h, r))
            if args.per_clip:
                print(video.stem, *table({"clip": [r]})[3:])
    if results:
        print("\n".join(table(pool_rows(results))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
