"""Measure where BlazePose's landmarks sit relative to the true joint centres, and fit the
corrections of posecoach/exercises/joints.py.

    python -m benchmarks.offsets sample_videos/ [--cache DIR] [--loo]

For every clip with a truth file (docs/ground-truth.md: `joints_px` = the rendered body's joint
centres projected into the picture) the pose model is run once (landmarks cached as .npz), and for
each frame where the person kneels side-on the residual joint centre - landmark is expressed in
the person's own frame, in segment lengths, exactly as joints.py applies it:
  hip, shoulder: (forward, up) in the trunk frame, in thigh / trunk lengths;
  knee: along the outward bisector of the knee angle (out of the front of a bent knee) and
        across it towards the thigh, in shin lengths;
  ankle: (forward, up) in the picture, in shin lengths.
It prints the median and spread per clip and pooled, the fit (pooled medians, one set for all
bodies and cameras), and with --loo a leave-one-clip-out check: offsets fitted without a clip,
then that clip's unsmoothed metric errors with no correction, the current joints.py corrections
and the held-out fit.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.landmark_cache import SAMPLE_CACHE, landmarks
from posecoach.core import geometry as g
from posecoach.core.errors import PosecoachError
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Pose
from posecoach.exercises import joints as J

PAIRS = {"hip": (L.LEFT_HIP, L.RIGHT_HIP), "knee": (L.LEFT_KNEE, L.RIGHT_KNEE),
         "ankle": (L.LEFT_ANKLE, L.RIGHT_ANKLE), "shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)}
ROLES = ("front_hip", "back_hip", "front_knee", "back_knee", "front_ankle", "back_ankle", "shoulder")
METRICS = ("front_knee_angle_deg", "shin_tilt_deg", "back_hip_extension_deg", "trunk_lean_deg")


def pose_at(data: Mapping[str, np.ndarray], i: int) -> Pose:
    n = data["xy"].shape[1]
    return Pose(xy=data["xy"][i], visibility=np.ones(n), presence=np.ones(n), world=data["world"][i],
                mask=None, image_size=tuple(int(v) for v in data["size"]))  # type: ignore[arg-type]


def usable(rec: Mapping[str, Any]) -> bool:
    return bool(rec.get("in_lunge") and rec.get("view") == "side" and rec.get("joints_px")
                and rec.get("front_side") and rec.get("facing"))


def frames_of(truth: Mapping[str, Any], data: Mapping[str, np.ndarray]) -> list[tuple[Mapping[str, Any], int, str, str]]:
    """(truth record, frame index, front side, facing sign) of usable frames with a detection."""
    out = []
    for rec in truth["per_frame"]:
        i = int(rec["frame"])
        if usable(rec) and i < len(data["present"]) and data["present"][i]:
            out.append((rec, i, rec["front_side"], 1 if rec["facing"] == "right" else -1))
    return out


def residuals(truth: Mapping[str, Any], data: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """role -> (n, 2) residuals (joint centre - landmark) in the role's frame and units."""
    out: dict[str, list[list[float]]] = {r: [] for r in ROLES}
    for rec, i, front, facing in frames_of(truth, data):
        xy = data["xy"][i]
        jp = {k: np.asarray(v, float) for k, v in rec["joints_px"].items()}
        back = "right" if front == "left" else "left"
        s = {"left": 0, "right": 1}
        lm = {f"{role}_{j}": xy[PAIRS[j][s[side]]] for role, side in (("front", front), ("back", back))
              for j in ("hip", "knee", "ankle")}
        tr = {f"{role}_{j}": jp[f"{side}_{j}"] for role, side in (("front", front), ("back", back))
              for j in ("hip", "knee", "ankle")}
        mid_sh = g.midpoint(xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER])
        mid_hip = g.midpoint(xy[L.LEFT_HIP], xy[L.RIGHT_HIP])
        trunk = g.distance(mid_sh, mid_hip)
        up = (mid_sh - mid_hip) / trunk
        fwd = J.forward_of(up, facing)
        img_up, img_fwd = np.array([0.0, -1.0]), np.array([float(facing), 0.0])
        for leg in ("front", "back"):
            hip, knee, ankle = lm[f"{leg}_hip"], lm[f"{leg}_knee"], lm[f"{leg}_ankle"]
            thigh, shin = g.distance(hip, knee), g.distance(knee, ankle)
            d = tr[f"{leg}_hip"] - hip
            out[f"{leg}_hip"].append([d @ fwd / thigh, d @ up / thigh])
            out_dir, across = J.knee_axes(hip, knee, ankle)
            d = tr[f"{leg}_knee"] - knee
            w = J.flexion_weight(hip, knee, ankle)  # joints.py scales the "out" shift by this
            out[f"{leg}_knee"].append([d @ out_dir / shin / max(w, 0.5), d @ across / shin])
            d = tr[f"{leg}_ankle"] - ankle
            out[f"{leg}_ankle"].append([d @ img_fwd / shin, d @ img_up / shin])
        d = g.midpoint(jp["left_shoulder"], jp["right_shoulder"]) - mid_sh
        out["shoulder"].append([d @ fwd / trunk, d @ up / trunk])
    return {k: np.array(v).reshape(-1, 2) for k, v in out.items()}


