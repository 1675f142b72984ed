"""Render stills of many pelvic tilts, bodies and cameras for fitting and checking the pelvis model.

    /work/venv-samples/bin/python -m benchmarks.pelvis_stills --grid main --out /tmp/pelvis_stills/main
    /work/venv-samples/bin/python -m benchmarks.pelvis_stills --grid robust --out /tmp/pelvis_stills/robust

Needs the renderer's environment (samplegen: anny, torch, pyrender). Writes OUT/<id>.png and one
line of OUT/meta.jsonl per still: the body, the posture, the camera and the true protocol metrics
(from the body's joint centres; pelvic tilt from the root bone, as samplegen's truth files).
The `main` grid: 6 body types x 8 tilts (-15..+18 deg) x 2 random trunk leans / hip extensions /
knee angles, each seen from 3 camera heights (0.3, 0.65, 1.0 m), facing chosen at random.
The `robust` grid: 3 bodies x 4 tilts x (fitted, samplegen's loose shirt, hands on hips, long
hair, dark clothes in a dark room, and two drawn here: a T-shirt hanging straight down from the
shoulder blades, long hair lying over the upper back). Then run benchmarks.pelvis_fit on the folder (with /work/venv).
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

BODIES = {
    "fav": dict(gender=0.9, age=0.72, weight=0.45),
    "mav": dict(gender=0.1, age=0.7, weight=0.5, muscle=0.55),
    "mheavy": dict(gender=0.1, age=0.8, weight=0.9, height=0.2, muscle=0.4),
    "ftall": dict(gender=0.95, age=0.68, weight=0.2, height=0.9, proportions=0.7),
    "mmus": dict(gender=0.05, age=0.7, weight=0.55, muscle=0.95, height=0.7),
    "fold": dict(gender=0.85, age=0.95, weight=0.75, height=0.35),
}
SHIRTS = [[70, 110, 170], [150, 60, 60], [60, 130, 80], [200, 190, 170], [90, 90, 100]]
HEIGHTS = (0.3, 0.65, 1.0)
VARIANTS = {
    "fitted": dict(hair="short"),
    "loose": dict(hair="short", loose_shirt=True, shirt_color=[200, 200, 195]),
    "hips": dict(hair="short", hands="hips"),
    "longhair": dict(hair="long"),
    "dark": dict(hair="short", shirt_color=[30, 30, 35], pants_color=[25, 25, 28]),
    # drawn here, not by samplegen: a T-shirt hanging straight down from the shoulder blades
    # (hollow hidden) and long hair lying over the upper back
    "drape": dict(hair="short", loose_shirt=True, shirt_color=[200, 200, 195]),
    "hairback": dict(hair="long"),
}
DARK_ROOM = dict(floor="carpet", floor_color=[60, 55, 55], wall="plain", wall_color=[55, 55, 60], mat_color=[40, 40, 45])


def main_grid(seed: int = 4) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    jobs = []
    for name, body in BODIES.items():
        for tilt in (-15, -8, -3, 0, 4, 8, 12, 18):
            for rep in range(2):
                lean, ext, knee = rng.choice([-6, -2, 0, 3, 7, 12]), rng.choice([2, 6, 12, 18]), rng.choice([85, 90, 98])
                posture = dict(pelvic_tilt_deg=tilt, trunk_lean_deg=lean, knee_deg=knee, shin_tilt_deg=None,
                               back_hip_ext_deg=ext)
                look = dict(body, shirt_color=rng.choice(SHIRTS), hair="short",
                            skin=rng.choice(["light", "medium", "brown", "very_light"]))
                cams = [dict(id=f"h{round(h * 100)}", camera=dict(height_m=h, look_at_height_m=0.55),
                             facing=rng.choice([0.0, 180.0])) for h in HEIGHTS]
                jobs.append(dict(id=f"{name}_t{tilt}_{rep}", body=look, posture=posture, cameras=cams))
    return jobs


def robust_grid() -> list[dict[str, Any]]:
    jobs = []
    for name in ("fav", "mav", "mheavy"):
        for tilt in (-8, 0, 8, 14):
            for variant, look in VARIANTS.items():
                cams = []
                for i, h in enumerate(HEIGHTS):
                    cam: dict[str, Any] = dict(id=f"h{round(h * 100)}", camera=dict(height_m=h, look_at_height_m=0.55),
                                               facing=(0.0, 180.0)[i % 2])
                    if variant == "dark":
                        cam["room"] = DARK_ROOM
                    cams.append(cam)
                posture = dict(pelvic_tilt_deg=tilt, trunk_lean_deg=0, knee_deg=88, shin_tilt_deg=None,
                               back_hip_ext_deg=5)
                jobs.append(dict(id=f"{name}_t{tilt}_{variant}", body=dict(BODIES[name], **look), posture=posture,
                                 cameras=cams, extra=variant if variant in ("drape", "hairback") else None))
    return jobs


def _back_apex(verts: Any, ids: Any, body: Any, posed: Any) -> tuple[float, float, float]:
    """(y, z, shoulder z) of the shoulder blades' most posterior point (body frame: +y = back)."""
    import numpy as np
    sh_z = float(posed.joint(body.index["upperarm01.L"])[2])
    v = verts[ids]
    sel = (np.abs(v[:, 0]) < 0.12) & (v[:, 2] > sh_z - 0.25) & (v[:, 2] < sh_z - 0.02)
    k = int(np.argmax(np.where(sel, v[:, 1], -np.inf)))
    return float(v[k, 1]), float(v[k, 2]), sh_z


