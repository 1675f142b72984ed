"""Render a lying scenario (samplegen.lying) into an MP4 and its ground truth.

usage: python -m samplegen.lying_render SCENARIO.toml [...] [--out DIR] [--preview]

The truth file keeps the lunge fields of docs/ground-truth.md (the six lunge metrics are null, the
lunge form codes ambiguous) and adds, per frame: exercise, posture (supine | prone | sitting |
transition | absent), lying_metrics (trunk_elevation_deg, knee_angle_deg, pelvis_lift_deg,
foot_lift, hip_height_m, and the low back's pelvic_tilt_lying_deg, lumbar_gap_cm, lumbar_gap, trunk_m of
samplegen.lying_arch), exercise_fault / exercise_ambiguous (the rest bands of
posecoach.exercises.rest; ARCHED_BACK_LYING by the true pelvic tilt, `rest_truth_bands`),
breathing_rate_bpm and belly_rise_m. Joint-centre metrics are taken
in the body's sagittal plane (the vertical plane through the body's long axis).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
import trimesh

from posecoach.exercises.judging import judge_truth
from posecoach.exercises.rest import rest_truth_bands
from samplegen.appearance import Appearance
from samplegen.body import JOINT_BONES, Body
from samplegen.degrade import degrade
from samplegen.gestures import gesture_truth, wave_axes, wave_rotvecs
from samplegen.lying import LyingScenario, load_lying_scenario, rot_x, rot_z
from samplegen.lying_arch import ARCH_KEYS, LumbarTruth
from samplegen.lying_pose import LyingPose, LyingSolver
from samplegen.metrics import judge
from samplegen.motion import NaturalMotion, _segment
from samplegen.render import _contact_sheet, _open_writer
from samplegen.scenario import MotionSpec
from samplegen.scene import MAT_THICKNESS_M, Camera, Stage
from samplegen.truth import ROUND, view_angle_deg

BALL_RADIUS_M = 0.09


def _smoothstep(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def belly_weights(body: Body) -> np.ndarray:
    """How far each vertex moves with a breath (0-1): the front of the belly most, the lower
    chest a little, nothing behind the mid-trunk (rest pose, metres)."""
    v = body.rest_vertices
    j = body.rest_joints
    hip_z = 0.5 * (j[body.index["upperleg01.L"], 2] + j[body.index["upperleg01.R"], 2])
    spine_y = j[body.index["spine03"], 1]
    up = _smoothstep(v[:, 2], hip_z - 0.02, hip_z + 0.08) * (1.0 - 0.7 * _smoothstep(v[:, 2], hip_z + 0.25, hip_z + 0.40))
    up *= 1.0 - _smoothstep(v[:, 2], hip_z + 0.40, hip_z + 0.48)
    front = _smoothstep(spine_y - v[:, 1], 0.02, 0.10)
    side = 1.0 - _smoothstep(np.abs(v[:, 0]), 0.12, 0.18)
    return up * front * side


def sagittal_metrics(joints: dict[str, np.ndarray], head_sign: float) -> dict[str, float]:
    """Lying measurements from world joint centres (metres): u along the body towards the head."""
    uv = {k: np.array([p[0] * head_sign, p[2]]) for k, p in joints.items()}
    mid = lambda a, b: 0.5 * (uv[a] + uv[b])  # noqa: E731
    hip, sh = mid("left_hip", "right_hip"), mid("left_shoulder", "right_shoulder")
    elev = math.degrees(math.atan2(sh[1] - hip[1], abs(sh[0] - hip[0])))
    knees = []
    for s in ("left", "right"):
        a, b, c = uv[f"{s}_hip"], uv[f"{s}_knee"], uv[f"{s}_ankle"]
        u, w = a - b, c - b
        knees.append(math.degrees(math.acos(np.clip(u @ w / (np.linalg.norm(u) * np.linalg.norm(w)), -1, 1))))
    return {"trunk_elevation_deg": elev, "knee_angle_deg": float(np.mean(knees)), "pelvis_lift_deg": -elev}


class LyingClip:
    """Per-clip state: body, solver, keyframe poses, and the world placement."""

    def __init__(self, sc: LyingScenario, log=print) -> None:
        spec = sc.body
        self.sc = sc
        self.body = Body({k: getattr(spec, k) for k in ("gender", "age", "muscle", "weight", "height", "proportions")})
        self.solver = LyingSolver(self.body)
        self.poses: list[LyingPose | None] = []
        for key in sc.keyframes:
            if key.posture.kind == "absent":
                self.poses.append(None)
                continue
            self.poses.append(self.solver.solve_lying(key.posture))
            log(f"  t={key.t_s:4.1f}s {key.posture.kind} turn={self.poses[-1].turn_deg:.1f}")
        self.waves = wave_axes(self.body, sc.keyframes, [p.rotvecs if p else None for p in self.poses])
        self.look = Appearance.build(self.body, spec, seed=sc.seed)
        self.belly = belly_weights(self.body)
        self.motion = NaturalMotion(MotionSpec(breathing_deg=0.0, head_deg=1.5, drift_m=0.0, seed=sc.seed), self.body.index)
        self.head_sign = 1.0 if sc.head == "right" else -1.0
        self.phase0 = float(np.random.default_rng(sc.seed).uniform(0, 2 * math.pi))
        self.x_anchor: float | None = None
        s = self.solver
        self.heel_ids, self.ball_ids = {}, {}
        for side in "LR":
            rest = self.body.rest_vertices
            ankle = self.body.rest_joints[self.body.index[f"foot.{side}"]]
            foot = s.foot_vertices[side]
            self.heel_ids[side] = foot[rest[foot, 1] > ankle[1] - 0.01]
            self.ball_ids[side] = foot[rest[foot, 1] < ankle[1] - 0.09]

    def state(self, t: float) -> tuple[str, LyingPose | None]:
        keys = self.sc.keyframes
        i, w = _segment(keys, t)
        j = min(i + 1, len(keys) - 1)
        a, b = self.poses[i], self.poses[j]
        ka, kb = keys[i].posture.kind, keys[j].posture.kind
        if w <= 0.0 or i == j:
            return ka, a
        if w >= 1.0:
            return kb, b
        if a is None or b is None:
            return "absent", None
        pose = LyingPose((1 - w) * a.rotvecs + w * b.rotvecs, (1 - w) * a.turn_deg + w * b.turn_deg)
        return (ka if ka == kb else "transition"), pose

    def belly_rise(self, t: float) -> float:
        sc = self.sc
        return sc.breathing_amp_m * math.sin(2 * math.pi * sc.breathing_bpm / 60.0 * t + self.phase0)

    def world(self, kind: str, pose: LyingPose, t: float):
        """World vertices, joint centres, ball mesh (or None), facing rotation, belly rise (m)."""
        body = self.body
        rv, _ = self.motion.apply(pose.rotvecs, t)
        rv = wave_rotvecs(rv, self.sc.keyframes, t, body.index, _segment, self.waves)
        posed = body.pose(rv, np.zeros(3))
        verts = self.look.dress(posed.vertices, body.faces)
        rise = self.belly_rise(t) if kind in ("supine", "transition") and self.sc.breathing_bpm > 0 else 0.0
        if rise:
            fwd = posed.bone_transforms[body.index["spine03"], :3, :3] @ np.array([0.0, -1.0, 0.0])
            verts = verts + rise * self.belly[:, None] * fwd[None, :]
        rx = rot_x(pose.turn_deg)
        head = rx @ np.array([0.0, 0.0, 1.0])
        yaw = math.atan2(0.0, self.head_sign) - math.atan2(head[1], head[0])
        rot = rot_z(yaw) @ rx
        vw = verts @ rot.T
        jw = {name: rot @ posed.joint(body.index[bone]) for name, bone in JOINT_BONES.items()}
        hip_x = 0.5 * (jw["left_hip"][0] + jw["right_hip"][0])
        if self.x_anchor is None:
            self.x_anchor = hip_x - 0.5 * (vw[:, 0].max() + vw[:, 0].min())
        shift = np.array([self.x_anchor - hip_x, -0.5 * (vw[:, 1].max() + vw[:, 1].min()),
                          MAT_THICKNESS_M - vw[:, 2].min()])
        vw = vw + shift
        jw = {k: v + shift for k, v in jw.items()}
        feet = {side: (float(vw[self.heel_ids[side], 2].min()), float(vw[self.ball_ids[side], 2].min())) for side in "LR"}
        ball = None
        if self.sc.ball_side and kind == "prone":
            side = "L" if self.sc.ball_side == "left" else "R"
            sign = 1.0 if side == "L" else -1.0
            point = rot @ (posed.joint(body.index[f"upperleg01.{side}"]) + np.array([-sign * 0.05, -0.08, 0.07])) + shift
            ball = trimesh.creation.icosphere(subdivisions=3, radius=BALL_RADIUS_M)
            ball.apply_scale([1.0, 1.0, 0.8])
            ball.apply_translation([point[0], point[1], MAT_THICKNESS_M + 0.8 * BALL_RADIUS_M])
            ball.visual.vertex_colors = np.array([200, 90, 150, 255], np.uint8)
        return vw, jw, ball, rot, posed, rise, feet, shift


def render_lying(sc: LyingScenario, out_dir: Path, preview: bool = False, log=print,
                 truth_only: bool = False) -> Path:
    """Render `sc` into out_dir/<stem>.mp4 and its truth. truth_only: write the truth file alone
    (the same rows, no picture drawn; the video already there is kept)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    clip = LyingClip(sc, log)
    width, height = sc.size
    camera = Camera.from_spec(sc.camera, width, height)
    stage = Stage(sc.room, camera, np.zeros(2), math.pi / 2, seed=sc.seed)
    rng = np.random.default_rng(sc.seed + 1)
    video = out_dir / f"{sc.stem}.mp4"
    writer = None if preview or truth_only else _open_writer(video, sc.fps, (width, height))
    bands = rest_truth_bands()
    lumbar = LumbarTruth(clip.body)
    rows, thumbs = [], []
    for frame in range(sc.frame_count):
        t = frame / sc.fps
        if preview and frame % 15:
            continue
        kind, pose = clip.state(t)
        row: dict = {"frame": frame, "t_ms": int(round(1000 * t)), "exercise": sc.exercise, "posture": kind}
        present = whole = False
        view_deg = None
        lying: dict = dict.fromkeys(("trunk_elevation_deg", "knee_angle_deg", "pelvis_lift_deg", "foot_lift", "hip_height_m",
                                      *ARCH_KEYS))
        jpx: dict = {}
        rise = 0.0
        if pose is not None:
            vw, jw, ball, rot, posed, rise, feet, shift = clip.world(kind, pose, t)
            meshes = [trimesh.Trimesh(vw, clip.body.faces, vertex_colors=clip.look.colors, process=False)]
            meshes += clip.look.hair_meshes(posed, lambda p: p @ rot.T + shift)
            if ball is not None:
                meshes.append(ball)
            if not truth_only:
                stage.set_person(meshes)
            px, in_front = camera.project(vw)
            inside = in_front & (px[:, 0] >= 0) & (px[:, 0] < width) & (px[:, 1] >= 0) & (px[:, 1] < height)
            present, whole = bool(inside.any()), bool(inside.all())
            pelvis = 0.5 * (jw["left_hip"] + jw["right_hip"])
            view_deg = view_angle_deg(rot @ np.array([1.0, 0.0, 0.0]), pelvis, camera.eye)
            lying.update({k: round(v, 2) for k, v in sagittal_metrics(jw, clip.head_sign).items()})
            shin = float(np.mean([np.linalg.norm(jw[f"{s}_knee"] - jw[f"{s}_ankle"]) for s in ("left", "right")]))
            lift = max(max(h - MAT_THICKNESS_M, 0.0) for pair in feet.values() for h in pair)
            lying["foot_lift"] = round(lift / shin, 3)
            lying["hip_height_m"] = round(float(pelvis[2] - MAT_THICKNESS_M), 3)
            lying.update(lumbar.measure(pose.rotvecs, posed, rot, shift, jw, kind == "supine"))
            names = list(jw)
            pts, _ = camera.project(np.stack([jw[n] for n in names]))
            jpx = {n: [round(float(p[0]), 1), round(float(p[1]), 1)] for n, p in zip(names, pts)}
        else:
            stage.set_person([])
        image = None if truth_only else degrade(stage.render(), sc.webcam, rng)
        view = None
        if present and view_deg is not None:
            view = "side" if view_deg <= 25 else "front" if view_deg > 55 else "oblique"
        fault, ambiguous = judge(dict.fromkeys(ROUND), False, view, present, whole)
        judging = present and whole and view == "side" and kind == "supine"
        ex_fault, ex_amb = judge_truth(lying, bands, judging)
        row.update({
            "person": present, "whole_body_in_frame": bool(present and whole), "view": view,
            "view_deg": None if view_deg is None or not present else round(view_deg, 1),
            "front_side": None, "in_lunge": False, "metrics": dict.fromkeys(ROUND),
            "fault": fault, "ambiguous": ambiguous,
            "lying_metrics": lying if present else dict.fromkeys(lying),
            "exercise_fault": ex_fault, "exercise_ambiguous": ex_amb,
            "breathing_rate_bpm": sc.breathing_bpm if present and kind == "supine" and sc.breathing_bpm > 0 else None,
            "belly_rise_m": round(rise, 5), "ball_side": sc.ball_side if kind == "prone" else None,
            "joints_px": jpx,
        })
        rows.append(row)
        if writer is not None:
            writer.write(image[:, :, ::-1])
        if image is not None and (preview or frame % max(1, sc.frame_count // 4) == 0):
            thumbs.append(image)
    stage.close()
    if writer is not None:
        writer.release()
    if not preview:
        _write_truth(out_dir / f"{sc.stem}.truth.json", sc, video.name, rows)
    if thumbs:
        sheet = _contact_sheet(thumbs)
        cv2.imwrite(str(out_dir / f"{sc.stem}.preview.png") if preview else f"/tmp/{sc.stem}.sheet.png", sheet[:, :, ::-1])
    log(f"{sc.stem}: {len(rows)} frames in {time.time() - t0:.0f} s")
    return video


def _write_truth(path: Path, sc: LyingScenario, video: str, rows: list[dict]) -> None:
    doc = {
        "video": video, "fps": sc.fps, "frames": len(rows), "width": sc.size[0], "height": sc.size[1],
        "neutral_s": None, "tags": list(sc.tags), "description": sc.description, "exercise": sc.exercise,
        "generator": "samplegen.lying (anny body model, pyrender)", "head": sc.head,
        "breathing_bpm": sc.breathing_bpm, "breathing_amp_m": sc.breathing_amp_m, "ball_side": sc.ball_side,
        "body": asdict(sc.body), "camera": asdict(sc.camera),
        **gesture_truth(sc.keyframes, rows),
    }
    head = json.dumps(doc, indent=1)[:-2]
    body = ",\n  ".join(json.dumps(r, separators=(",", ":")) for r in rows)
    path.write_text(f'{head},\n "per_frame": [\n  {body}\n ]\n}}\n')


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samplegen.lying_render", description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "sample_videos" / "lying")
    ap.add_argument("--preview", action="store_true")
    ap.add_argument("--truth-only", action="store_true", help="rewrite the truth files, draw no picture")
    args = ap.parse_args(argv)
    for path in args.scenarios:
        sc = load_lying_scenario(path)
        print(f"rendering {path.name}: {sc.description}", flush=True)
        render_lying(sc, args.out, preview=args.preview, log=lambda m: print(m, flush=True),
                     truth_only=args.truth_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
