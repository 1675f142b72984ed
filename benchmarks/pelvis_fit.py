"""Fit and check the pelvic-tilt models of posecoach/pelvis.py on rendered stills.

    python -m benchmarks.pelvis_fit /tmp/pelvis_stills/main /tmp/pelvis_stills/hipext [--robust /tmp/pelvis_stills/robust]

Stills come from benchmarks.pelvis_stills. MediaPipe (IMAGE mode) runs once per still; its
landmarks and masks are cached in DIR/mp.npz. Each still's outline sample comes from
posecoach.pelvis.tilt.measure, exactly as in the product. Printed:
* the absolute model (features -> degrees) and the change-from-neutral model (feature changes ->
  degrees; the neutral is the same body and camera at tilt 0), each validated leave-one-body-out
  and leave-one-camera-height-out (MAE, correlation, anterior (>= 8) vs neutral/posterior (<= 0)
  accuracy at a 4 deg threshold, bias per held-out group), then refitted on all stills: the
  weights to put in pelvis.py, and the shipped weights' own errors;
* with --robust: per appearance variant, how often the outline was usable, the reasons when not,
  and the calibrated error and tuck-to-arch span where it was usable.
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from posecoach.pelvis import model as P

Row = dict[str, Any]


def detect(folder: Path) -> dict[str, np.ndarray]:
    """Landmarks and masks per still id (cached in folder/mp.npz)."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from posecoach.vision.model import load_model_bytes

    cache = folder / "mp.npz"
    res: dict[str, np.ndarray] = dict(np.load(cache)) if cache.is_file() else {}
    metas = [json.loads(line) for line in open(folder / "meta.jsonl")]
    todo = [m for m in metas if m["id"] + "_xy" not in res]
    if todo:
        opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_buffer=load_model_bytes(None)),
                                            running_mode=vision.RunningMode.IMAGE, output_segmentation_masks=True)
        lm = vision.PoseLandmarker.create_from_options(opts)
        for m in todo:
            img = cv2.imread(str(folder / f"{m['id']}.png"))
            out = lm.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(img, cv2.COLOR_BGR2RGB)))
            if not out.pose_landmarks:
                res[m["id"] + "_xy"] = np.zeros((0, 3))
                continue
            h, w = img.shape[:2]
            res[m["id"] + "_xy"] = np.array([[p.x * w, p.y * h, p.visibility] for p in out.pose_landmarks[0]])
            res[m["id"] + "_world"] = np.array([[p.x, p.y, p.z] for p in out.pose_world_landmarks[0]])
            res[m["id"] + "_mask"] = (out.segmentation_masks[0].numpy_view().reshape(h, w) * 255).astype(np.uint8)
        lm.close()
        np.savez_compressed(cache, **res)
    return res


def samples(folder: Path) -> list[Row]:
    """One row per still: its meta, and the pelvis Sample measured from MediaPipe's output."""
    from posecoach.core.types import Pose
    from posecoach.exercises.lunge import observe

    res = detect(folder)
    rows = []
    for line in open(folder / "meta.jsonl"):
        m = json.loads(line)
        xy = res.get(m["id"] + "_xy")
        variant = m["job"].rsplit("_", 1)[-1]
        if re.fullmatch(r"e\d+", variant):  # the hip-extension grid: one neutral (the first, e3)
            variant = "hipext"
        row = dict(meta=m, tilt=float(m["truth"]["pelvic_tilt_deg"]), body=m["job"].split("_t")[0], cam=m["cam"],
                   variant=variant, sample=None)
        if xy is not None and len(xy):
            mask = res[m["id"] + "_mask"].astype(np.float32) / 255.0
            pose = Pose(xy=xy[:, :2], visibility=xy[:, 2], presence=xy[:, 2], world=res[m["id"] + "_world"], mask=mask,
                        image_size=(mask.shape[1], mask.shape[0]))
            obs = observe(pose)
            if obs.joints is not None:
                row["sample"] = P.measure(pose, obs.joints.mid_hip, obs.joints.mid_shoulder, obs.facing,
                                          obs.view_angle_deg, 0)
        rows.append(row)
    return rows


def _fit(X: np.ndarray, y: np.ndarray, intercept: bool) -> np.ndarray:
    A = np.c_[X, np.ones(len(X))] if intercept else X
    return np.linalg.lstsq(A, y, rcond=None)[0]


def _predict(w: np.ndarray, X: np.ndarray) -> np.ndarray:
    return np.c_[X, np.ones(len(X))] @ w if len(w) == X.shape[1] + 1 else X @ w


