"""Render one scenario into an MP4 and its ground-truth JSON."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import trimesh

from samplegen.appearance import Appearance
from samplegen.body import JOINT_BONES, Body
from samplegen.degrade import degrade
from samplegen.gestures import gesture_truth, wave_axes, wave_rotvecs
from samplegen.motion import NaturalMotion, _segment, timeline_state, walk_cycle
from samplegen.scenario import Scenario
from samplegen.scene import MAT_THICKNESS_M, Camera, Stage
from samplegen.solver import PostureSolver, SolvedPose
from samplegen.metrics import camera_angles_deg
from samplegen.truth import frame_record, view_angle_deg, write_truth


@dataclass
class ClipResult:
    """Paths written and timings (seconds)."""

    video: Path
    truth: Path
    frames: int
    solve_s: float
    render_s_per_frame: float


def _rot_z(angle_rad: float) -> np.ndarray:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def body_yaw_rad(facing_deg: float) -> float:
    """World yaw of the body frame for a facing angle (0 = faces image-left at camera yaw 0)."""
    return math.radians(facing_deg - 90.0)


def _open_writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    for code in ("avc1", "mp4v"):
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*code), fps, size)
        if writer.isOpened():
            return writer
    raise RuntimeError(f"cannot open a video writer for {path}")


def _mat_placement(scenario: Scenario, solved: list[SolvedPose | None]) -> tuple[np.ndarray, float]:
    """World centre and yaw of the mat: under the first lunge (or the first posture)."""
    keys = scenario.keyframes
    order = [i for i, k in enumerate(keys) if k.posture.kind == "lunge"] or [i for i, k in enumerate(keys) if solved[i]]
    if not order:
        return np.zeros(2), 0.0
    k = keys[order[0]]
    return np.asarray(k.position, float), body_yaw_rad(k.facing_deg)


def _pelvis_shift(scenario: Scenario, solved: list[SolvedPose | None], body: Body) -> np.ndarray:
    """World floor offset (2,) that puts the first lunge keyframe's pelvis over the origin (the
    camera's orbit centre) when ``camera.orbit_pelvis`` is set; zero otherwise."""
    if not scenario.camera.orbit_pelvis:
        return np.zeros(2)
    keys = scenario.keyframes
    order = [i for i, k in enumerate(keys) if k.posture.kind == "lunge" and solved[i]] or \
        [i for i in range(len(keys)) if solved[i]]
    if not order:
        return np.zeros(2)
    key, pose = keys[order[0]], solved[order[0]]
    assert pose is not None
    posed = body.pose(pose.rotvecs, np.zeros(3))
    rot = _rot_z(body_yaw_rad(key.facing_deg))
    origin = np.array([0.0, pose.anchor[1], float(posed.vertices[:, 2].min())])
    pelvis = (posed.joint(0) - origin) @ rot.T
    return np.asarray(key.position, float) + pelvis[:2]


