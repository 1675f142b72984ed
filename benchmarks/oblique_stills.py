"""Rendered stills of kneeling lunges seen from anywhere a laptop may stand, with MediaPipe's
landmarks and the body's 3D truth: the training and check data of the sagittal correction
(issue 12, posecoach/exercises/sagittal_model.py).

    OMP_NUM_THREADS=1 nice -n 10 python -m benchmarks.oblique_stills OUT --seed 12001 --bodies 200
    python -m benchmarks.oblique_stills OUT --seed 12002 --bodies 40 --postures 3 --cameras 8   # check set

Needs the .[samples] extra (anny, torch, pyrender). One line of OUT/stills.jsonl per still (and
OUT/img/<id>.jpg): the drawn body, posture, room and camera; the truth (protocol.md's metrics from
the body's joint centres in its own sagittal plane, `metrics`; the picture's angles of the true
joint centres, `metrics_2d`; the signed camera azimuth, + in front of the person, and elevation;
which way the person faces in the picture; which leg is in front; the joint centres in pixels and
in camera coordinates) and what posecoach would see (the Pose: 33 landmarks in pixels with
visibility and presence, world landmarks, image size).

Draws, per set seed (every draw comes from a generator seeded by (seed, body, posture, camera), so
a resumed or partial run is the same sample, and two seeds never share a body, room or camera):
- bodies: every anny phenotype (gender 0-1, age 0.6-0.98, weight 0.1-0.95, muscle 0.15-0.85,
  height 0.1-0.9, proportions 0.25-0.75), skin tone, clothes colours, hair, loose shirt, sleeves,
  hands on the front thigh or on the hips;
- postures (each body `--postures` of them): good form, each form fault past its fault line
  (knee past ankle, foot too far, hips forward, leaning forward, arched pelvis) and mixed
  postures spanning all of them, with either leg in front;
- cameras (each posture `--cameras` of them): azimuth -55..+55 deg off the side view, height
  0.25-1.35 m, distance 1.9-4.1 m, field of view 44-62 deg, aim 0.4-0.65 m high, facing
  image-left or image-right, room and lights redrawn, a degraded webcam one time in three,
  1280x720 one time in six (else 640x480).

MediaPipe is run as posecoach runs it (VIDEO mode): a blank frame (so it forgets the last
still), then the still three times 33 ms apart; the third result is kept, so the landmarks come
from the tracking path a video uses, not from a first detection alone.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.scene_draws import FLOORS, SKINS, WALLS, colour

KINDS = ("good", "KNEE_PAST_ANKLE", "FOOT_TOO_FAR", "HIPS_FORWARD", "LEANING_FORWARD", "ANTERIOR_TILT", "mixed")
KIND_P = (0.22, 0.12, 0.12, 0.12, 0.12, 0.12, 0.18)


def draw_body(rng: np.random.Generator) -> dict[str, Any]:
    """A person: anny phenotype (0-1 each), look and where the hands rest."""
    u = lambda a, b: round(float(rng.uniform(a, b)), 3)  # noqa: E731
    return {
        "gender": u(0, 1), "age": u(0.6, 0.98), "weight": u(0.1, 0.95), "muscle": u(0.15, 0.85),
        "height": u(0.1, 0.9), "proportions": u(0.25, 0.75), "skin": str(rng.choice(SKINS)),
        "shirt_color": colour(rng), "pants_color": colour(rng, 15, 170), "sock_color": colour(rng, 40, 250),
        "hair": str(rng.choice(["none", "short", "short", "long"])), "hair_color": colour(rng, 10, 200),
        "loose_shirt": bool(rng.uniform() < 0.25), "long_sleeves": bool(rng.uniform() < 0.3),
        "hands": "hips" if rng.uniform() < 0.2 else "thigh",
    }


def draw_posture(rng: np.random.Generator) -> dict[str, Any]:
    """A half-kneeling lunge in protocol.md's terms (degrees): good form, one fault past its
    line, or a mixed posture. Two of knee angle / shin tilt / back hip extension are asked for
    (the third follows from the body); the truth is measured on the posed body anyway."""
    u = lambda a, b: round(float(rng.uniform(a, b)), 1)  # noqa: E731
    kind = str(rng.choice(KINDS, p=KIND_P))
    p: dict[str, Any] = {"front": str(rng.choice(["left", "right"])), "knee_deg": u(84, 97), "shin_tilt_deg": None,
                         "back_hip_ext_deg": u(-2, 9), "trunk_lean_deg": u(-6, 7), "pelvic_tilt_deg": u(-9, 0)}
    if rng.uniform() < 0.5:
        p.update(knee_deg=None, shin_tilt_deg=u(-5, 5))
    if kind == "KNEE_PAST_ANKLE":
        p.update(knee_deg=None, shin_tilt_deg=u(12, 30))
    elif kind == "FOOT_TOO_FAR":
        p.update(knee_deg=u(108, 138), shin_tilt_deg=None)
    elif kind == "HIPS_FORWARD":  # the front knee follows the hips, as a person lunging deeper does
        p.update(knee_deg=None, shin_tilt_deg=u(-6, 10), back_hip_ext_deg=u(16, 36))
    elif kind == "LEANING_FORWARD":
        p.update(trunk_lean_deg=u(14, 38))
    elif kind == "ANTERIOR_TILT":
        p.update(pelvic_tilt_deg=u(6, 16))
    elif kind == "mixed":
        p.update(knee_deg=u(75, 135), shin_tilt_deg=None, back_hip_ext_deg=u(-5, 30), trunk_lean_deg=u(-10, 30),
                 pelvic_tilt_deg=u(-12, 14))
        if rng.uniform() < 0.4:
            p.update(knee_deg=None, shin_tilt_deg=u(-8, 26))
    return {"kind": kind, **p}


def draw_room(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "floor": str(rng.choice(FLOORS)), "floor_color": colour(rng, 50, 210), "wall": str(rng.choice(WALLS)),
        "wall_color": colour(rng, 90, 245), "wall_distance_m": round(float(rng.uniform(1.2, 2.5)), 2),
        "side_wall": bool(rng.uniform() < 0.3), "mat": bool(rng.uniform() < 0.85), "mat_color": colour(rng, 30, 200),
        "key_light": round(float(rng.uniform(2.0, 4.0)), 2), "fill_light": round(float(rng.uniform(0.5, 1.5)), 2),
        "ambient": round(float(rng.uniform(0.2, 0.5)), 2), "key_azimuth_deg": round(float(rng.uniform(-70, 70)), 1),
        "key_elevation_deg": round(float(rng.uniform(25, 75)), 1), "shadows": bool(rng.uniform() < 0.8),
        "brightness": round(float(rng.uniform(0.7, 1.25)), 2),
    }


def draw_camera(rng: np.random.Generator) -> dict[str, Any]:
    """Where the laptop stands: azimuth (+ = in front of the person), height, distance, lens."""
    u = lambda a, b: round(float(rng.uniform(a, b)), 2)  # noqa: E731
    webcam: dict[str, Any] = {}
    if rng.uniform() < 1 / 3:
        webcam = {"blur_px": u(0, 1.3), "noise": u(0, 7), "jpeg_quality": int(rng.integers(45, 92)),
                  "dim": u(0.55, 1.1), "gamma": u(0.85, 1.2)}
    return {"azimuth_deg": u(-55, 55), "height_m": u(0.25, 1.35), "distance_m": u(1.9, 4.1),
            "fov_deg": u(44, 62), "look_at_height_m": u(0.4, 0.65), "facing": str(rng.choice(["left", "right"])),
            "yaw_jitter_deg": u(-4, 4), "size": [1280, 720] if rng.uniform() < 1 / 6 else [640, 480],
            "webcam": webcam}


class StillRenderer:
    """Renders one solved body from many cameras and reads each picture with posecoach's
    estimator. Heavy imports happen here (the module itself stays importable without them)."""

    def __init__(self) -> None:
        import pyrender  # noqa: PLC0415

        from posecoach.vision.estimator import PoseEstimator  # noqa: PLC0415

        self.estimator = PoseEstimator(masks=False, people_check_ms=0)
        self.t_ms = 0
        self._renderers: dict[tuple[int, int], Any] = {}
        real = pyrender.OffscreenRenderer

        def shared(width: int, height: int, **kw: Any) -> Any:  # one EGL renderer per size, reused
            key = (int(width), int(height))
            if key not in self._renderers:
                self._renderers[key] = real(width, height, **kw)
            return self._renderers[key]
        pyrender.OffscreenRenderer = shared  # type: ignore[assignment,misc]

    def detect(self, rgb: np.ndarray) -> Any:
        from posecoach.core.types import Frame  # noqa: PLC0415

        self.t_ms += 1000
        self.estimator.detect(Frame(image=np.zeros_like(rgb), t_ms=self.t_ms, index=0))
        pose = None
        for k in range(3):
            self.t_ms += 33
            pose = self.estimator.detect(Frame(image=np.ascontiguousarray(rgb[:, :, ::-1]), t_ms=self.t_ms, index=k))
        return pose


def render_still(r: StillRenderer, body: Any, look: Any, solved: Any, posture: Any, spec: dict[str, Any],
                 room_d: dict[str, Any], cam_d: dict[str, Any], seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """(RGB image, truth) of one camera on one posed body; the pelvis stands over the orbit centre."""
    import trimesh  # noqa: PLC0415

    from samplegen.body import JOINT_BONES  # noqa: PLC0415
    from samplegen.degrade import degrade  # noqa: PLC0415
    from samplegen.metrics import camera_angles_deg, picture_metrics, sagittal_metrics  # noqa: PLC0415
    from samplegen.render import _rot_z, body_yaw_rad  # noqa: PLC0415
    from samplegen.scenario import CameraSpec, RoomSpec, WebcamSpec  # noqa: PLC0415
    from samplegen.scene import MAT_THICKNESS_M, Camera, Stage  # noqa: PLC0415
    from samplegen.truth import pelvic_tilt_deg, view_angle_deg  # noqa: PLC0415

    facing_deg = (0.0 if cam_d["facing"] == "left" else 180.0) + cam_d["yaw_jitter_deg"]
    yaw = cam_d["azimuth_deg"] if cam_d["facing"] == "left" else -cam_d["azimuth_deg"]
    w, h = cam_d["size"]
    camera = Camera.from_spec(CameraSpec(height_m=cam_d["height_m"], distance_m=cam_d["distance_m"], yaw_deg=yaw,
                                         fov_deg=cam_d["fov_deg"], look_at_height_m=cam_d["look_at_height_m"]), w, h)
    posed = body.pose(solved.rotvecs, np.zeros(3))
    rot = _rot_z(body_yaw_rad(facing_deg))
    origin = np.array([0.0, solved.anchor[1], float(posed.vertices[:, 2].min())])
    pelvis0 = (posed.joint(0) - origin) @ rot.T
    offset = np.array([-pelvis0[0], -pelvis0[1], MAT_THICKNESS_M])

    def world(p: np.ndarray) -> np.ndarray:
        return (p - origin) @ rot.T + offset

    room = RoomSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in room_d.items()})
    anchor_xy = world(np.array([0.0, solved.anchor[1], origin[2]]))[:2]
    stage = Stage(room, camera, anchor_xy, body_yaw_rad(facing_deg), seed=seed)
    verts = world(look.dress(posed.vertices, body.faces))
    meshes = [trimesh.Trimesh(verts, body.faces, vertex_colors=look.colors, process=False)]
    meshes += look.hair_meshes(posed, world)
    stage.set_person(meshes)
    web = WebcamSpec(**cam_d["webcam"])
    image = degrade(stage.render(), web, np.random.default_rng(seed))
    stage.set_person([])
    px, ahead = camera.project(verts)
    inside = ahead & (px[:, 0] >= 0) & (px[:, 0] < w) & (px[:, 1] >= 0) & (px[:, 1] < h)
    joints_body = {n: posed.joint(body.index[b]) for n, b in JOINT_BONES.items()}
    joints_world = {n: world(p) for n, p in joints_body.items()}
    jpx, _ = camera.project(np.stack(list(joints_world.values())))
    inv = np.linalg.inv(camera.pose)
    jcam = np.stack(list(joints_world.values())) @ inv[:3, :3].T + inv[:3, 3]
    jcam = jcam * np.array([1.0, -1.0, -1.0])  # OpenGL camera -> x right, y down, z away
    pelvis = world(posed.joint(0))
    lateral = rot @ np.array([1.0, 0.0, 0.0])
    root = posed.bone_poses[0, :3, :3]
    marks, _ = camera.project(np.stack([pelvis, pelvis + rot @ np.array([0.0, -0.3, 0.0]), pelvis + rot @ root[:, 2] * 0.2]))
    facing = "right" if marks[1, 0] > marks[0, 0] else "left"
    sag = {k: np.array([-v[1], v[2]]) for k, v in joints_body.items()}
    az, el = camera_angles_deg(lateral, pelvis, camera.eye)
    names = list(joints_world)
    truth = {
        "metrics": sagittal_metrics(sag, posture.front, pelvic_tilt_deg(root)),
        "metrics_2d": picture_metrics(dict(zip(names, jpx)), posture.front, facing, (marks[0], marks[2])),
        "azimuth_deg": az, "elevation_deg": el, "view_deg": view_angle_deg(lateral, pelvis, camera.eye),
        "facing": facing, "front": posture.front, "whole_body": bool(inside.all()),
        "joints_px": {n: [round(float(a), 2) for a in p] for n, p in zip(names, jpx)},
        "joints_cam": {n: [round(float(a), 4) for a in p] for n, p in zip(names, jcam)},
        "joints_sag": {n: [round(float(a), 4) for a in p] for n, p in sag.items()},
    }
    return image, truth


def pose_record(pose: Any) -> dict[str, Any]:
    """The Pose as JSON-able lists (pixels 0.01, metres 0.1 mm, scores 0.001)."""
    if pose is None or not pose.present:
        return {"present": False, "size": list(pose.image_size) if pose is not None else None}
    return {"present": True, "size": list(pose.image_size), "xy": np.round(pose.xy, 2).tolist(),
            "world": None if pose.world is None else np.round(pose.world, 4).tolist(),
            "visibility": np.round(pose.visibility, 3).tolist(), "presence": np.round(pose.presence, 3).tolist()}


def run(out: Path, seed: int, bodies: int, postures: int, cameras: int, first_body: int = 0) -> None:
    """Render bodies first_body.. first_body+bodies-1 of set `seed` (resumes: postures already in
    OUT/stills.jsonl are skipped)."""
    import cv2  # noqa: PLC0415

    from samplegen.appearance import Appearance  # noqa: PLC0415
    from samplegen.body import Body  # noqa: PLC0415
    from samplegen.scenario import SKIN_TONES, BodySpec, Posture  # noqa: PLC0415
    from samplegen.solver import PostureSolver  # noqa: PLC0415

    (out / "img").mkdir(parents=True, exist_ok=True)
    meta = out / "stills.jsonl"
    done = {(d["body_id"], d["posture_id"]) for d in map(json.loads, meta.open())} if meta.is_file() else set()
    r = StillRenderer()
    keys = ("gender", "age", "muscle", "weight", "height", "proportions")
    with meta.open("a") as sink:
        for b in range(first_body, first_body + bodies):
            todo = [k for k in range(postures) if (b, k) not in done]
            if not todo:
                continue
            t0, c0 = time.time(), time.process_time()
            bd = draw_body(np.random.default_rng([seed, b]))
            spec = BodySpec(**{k: (tuple(v) if isinstance(v, list) else SKIN_TONES[v] if k == "skin" else v)
                               for k, v in bd.items()})
            body = Body({k: getattr(spec, k) for k in keys})
            solver = PostureSolver(body)
            look = Appearance.build(body, spec, seed=seed + b)
            n = 0
            for k in todo:
                prng = np.random.default_rng([seed, b, k])
                pd = draw_posture(prng)
                room_d = draw_room(prng)
                posture = Posture(**{x: v for x, v in pd.items() if x != "kind"})
                solved = solver.solve(posture, spec.hands)
                lines = []
                for c in range(cameras):
                    crng = np.random.default_rng([seed, b, k, c])
                    cam_d = draw_camera(crng)
                    room_c = {**room_d, "key_azimuth_deg": round(float(crng.uniform(-70, 70)), 1)}
                    sid = f"s{seed}_b{b:04d}_p{k}_c{c}"
                    image, truth = render_still(r, body, look, solved, posture, spec, room_c, cam_d, seed=zlib.crc32(sid.encode()))
                    pose = r.detect(image)
                    cv2.imwrite(str(out / "img" / f"{sid}.jpg"), image[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
                    lines.append(json.dumps({"id": sid, "seed": seed, "body_id": b, "posture_id": k, "camera_id": c,
                                             "body": bd, "posture": pd, "achieved": solved.achieved, "room": room_c,
                                             "camera": cam_d, "truth": truth, "pose": pose_record(pose)}))
                    n += 1
                sink.write("\n".join(lines) + "\n")
                sink.flush()
            print(f"body {b}: {n} stills, {time.process_time() - c0:.1f} CPU-s, {time.time() - t0:.0f} s wall "
                  f"({(time.process_time() - c0) / max(n, 1):.2f} CPU-s a still)", flush=True)


def mirror(out: Path) -> None:
    """Add OUT/mirror.jsonl: every still of OUT/stills.jsonl flipped left to right and read
    again by MediaPipe (a mirrored person: the other leg in front, facing the other way, the same
    3D angles, azimuth, elevation and near/far legs), for ~0.15 CPU-s a still instead of ~1."""
    import cv2  # noqa: PLC0415

    path = out / "mirror.jsonl"
    done = {json.loads(line)["id"] for line in path.open()} if path.is_file() else set()
    r = StillRenderer()
    swap = {"left": "right", "right": "left"}
    with path.open("a") as sink:
        for line in (out / "stills.jsonl").open():
            d = json.loads(line)
            sid = d["id"] + "_m"
            if sid in done:
                continue
            image = cv2.imread(str(out / "img" / f"{d['id']}.jpg"))[:, ::-1, ::-1]
            w = image.shape[1]
            t = dict(d["truth"])
            t["facing"], t["front"] = swap[t["facing"]], swap[t["front"]]
            t["joints_px"] = {n: [round(w - p[0], 2), p[1]] for n, p in t["joints_px"].items()}
            t["joints_cam"] = {n: [-p[0], p[1], p[2]] for n, p in t["joints_cam"].items()}
            sink.write(json.dumps({**d, "id": sid, "mirrored": True, "truth": t,
                                   "pose": pose_record(r.detect(np.ascontiguousarray(image)))}) + "\n")
            sink.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.oblique_stills", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, help="the set's seed (fit and check sets differ)")
    ap.add_argument("--bodies", type=int, default=100)
    ap.add_argument("--first-body", type=int, default=0)
    ap.add_argument("--postures", type=int, default=4, help="postures per body")
    ap.add_argument("--cameras", type=int, default=10, help="cameras per posture")
    ap.add_argument("--mirror", action="store_true", help="only add the mirrored stills (mirror.jsonl)")
    args = ap.parse_args(argv)
    if args.mirror:
        mirror(args.out)
    elif args.seed is None:
        ap.error("give --seed (or --mirror)")
    else:
        run(args.out, args.seed, args.bodies, args.postures, args.cameras, args.first_body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