def fit(res: Sequence[Mapping[str, np.ndarray]]) -> J.Offsets:
    """One set of offsets for all clips: the median over clips of each clip's median, so a
    long clip does not outvote the other bodies and cameras."""
    med = {r: np.median([np.median(c[r], axis=0) for c in res if len(c[r])], axis=0) for r in ROLES}
    rnd = lambda v: (round(float(v[0]), 3), round(float(v[1]), 3))  # noqa: E731
    return J.Offsets(hip_front=rnd(med["front_hip"]), hip_back=rnd(med["back_hip"]),
                     knee_front=rnd(med["front_knee"]), knee_back=rnd(med["back_knee"]),
                     ankle=rnd(med["front_ankle"]),  # the back ankle enters no metric
                     shoulder=rnd(med["shoulder"]))


def metric_errors(truth: Mapping[str, Any], data: Mapping[str, np.ndarray], offsets: J.Offsets | None
                  ) -> dict[str, np.ndarray]:
    """Unsmoothed per-frame errors (measured - truth) of the four joint metrics with `offsets`
    (None = raw landmarks), the truth's front leg and facing given, so only the correction differs."""
    out: dict[str, list[float]] = {m: [] for m in METRICS}
    for rec, i, front, facing in frames_of(truth, data):
        jc = J.joint_centres(pose_at(data, i), front, facing, corrected=offsets is not None,
                             offsets=offsets)
        got = {
            "front_knee_angle_deg": g.interior_angle(jc.front_hip, jc.front_knee, jc.front_ankle),
            "shin_tilt_deg": g.tilt_from_vertical(jc.front_ankle, jc.front_knee, facing),
            "back_hip_extension_deg": g.tilt_from_vertical(jc.back_knee, jc.back_hip, facing),
            "trunk_lean_deg": g.tilt_from_vertical(jc.mid_hip, jc.mid_shoulder, facing),
        }
        for m in METRICS:
            t = rec["metrics"].get(m)
            if t is not None:
                out[m].append(got[m] - t)
    return {k: np.array(v) for k, v in out.items()}


def _fmt(v: np.ndarray) -> str:
    if not len(v):
        return f"{'-':>27}"
    med = np.median(v, axis=0)
    iqr = np.percentile(v, 75, axis=0) - np.percentile(v, 25, axis=0)
    return f"{med[0]:+6.3f} {med[1]:+6.3f} ({iqr[0]:.3f} {iqr[1]:.3f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.offsets", description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--cache", type=Path, default=SAMPLE_CACHE)
    ap.add_argument("--loo", action="store_true", help="leave-one-clip-out check of the fit")
    args = ap.parse_args(argv)

    clips = []
    for folder in args.folders:
        for t in sorted(folder.glob("*.truth.json")):
            video = t.with_name(t.name[: -len(".truth.json")] + ".mp4")
            if video.is_file():
                try:
                    clips.append((video.stem, json.loads(t.read_text()), landmarks(video, args.cache)))
                except PosecoachError as e:  # e.g. a clip still being written
                    print(f"offsets: skipping {video.name}: {e}")
    if not clips:
        raise SystemExit("offsets: no clips with truth found")
    res = {name: residuals(truth, data) for name, truth, data in clips}

    print("residual joint centre - landmark: median (IQR) per clip; hip/shoulder: trunk (fwd, up) in "
          "thigh/trunk lengths; knee: (out of the bend, across towards the thigh) in shin lengths; ankle: "
          "picture (fwd, up) in shin lengths")
    print(f"{'clip':<30} {'n':>4} " + " ".join(f"{r:>27}" for r in ROLES))
    for name, r in res.items():
        n = len(r["shoulder"])
        print(f"{name[:30]:<30} {n:>4} " + " ".join(_fmt(r[k]) for k in ROLES))
    allres = {k: np.concatenate([r[k] for r in res.values()]) for k in ROLES}
    print(f"{'pooled':<30} {len(allres['shoulder']):>4} " + " ".join(_fmt(allres[k]) for k in ROLES))
    spread = {k: np.std([np.median(r[k], axis=0) for r in res.values() if len(r[k])], axis=0) for k in ROLES}
    print(f"{'spread of clip medians (sd)':<35} " + " ".join(f"{v[0]:>13.3f} {v[1]:>13.3f}" for v in spread.values()))
    fitted = fit(list(res.values()))
    print(f"\nfit over {len(res)} clips: {fitted}\ncurrent joints.py:   {J.DEFAULT_OFFSETS}")

    if args.loo and len(clips) > 1:
        print("\nleave-one-clip-out: unsmoothed metric MAE on the held-out clip (deg): "
              "raw landmarks / current joints.py / fitted without this clip")
        print(f"{'clip':<30} " + " ".join(f"{m[:22]:>24}" for m in METRICS))
        tot: dict[str, dict[str, list[np.ndarray]]] = {k: {m: [] for m in METRICS} for k in ("raw", "cur", "loo")}
        for name, truth, data in clips:
            held = fit([r for n, r in res.items() if n != name])
            errs = {"raw": metric_errors(truth, data, None), "cur": metric_errors(truth, data, J.DEFAULT_OFFSETS),
                    "loo": metric_errors(truth, data, held)}
            for k in errs:
                for m in METRICS:
                    tot[k][m].append(errs[k][m])
            cells = [" / ".join(f"{np.mean(np.abs(errs[k][m])) if len(errs[k][m]) else float('nan'):4.1f}"
                                for k in ("raw", "cur", "loo")) for m in METRICS]
            print(f"{name[:30]:<30} " + " ".join(f"{c:>24}" for c in cells))
        cells = [" / ".join(f"{np.mean(np.abs(np.concatenate(tot[k][m]))):4.1f}" for k in ("raw", "cur", "loo"))
                 for m in METRICS]
        print(f"{'all frames':<30} " + " ".join(f"{c:>24}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