def render_clip(scenario: Scenario, out_dir: Path, preview: bool = False, log: Callable[[str], None] = print) -> ClipResult:
    """Render ``scenario`` to ``out_dir/<stem>.mp4`` and ``<stem>.truth.json``.

    With ``preview`` only every 15th frame is rendered, into ``<stem>.preview.png`` (no video).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = scenario.body
    t0 = time.time()
    body = Body({k: getattr(spec, k) for k in ("gender", "age", "muscle", "weight", "height", "proportions")})
    solver = PostureSolver(body)
    solved: list[SolvedPose | None] = []
    for key in scenario.keyframes:
        if key.posture.kind == "absent":
            solved.append(None)
            continue
        pose = solver.solve(key.posture, spec.hands)
        solved.append(pose)
        if pose.achieved:
            vals = ", ".join(f"{k}={v:.1f}" for k, v in pose.achieved.items() if v is not None)
            log(f"  t={key.t_s:4.1f}s {key.posture.kind} {key.posture.front}: {vals}")
    waves = wave_axes(body, scenario.keyframes, [p.rotvecs if p else None for p in solved])
    solve_s = time.time() - t0
    width, height = scenario.size
    camera = Camera.from_spec(scenario.camera, width, height)
    mat_xy, mat_yaw = _mat_placement(scenario, solved)
    shift = _pelvis_shift(scenario, solved, body)
    mat_xy = mat_xy - shift
    stage = Stage(scenario.room, camera, mat_xy, mat_yaw, seed=scenario.motion.seed)
    look = Appearance.build(body, spec, seed=scenario.motion.seed)
    motion = NaturalMotion(scenario.motion, body.index)
    rng = np.random.default_rng(scenario.motion.seed + 1)
    joint_ids = {name: body.index[bone] for name, bone in JOINT_BONES.items()}
    video_path = out_dir / f"{scenario.stem}.mp4"
    truth_path = out_dir / f"{scenario.stem}.truth.json"
    writer = None if preview else _open_writer(video_path, scenario.fps, (width, height))
    per_frame: list[dict] = []
    thumbs: list[np.ndarray] = []
    t_render = time.time()
    rendered = 0
    for frame in range(scenario.frame_count):
        t = frame / scenario.fps
        if preview and frame % 15:
            continue
        state = timeline_state(scenario.keyframes, solved, t)
        record_args: dict = dict(joints_body=None, root_rotation=None, view_deg=None, facing=None, joints_px=None)
        whole = False
        present = False
        if state.present and state.rotvecs is not None and state.anchor is not None:
            rv, drift = motion.apply(state.rotvecs, t)
            rv = wave_rotvecs(rv, scenario.keyframes, t, body.index, _segment, waves)
            if state.phase == "moving":
                rv = walk_cycle(rv, state.path_m, body.index)
            posed = body.pose(rv, np.zeros(3))
            floor = float(posed.vertices[:, 2].min())
            rot = _rot_z(body_yaw_rad(state.facing_deg))
            origin = np.array([0.0, state.anchor[1], floor])
            offset = np.array([state.position[0] + drift[0] - shift[0], state.position[1] + drift[1] - shift[1],
                               MAT_THICKNESS_M])

            def to_world(p: np.ndarray) -> np.ndarray:
                return (p - origin) @ rot.T + offset

            verts = to_world(look.dress(posed.vertices, body.faces))
            meshes = [trimesh.Trimesh(verts, body.faces, vertex_colors=look.colors, process=False)]
            meshes += look.hair_meshes(posed, to_world)
            stage.set_person(meshes)
            px, in_front = camera.project(verts)
            inside = in_front & (px[:, 0] >= 0) & (px[:, 0] < width) & (px[:, 1] >= 0) & (px[:, 1] < height)
            present = bool(inside.any())
            whole = bool(inside.all())
            joints_body = {name: posed.joint(i) for name, i in joint_ids.items()}
            joints_world = {name: to_world(p) for name, p in joints_body.items()}
            jpx, _ = camera.project(np.stack(list(joints_world.values())))
            pelvis = to_world(posed.joint(0))
            root_rotation = posed.bone_poses[0, :3, :3]
            pelvis_up = pelvis + rot @ root_rotation[:, 2] * 0.2
            ahead, _ = camera.project(np.stack([pelvis, pelvis + rot @ np.array([0.0, -0.3, 0.0]), pelvis_up]))
            lateral = rot @ np.array([1.0, 0.0, 0.0])
            record_args = dict(
                joints_body=joints_body, root_rotation=root_rotation,
                view_deg=view_angle_deg(lateral, pelvis, camera.eye),
                facing="right" if ahead[1, 0] > ahead[0, 0] else "left",
                joints_px=dict(zip(joints_world, jpx)),
                camera_angles=camera_angles_deg(lateral, pelvis, camera.eye),
                pelvis_up_px=(ahead[0], ahead[2]),
            )
        else:
            stage.set_person([])
        image = degrade(stage.render(), scenario.webcam, rng)
        rendered += 1
        per_frame.append(frame_record(frame, int(round(1000 * t)), present, whole, state.in_lunge and present, state.front,
                                      state.phase, **record_args))
        if writer is not None:
            writer.write(image[:, :, ::-1])
        if preview:
            thumbs.append(image)
    render_s = (time.time() - t_render) / max(1, rendered)
    stage.close()
    if writer is not None:
        writer.release()
        write_truth(truth_path, scenario, video_path.name, per_frame, width, height,
                    extra=gesture_truth(scenario.keyframes, per_frame))
    if preview:
        cv2.imwrite(str(out_dir / f"{scenario.stem}.preview.png"), _contact_sheet(thumbs)[:, :, ::-1])
    log(f"{scenario.stem}: {rendered} frames, solve {solve_s:.1f} s, {render_s * 1000:.0f} ms/frame")
    return ClipResult(video_path, truth_path, rendered, solve_s, render_s)


def _contact_sheet(images: list[np.ndarray], cols: int = 4) -> np.ndarray:
    """Tile thumbnails (half size) into one image."""
    if not images:
        return np.zeros((10, 10, 3), np.uint8)
    small = [cv2.resize(im, (im.shape[1] // 2, im.shape[0] // 2)) for im in images]
    while len(small) % cols:
        small.append(np.zeros_like(small[0]))
    rows = [np.concatenate(small[i:i + cols], 1) for i in range(0, len(small), cols)]
    return np.concatenate(rows, 0)
