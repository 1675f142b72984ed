"""Render many kneeling-lunge stills of random bodies, pelvic tilts and cameras for the absolute
pelvic-tilt model (posecoach/pelvis/learned.py), then run MediaPipe on them once.

    python -m benchmarks.pelvis_gen render --split train --seed 101 --bodies 240 --out DATA/train
    python -m benchmarks.pelvis_gen render --split check --seed 7719 --bodies 48 --out DATA/check
    python -m benchmarks.pelvis_gen render --split robust --seed 7720 --bodies 16 --out DATA/robust
    python -m benchmarks.pelvis_gen detect DATA/train        # MediaPipe (IMAGE mode), cached per body

Needs the renderer's environment (pip install torch==2.13.0, then -e '.[samples,test]'); run under
`nice -n 10` with OMP_NUM_THREADS=1. Resumable: bodies already in OUT/meta.jsonl are skipped.

Per body (benchmarks.pelvis_bodies: phenotype, buttock/belly/hip/torso shape, habitual lumbar arch)
two lunge postures are solved (random knee angle, back-hip extension, trunk lean, front leg); each
posture is seen in SERIES "series" (one camera, room and clothing each, like one clip), and each
series holds the tilt-0 still (the calibration neutral of that series) and TILTS random tilts.
Splits differ only in their seed and in the ranges: `train` draws cameras a little wider than the
`check` targets (height 0.25-1.4 m, up to 25 deg off the side) so the check is inside the fit's range;
`robust` renders check-style series in four appearance variants (loose shirt, long hair over the
back, dark clothes in a dark room, hands on the hips) for the null-with-a-reason rows.
Stills: OUT/img/<id>.png; one JSON line per still in OUT/meta.jsonl (body, posture, camera, room,
look, series, truth: protocol metrics from the posed joint centres, tilt from the root bone).
"""
from __future__ import annotations

import argparse
import json
import math
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.scene_draws import colour
from benchmarks.scene_draws import room as draw_room

SPLITS: dict[str, dict[str, Any]] = {
    "train": dict(height=(0.25, 1.4), yaw=25.0, series=2, tilts=4, variants=("fitted",)),
    "check": dict(height=(0.3, 1.3), yaw=20.0, series=2, tilts=4, variants=("fitted",)),
    "robust": dict(height=(0.3, 1.3), yaw=20.0, series=1, tilts=3,
                   variants=("loose", "longhair", "dark", "hips")),
}
TILT_RANGE = (-15.0, 20.0)
DARK_ROOM = dict(floor="carpet", floor_color=(55, 50, 50), wall="plain", wall_color=(50, 50, 56),
                 mat_color=(40, 40, 45), brightness=0.8)


def _series(rng: np.random.Generator, cfg: dict[str, Any], variant: str) -> dict[str, Any]:
    """One camera, room and clothing (JSON-able)."""
    camera = dict(height_m=round(float(rng.uniform(*cfg["height"])), 3),
                  distance_m=round(float(rng.uniform(1.7, 3.2)), 2),
                  yaw_deg=round(float(rng.uniform(-cfg["yaw"], cfg["yaw"])), 1),
                  fov_deg=round(float(rng.uniform(45, 62)), 1),
                  look_at_height_m=round(float(rng.uniform(0.45, 0.62)), 2))
    room = draw_room(rng, wall_lo=110)
    look: dict[str, Any] = dict(shirt_color=colour(rng, 30, 225), pants_color=colour(rng, 20, 170),
                                hair=str(rng.choice(["none", "short", "short", "long"])),
                                hair_color=colour(rng, 10, 200))
    degrade = None
    if rng.uniform() < 0.3:  # a plain webcam: a little blur, noise and JPEG
        degrade = dict(blur_px=round(float(rng.uniform(0, 1.2)), 2), noise=round(float(rng.uniform(0, 6)), 1),
                       jpeg_quality=int(rng.integers(55, 90)))
    if variant == "loose":
        look.update(loose_shirt=True)
    elif variant == "longhair":
        look.update(hair="long")
    elif variant == "dark":
        look.update(shirt_color=colour(rng, 20, 45), pants_color=colour(rng, 15, 40))
        room = dict(DARK_ROOM, key_azimuth_deg=room["key_azimuth_deg"], key_elevation_deg=room["key_elevation_deg"])
    elif variant == "hips":
        look.update(hands="hips")
    return dict(camera=camera, room=room, look=look, degrade=degrade, facing=float(rng.choice([0.0, 180.0])),
                variant=variant, extra="hairback" if variant == "longhair" else None)