def hang_shirt(verts: Any, shirt_ids: Any, body: Any, posed: Any) -> Any:
    """A loose T-shirt: below the shoulder blades the back of the shirt hangs straight down
    (body-frame z is up), bridging the lumbar hollow down to the hem."""
    import numpy as np
    out = verts.copy()
    apex_y, apex_z, _ = _back_apex(verts, shirt_ids, body, posed)
    v = out[shirt_ids]
    mid_y = float(np.median(v[:, 1]))
    sel = (np.abs(v[:, 0]) < 0.17) & (v[:, 2] < apex_z) & (v[:, 1] > mid_y)
    v[sel, 1] = np.maximum(v[sel, 1], apex_y - 0.004)
    out[shirt_ids] = v
    return out


def hair_over_back(verts: Any, body: Any, posed: Any, rgb: Any, world: Any) -> Any:
    """Long hair lying over the upper back: a 2 cm thick curtain from the back of the head down
    to 30 cm below the shoulders, resting on the shoulder blades."""
    import numpy as np
    import trimesh
    apex_y, _, sh_z = _back_apex(verts, np.arange(len(verts)), body, posed)
    head = posed.joint(body.index["head"])
    top, bottom = float(head[2]) + 0.03, sh_z - 0.30
    y_top, y_bottom = float(head[1]) + 0.08, apex_y + 0.012
    box = trimesh.creation.box([0.2, 0.02, top - bottom])
    v = np.asarray(box.vertices) + [float(head[0]), 0.0, 0.5 * (top + bottom)]
    v[:, 1] += y_bottom + (v[:, 2] - bottom) / (top - bottom) * (y_top - y_bottom)
    mesh = trimesh.Trimesh(world(v), box.faces, process=False)
    mesh.visual.vertex_colors = np.array([*rgb, 255], np.uint8)
    return mesh


def hipext_grid() -> list[dict[str, Any]]:
    """Tilt crossed with back-hip extension (pushing the hips forward reshapes the buttocks)."""
    jobs = []
    for i, (name, body) in enumerate(BODIES.items()):
        for tilt in (-8, 0, 8, 14):
            for ext in (3, 14, 26):
                cams = [dict(id=f"h{round(h * 100)}", camera=dict(height_m=h, look_at_height_m=0.55),
                             facing=(0.0, 180.0)[(i + k) % 2]) for k, h in enumerate(HEIGHTS)]
                posture = dict(pelvic_tilt_deg=tilt, trunk_lean_deg=0, knee_deg=None, shin_tilt_deg=3,
                               back_hip_ext_deg=ext)
                jobs.append(dict(id=f"{name}_t{tilt}_e{ext}", body=dict(body, hair="short", shirt_color=SHIRTS[i % 5]),
                                 posture=posture, cameras=cams))
    return jobs


