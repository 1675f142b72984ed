"""Diagnostic: how well could ANY outline model know absolute pelvic tilt across bodies, given a
perfect silhouette? The back profile is taken straight from the posed mesh (a true side view,
orthographic, exact joint centres: no MediaPipe, no camera, no mask noise) for random bodies of
benchmarks.pelvis_bodies, and the same kind of models are checked leave-bodies-out.

    python -m benchmarks.pelvis_ideal --bodies 80 [--no-arch] [--no-local]

Renderer environment (torch, anny). No images are rendered, so it is cheap (~3 s a body).
"""
from __future__ import annotations

import argparse

import numpy as np

from posecoach.pelvis.outline import V_GRID


def mesh_profile(body, posed, arms: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Depth behind the trunk axis (trunk lengths) at V_GRID from the posed vertices."""
    j = posed.bone_poses[:, :3, 3]
    hip = 0.5 * (j[body.index["upperleg01.L"]] + j[body.index["upperleg01.R"]])
    sh = 0.5 * (j[body.index["upperarm01.L"]] + j[body.index["upperarm01.R"]])
    p = posed.vertices[~arms][:, 1:]  # (y, z): -y forward
    a = np.array([-(sh - hip)[1], (sh - hip)[2]])
    trunk = float(np.linalg.norm(a))
    up = a / trunk
    back = np.array([-up[1], up[0]])  # rotate up by +90 deg: (forward, up) -> backward is -fwd
    q = np.c_[-(p[:, 0] - hip[1]), p[:, 1] - hip[2]]  # (forward, up) in metres
    v = q @ up / trunk
    d = q @ back / trunk
    out = np.full(len(V_GRID), np.nan)
    for i, vv in enumerate(V_GRID):
        sel = (np.abs(v - vv) < 0.0125) & (d < 0.6)  # not the back leg far behind
        if sel.any():
            out[i] = d[sel].max()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pelvis_ideal")
    ap.add_argument("--bodies", type=int, default=60)
    ap.add_argument("--no-arch", action="store_true")
    ap.add_argument("--no-local", action="store_true")
    ap.add_argument("--save", help="write the profiles and tilts to this .npz")
    args = ap.parse_args(argv)
    from benchmarks.pelvis_bodies import QuickSolver, ShapedBody, draw_body, retilt
    from benchmarks.pelvis_learn import line, ridge, scores
    from samplegen.scenario import Posture
    from samplegen.truth import pelvic_tilt_deg

    rng = np.random.default_rng(5)
    rows, ys, groups = [], [], []
    for b in range(args.bodies):
        spec = draw_body(rng)
        local = {} if args.no_local else spec["local"]
        arch = 0.0 if args.no_arch else spec["arch_deg"]
        body = ShapedBody(spec["phenotype"], local)
        arms = np.isin(np.array(body.labels)[body.dominant_bone].astype(str).astype(object),
                       [n for n in body.labels if n.startswith(("upperarm", "lowerarm", "wrist", "finger", "thumb"))])
        solver = QuickSolver(body)
        for _ in range(2):
            p = Posture(front="left", knee_deg=float(rng.uniform(82, 102)), shin_tilt_deg=None,
                        back_hip_ext_deg=float(rng.uniform(0, 26)), trunk_lean_deg=float(rng.uniform(-6, 12)),
                        pelvic_tilt_deg=0.0)
            solved = solver.solve(p, "thigh")
            for tilt in rng.uniform(-15, 20, 8):
                rv, shift = retilt(body, solved.rotvecs, float(tilt), arch)
                posed = body.pose(rv, shift)
                prof = mesh_profile(body, posed, arms)
                ok = np.isfinite(prof)
                prof = np.interp(V_GRID, V_GRID[ok], prof[ok])
                j = posed.bone_poses[:, :3, 3]
                hip = 0.5 * (j[body.index["upperleg01.L"]] + j[body.index["upperleg01.R"]])
                sh = 0.5 * (j[body.index["upperarm01.L"]] + j[body.index["upperarm01.R"]])
                lean = float(np.degrees(np.arctan2(-(sh - hip)[1], (sh - hip)[2])))
                sel = (V_GRID >= -0.35) & (V_GRID <= 1.0)
                rows.append(np.r_[prof[sel] - prof[sel].max(), prof[sel].max(), lean, p.back_hip_ext_deg])
                ys.append(pelvic_tilt_deg(posed.bone_poses[0, :3, :3]))
                groups.append(b)
        print(f"body {b}", flush=True)
    d = dict(X=np.array(rows), y=np.array(ys), body=np.array(groups))
    if args.save:
        np.savez(args.save, **d)
    for alpha in (0.1, 1.0, 10.0):
        order = np.random.default_rng(0).permutation(np.unique(d["body"]))
        pred = np.zeros(len(d["y"]))
        for k in range(5):
            held = np.isin(d["body"], order[k::5])
            pred[held] = ridge(d["X"][~held], d["y"][~held], alpha).predict(d["X"][held])
        print(line(f"ideal profile ridge a={alpha}", scores(pred, d["y"], d["body"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