def plan(split: str, seed: int, n_bodies: int) -> list[dict[str, Any]]:
    """The bodies of one split, each with its postures, series and tilts (JSON-able)."""
    from benchmarks.pelvis_bodies import draw_body

    cfg = SPLITS[split]
    rng = np.random.default_rng(seed)
    jobs = []
    for b in range(n_bodies):
        body = draw_body(rng)
        postures = []
        for p in range(2):
            posture = dict(front=str(rng.choice(["left", "right"])), knee_deg=round(float(rng.uniform(82, 102)), 1),
                           shin_tilt_deg=None, back_hip_ext_deg=round(float(rng.uniform(0, 26)), 1),
                           trunk_lean_deg=round(float(rng.uniform(-6, 12)), 1), pelvic_tilt_deg=0.0)
            series = []
            for variant in cfg["variants"]:
                for _ in range(cfg["series"]):
                    s = _series(rng, cfg, variant)
                    s["tilts"] = [0.0] + [round(float(rng.uniform(*TILT_RANGE)), 1) for _ in range(cfg["tilts"])]
                    series.append(s)
            postures.append(dict(posture=posture, series=series))
        jobs.append(dict(id=f"{split}{seed}_b{b:03d}", body=body, postures=postures))
    return jobs


def _spec(job: dict[str, Any], look: dict[str, Any]) -> Any:
    from samplegen.scenario import SKIN_TONES, BodySpec

    kw = dict(job["body"]["phenotype"], skin=SKIN_TONES[job["body"]["skin"]])
    kw.update({k: tuple(v) if isinstance(v, list) else v for k, v in look.items()})
    return BodySpec(**kw)


def render_body(job: dict[str, Any], out: Path, meta: Any) -> int:
    """Render every still of one body; returns how many."""
    import cv2
    import trimesh

    from benchmarks.pelvis_bodies import QuickSolver, ShapedBody, retilt
    from benchmarks.pelvis_stills import hair_over_back
    from samplegen.appearance import Appearance
    from samplegen.body import JOINT_BONES
    from samplegen.degrade import degrade
    from samplegen.metrics import sagittal_metrics
    from samplegen.render import _rot_z, body_yaw_rad
    from samplegen.scenario import CameraSpec, Posture, RoomSpec, WebcamSpec
    from samplegen.scene import MAT_THICKNESS_M, Camera, Stage
    from samplegen.truth import pelvic_tilt_deg, view_angle_deg

    body = ShapedBody(job["body"]["phenotype"], job["body"]["local"])
    solver = QuickSolver(body)
    arch = job["body"]["arch_deg"]
    n = 0
    for pi, pj in enumerate(job["postures"]):
        for si, sj in enumerate(pj["series"]):
            spec = _spec(job, sj["look"])
            posture = Posture(**pj["posture"])
            solved = solver.solve(posture, spec.hands)
            look = Appearance.build(body, spec, seed=si)
            room = RoomSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in sj["room"].items()})
            camera = Camera.from_spec(CameraSpec(**sj["camera"]), 640, 480)
            yaw = body_yaw_rad(sj["facing"])
            rot = _rot_z(yaw)
            stage = Stage(room, camera, np.zeros(2), yaw, seed=si)
            rng = np.random.default_rng(zlib.crc32(job["id"].encode()) + 10 * pi + si)
            for ti, tilt in enumerate(sj["tilts"]):
                rv, shift = retilt(body, solved.rotvecs, tilt, arch)
                posed = body.pose(rv, shift)
                origin = np.array([0.0, solved.anchor[1], solved.floor_z])
                offset = np.array([0.0, 0.0, MAT_THICKNESS_M])

                def world(p: np.ndarray) -> np.ndarray:
                    return (p - origin) @ rot.T + offset

                verts = look.dress(posed.vertices, body.faces)
                meshes = [trimesh.Trimesh(world(verts), body.faces, vertex_colors=look.colors, process=False)]
                if sj.get("extra") == "hairback":
                    meshes.append(hair_over_back(verts, body, posed, spec.hair_color, world))
                meshes += look.hair_meshes(posed, world)
                stage.set_person(meshes)
                image = stage.render()
                if sj.get("degrade"):
                    image = degrade(image, WebcamSpec(**sj["degrade"]), rng)
                joints = {k: posed.joint(body.index[b]) for k, b in JOINT_BONES.items()}
                sag = {k: np.array([-v[1], v[2]]) for k, v in joints.items()}
                truth = sagittal_metrics(sag, posture.front, pelvic_tilt_deg(posed.bone_poses[0, :3, :3]))
                view = view_angle_deg(rot @ np.array([1.0, 0, 0]), world(posed.joint(0)), camera.eye)
                px, front = camera.project(world(verts))
                inside = bool((front & (px[:, 0] >= 0) & (px[:, 0] < 640) & (px[:, 1] >= 0) & (px[:, 1] < 480)).all())
                sid = f"{job['id']}_p{pi}s{si}t{ti}"
                cv2.imwrite(str(out / "img" / f"{sid}.png"), image[:, :, ::-1])
                rec = dict(id=sid, body_id=job["id"], series=f"{job['id']}_p{pi}s{si}", tilt_index=ti,
                           body=job["body"], posture=pj["posture"], series_spec={k: v for k, v in sj.items() if k != "tilts"},
                           truth={k: (None if v is None else round(float(v), 3)) for k, v in truth.items()},
                           view_deg=round(float(view), 2), whole_body=inside)
                meta.write(json.dumps(rec) + "\n")
                n += 1
            stage.close()
        meta.flush()
    return n