def render(jobs: list[dict[str, Any]], out: Path) -> None:
    import cv2
    import numpy as np
    import trimesh

    from samplegen.appearance import Appearance
    from samplegen.body import JOINT_BONES, Body
    from samplegen.metrics import sagittal_metrics
    from samplegen.render import _rot_z, body_yaw_rad
    from samplegen.scenario import SKIN_TONES, BodySpec, CameraSpec, Posture, RoomSpec
    from samplegen.scene import MAT_THICKNESS_M, Camera, Stage
    from samplegen.solver import PostureSolver
    from samplegen.truth import pelvic_tilt_deg, view_angle_deg

    out.mkdir(parents=True, exist_ok=True)
    done = set()
    if (out / "meta.jsonl").is_file():
        done = {json.loads(line)["job"] for line in open(out / "meta.jsonl")}
    keys = ("gender", "age", "muscle", "weight", "height", "proportions")
    solvers: dict[tuple, PostureSolver] = {}
    with open(out / "meta.jsonl", "a") as meta:
        for job in jobs:
            if job["id"] in done:
                continue
            t0 = time.time()
            spec_kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in job["body"].items()}
            if isinstance(spec_kw.get("skin"), str):
                spec_kw["skin"] = SKIN_TONES[spec_kw["skin"]]
            spec = BodySpec(**spec_kw)
            key = tuple(getattr(spec, k) for k in keys)
            if key not in solvers:
                solvers[key] = PostureSolver(Body({k: getattr(spec, k) for k in keys}))
            solver = solvers[key]
            body = solver.body
            posture = Posture(**job["posture"])
            solved = solver.solve(posture, spec.hands)
            look = Appearance.build(body, spec, seed=1)
            posed = body.pose(solved.rotvecs, np.zeros(3))
            for cj in job["cameras"]:
                room = RoomSpec(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in cj.get("room", {}).items()})
                camera = Camera.from_spec(CameraSpec(**cj["camera"]), 640, 480)
                rot = _rot_z(body_yaw_rad(cj["facing"]))
                origin = np.array([0.0, solved.anchor[1], float(posed.vertices[:, 2].min())])
                offset = np.array([0.0, 0.0, MAT_THICKNESS_M])

                def world(p: np.ndarray) -> np.ndarray:
                    return (p - origin) @ rot.T + offset

                stage = Stage(room, camera, np.zeros(2), body_yaw_rad(cj["facing"]), seed=1)
                verts = look.dress(posed.vertices, body.faces)
                extra = job.get("extra")
                if extra == "drape":
                    verts = hang_shirt(verts, look.shirt_ids, body, posed)
                meshes = [trimesh.Trimesh(world(verts), body.faces, vertex_colors=look.colors, process=False)]
                if extra == "hairback":
                    meshes.append(hair_over_back(verts, body, posed, spec.hair_color, world))
                meshes += look.hair_meshes(posed, world)
                stage.set_person(meshes)
                image = stage.render()
                stage.close()
                joints = {n: posed.joint(body.index[b]) for n, b in JOINT_BONES.items()}
                sag = {k: np.array([-v[1], v[2]]) for k, v in joints.items()}
                truth = sagittal_metrics(sag, posture.front, pelvic_tilt_deg(posed.bone_poses[0, :3, :3]))
                view = view_angle_deg(rot @ np.array([1.0, 0, 0]), world(posed.joint(0)), camera.eye)
                sid = f"{job['id']}_{cj['id']}"
                cv2.imwrite(str(out / f"{sid}.png"), image[:, :, ::-1])
                meta.write(json.dumps(dict(id=sid, job=job["id"], cam=cj["id"], body=job["body"],
                                           posture=job["posture"], camera=cj, truth=truth, view_deg=view)) + "\n")
                meta.flush()
            print(f"{job['id']}: {time.time() - t0:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pelvis_stills", description=__doc__.split("\n")[0])
    ap.add_argument("--grid", choices=("main", "robust", "hipext"), default="main")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    grids = {"main": main_grid, "robust": robust_grid, "hipext": hipext_grid}
    render(grids[args.grid](), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