def _report(name: str, pred: np.ndarray, y: np.ndarray, groups: np.ndarray) -> str:
    e = pred - y
    ant, ok = y >= 8, y <= 0
    acc = ((pred[ant] >= 4).sum() + (pred[ok] < 4).sum()) / max(1, ant.sum() + ok.sum())
    bias = ", ".join(f"{g} {np.mean(e[groups == g]):+.1f}" for g in np.unique(groups))
    return f"  {name}: MAE {np.abs(e).mean():.2f}  r {np.corrcoef(pred, y)[0, 1]:.2f}  anterior-vs-ok {acc:.2f}  bias [{bias}]"


def design(rows: list[Row], delta: bool, cols: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """X, y, body, cam; with `delta` each row minus its body/camera/variant's tilt-0 still."""
    use = [r for r in rows if r["sample"] is not None and r["sample"].features is not None]
    if delta:
        ref = {}
        for r in use:
            ref.setdefault((r["body"], r["cam"], r["variant"]) if r["tilt"] == 0 else None, r)
        ref.pop(None, None)
        use = [r for r in use if (r["body"], r["cam"], r["variant"]) in ref
               and ref[(r["body"], r["cam"], r["variant"])] is not r]
        X = np.array([r["sample"].vector() - ref[(r["body"], r["cam"], r["variant"])]["sample"].vector() for r in use])
    else:
        X = np.array([r["sample"].vector() for r in use])
    y = np.array([r["tilt"] for r in use])
    X = X.reshape(len(use), len(P.FEATURES))
    return X[:, cols], y, np.array([r["body"] for r in use]), np.array([r["cam"] for r in use])


def fit_report(rows: list[Row]) -> None:
    for label, delta, names in (("absolute", False, ("hollow", "sacral_deg", "protrusion", "lean_deg")),
                                ("change from neutral", True, ("hollow", "protrusion", "chord_deg", "lean_deg"))):
        cols = [P.FEATURES.index(n) for n in names]
        X, y, body, cam = design(rows, delta, cols)
        print(f"{label} ({len(y)} stills; features {', '.join(names)})")
        skipped = Counter(r["sample"].reason if r["sample"] else "no_person" for r in rows
                          if r["sample"] is None or r["sample"].features is None)
        if skipped:
            print(f"  not usable: {dict(skipped)}")
        for gname, groups in (("leave-one-body-out", body), ("leave-one-camera-height-out", cam)):
            pred = np.zeros_like(y)
            for g in np.unique(groups):
                held = groups == g
                pred[held] = _predict(_fit(X[~held], y[~held], not delta), X[held])
            print(_report(gname, pred, y, groups))
        w = _fit(X, y, not delta)
        print(f"  refitted on all: weights {dict(zip(names, np.round(w[:len(names)], 3).tolist()))}"
              + ("" if delta else f", intercept {w[-1]:.2f}"))
        shipped = (P.DELTA_WEIGHTS if delta else P.ABS_WEIGHTS)[cols]
        ship_pred = X @ shipped + (0.0 if delta else P.ABS_INTERCEPT)
        print(_report("shipped weights, all stills", ship_pred, y, body))


def robust_report(rows: list[Row]) -> None:
    print("robustness (calibrated = change from the same variant's tilt-0 still, shipped weights)")
    for variant in sorted({r["variant"] for r in rows}):
        group = [r for r in rows if r["variant"] == variant]
        reasons = Counter((r["sample"].reason if r["sample"] is not None else "no_person") or "usable" for r in group)
        usable = reasons.get("usable", 0) / len(group)
        X, y, body, _ = design(group, True, list(range(len(P.FEATURES))))
        mae = np.abs(X @ P.DELTA_WEIGHTS - y).mean() if len(y) else float("nan")
        spans = []
        for b in {r["body"] for r in group}:
            for c in {r["cam"] for r in group}:
                ends = {r["tilt"]: r["sample"] for r in group if r["body"] == b and r["cam"] == c and r["sample"]}
                if -8 in ends and 14 in ends and ends[-8].features and ends[14].features:
                    spans.append((ends[14].vector() - ends[-8].vector()) @ P.DELTA_WEIGHTS)
        span = f"{np.median(spans):.1f} deg (true 22)" if spans else "-"
        print(f"  {variant:<9} usable {usable:.2f}  calibrated MAE {mae:.2f} (n={len(y)})  tuck-to-arch span {span}  "
              f"reasons {dict(reasons)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pelvis_fit", description=__doc__.split("\n")[0])
    ap.add_argument("folders", type=Path, nargs="+", help="stills to fit on (main and hipext grids)")
    ap.add_argument("--robust", type=Path, help="stills of the robust grid")
    args = ap.parse_args(argv)
    fit_report([row for folder in args.folders for row in samples(folder)])
    if args.robust:
        robust_report(samples(args.robust))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