def render(split: str, seed: int, n_bodies: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "img").mkdir(exist_ok=True)
    jobs = plan(split, seed, n_bodies)
    (out / "plan.json").write_text(json.dumps(dict(split=split, seed=seed, bodies=n_bodies), indent=1))
    done: set[str] = set()
    if (out / "meta.jsonl").is_file():
        done = {json.loads(line)["body_id"] for line in open(out / "meta.jsonl")}
    with open(out / "meta.jsonl", "a") as meta:
        for job in jobs:
            if job["id"] in done:
                continue
            t0, c0 = time.time(), time.process_time()
            n = render_body(job, out, meta)
            print(f"{job['id']}: {n} stills, {time.time() - t0:.1f} s wall, {time.process_time() - c0:.1f} s cpu",
                  flush=True)


def detect(folder: Path) -> None:
    """MediaPipe (IMAGE mode, the product's model) on every still: landmarks and the mask, one
    compressed npz per body in folder/mp/ (the mask as uint8)."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from posecoach.vision.model import load_model_bytes

    (folder / "mp").mkdir(exist_ok=True)
    by_body: dict[str, list[str]] = {}
    for line in open(folder / "meta.jsonl"):
        m = json.loads(line)
        by_body.setdefault(m["body_id"], []).append(m["id"])
    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_buffer=load_model_bytes(None)),
                                        running_mode=vision.RunningMode.IMAGE, output_segmentation_masks=True)
    lm = vision.PoseLandmarker.create_from_options(opts)
    for body_id, ids in by_body.items():
        path = folder / "mp" / f"{body_id}.npz"
        if path.is_file() and set(ids) <= {k[:-3] for k in np.load(path).files if k.endswith("_xy")}:
            continue
        res: dict[str, np.ndarray] = {}
        t0 = time.process_time()
        for sid in ids:
            img = cv2.imread(str(folder / "img" / f"{sid}.png"))
            out = lm.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(img, cv2.COLOR_BGR2RGB)))
            h, w = img.shape[:2]
            if not out.pose_landmarks:
                res[sid + "_xy"] = np.zeros((0, 3))
                continue
            res[sid + "_xy"] = np.array([[p.x * w, p.y * h, p.visibility] for p in out.pose_landmarks[0]])
            res[sid + "_world"] = np.array([[p.x, p.y, p.z] for p in out.pose_world_landmarks[0]])
            res[sid + "_mask"] = (out.segmentation_masks[0].numpy_view().reshape(h, w) * 255).astype(np.uint8)
        np.savez_compressed(path, **res)
        print(f"{body_id}: {len(ids)} stills, {time.process_time() - t0:.1f} s cpu", flush=True)
    lm.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pelvis_gen", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("--split", choices=sorted(SPLITS), required=True)
    r.add_argument("--seed", type=int, required=True)
    r.add_argument("--bodies", type=int, required=True)
    r.add_argument("--out", type=Path, required=True)
    d = sub.add_parser("detect")
    d.add_argument("folder", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "render":
        render(args.split, args.seed, args.bodies, args.out)
    else:
        detect(args.folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
