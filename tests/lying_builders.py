"""Constructed side-view poses on the floor for tests: lying on the back, face down, sitting up,
standing. Landmarks are placed exactly where the measurements expect joint centres (pixels)."""
from __future__ import annotations

import math

import numpy as np

from posecoach.core.landmarks import NUM_LANDMARKS, side_joints
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Pose
from posecoach.exercises.rest import FLOOR_BELOW_SHOULDER

FLOOR_Y = 400.0


def _knee(hip: np.ndarray, ankle: np.ndarray, thigh: float, shin: float) -> np.ndarray:
    """The knee at `thigh` from the hip and `shin` from the ankle, on the upper (smaller y) side."""
    d = ankle - hip
    dist = float(np.hypot(*d))
    a = (thigh ** 2 - shin ** 2 + dist ** 2) / (2 * dist)
    h = math.sqrt(max(thigh ** 2 - a ** 2, 0.0))
    base = hip + a * d / dist
    perp = np.array([-d[1], d[0]]) / dist
    k1, k2 = base + h * perp, base - h * perp
    return k1 if k1[1] < k2[1] else k2


def _pose(points: dict[str, np.ndarray], size: tuple[int, int], mask: np.ndarray | None = None) -> Pose:
    xy = np.full((NUM_LANDMARKS, 2), np.nan)
    for side in ("left", "right"):
        j = side_joints(side)
        for name in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index", "ear"):
            xy[j[name]] = points[name]
    xy[L.NOSE] = points["nose"]
    for lm in (L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EYE_INNER, L.RIGHT_EYE_INNER, L.LEFT_EYE_OUTER,
               L.RIGHT_EYE_OUTER, L.MOUTH_LEFT, L.MOUTH_RIGHT):
        xy[lm] = 0.5 * (points["nose"] + points["ear"])
    for lm in (L.LEFT_PINKY, L.LEFT_INDEX, L.LEFT_THUMB, L.RIGHT_PINKY, L.RIGHT_INDEX, L.RIGHT_THUMB):
        xy[lm] = points["wrist"]
    world = np.zeros((NUM_LANDMARKS, 3))
    world[L.LEFT_SHOULDER], world[L.RIGHT_SHOULDER] = [0, 0, 0.2], [0, 0, -0.2]
    world[L.LEFT_HIP], world[L.RIGHT_HIP] = [0, 0, 0.1], [0, 0, -0.1]
    ones = np.ones(NUM_LANDMARKS)
    return Pose(xy=xy, visibility=ones, presence=ones, world=world, mask=mask, image_size=size)


def supine_pose(knee_deg: float = 90.0, pelvis_lift_deg: float = 0.0, foot_lift: float = 0.0,
                trunk_elev_deg: float = 0.0, head_dir: int = 1, scale: float = 100.0,
                shoulder_x: float | None = None, size: tuple[int, int] = (640, 480),
                belly_px: float | None = None, hollow_px: float | None = None,
                thigh_px: float = 0.0) -> Pose:
    """Lying on the back, side view, head towards image-right when head_dir = +1.

    pelvis_lift_deg raises the hips (seen from the shoulder); trunk_elev_deg raises the shoulders
    (propping up, sitting up); foot_lift raises both feet by that many shin lengths.
    belly_px: also give a person mask whose height over the belly is this many pixels.
    hollow_px: instead, a mask of the trunk lying on the floor (from a third of a trunk behind the
    hip to past the shoulder) whose underside rises this many pixels over the low back (a smooth
    bump peaking halfway between hip and shoulder): the hollow under the lumbar spine; its top
    stands `thigh_px` higher behind the hip (the thigh) than over the trunk.
    """
    trunk, thigh, shin = 1.1 * scale, 1.0 * scale, 0.9 * scale
    sx = shoulder_x if shoulder_x is not None else (440.0 if head_dir > 0 else 200.0)
    floor_sh = FLOOR_Y - FLOOR_BELOW_SHOULDER * trunk
    lift = math.radians(pelvis_lift_deg - trunk_elev_deg)
    shoulder = np.array([sx, floor_sh])
    hip = shoulder + trunk * np.array([-head_dir * math.cos(lift), -math.sin(lift)])
    if trunk_elev_deg > 0:  # the hips stay down, the shoulders rise
        hip = np.array([hip[0], floor_sh])
        e = math.radians(trunk_elev_deg)
        shoulder = hip + trunk * np.array([head_dir * math.cos(e), -math.sin(e)])
    ankle_y = floor_sh - foot_lift * shin
    dist = math.sqrt(thigh ** 2 + shin ** 2 - 2 * thigh * shin * math.cos(math.radians(knee_deg)))
    dy = ankle_y - hip[1]
    ankle = hip + np.array([-head_dir * math.sqrt(max(dist ** 2 - dy ** 2, 1.0)), dy])
    knee = _knee(hip, ankle, thigh, shin)
    foot_y = FLOOR_Y - foot_lift * shin
    ear = shoulder + np.array([head_dir * 0.3 * trunk, -0.05 * scale])
    pts = {
        "shoulder": shoulder, "hip": hip, "knee": knee, "ankle": ankle,
        "heel": np.array([ankle[0] + head_dir * 0.05 * scale, foot_y]),
        "foot_index": np.array([ankle[0] - head_dir * 0.5 * scale, foot_y]),
        "elbow": shoulder + np.array([-head_dir * 0.3 * trunk, 0.08 * trunk]),
        "wrist": hip + np.array([head_dir * 0.2 * trunk, -0.3 * scale]),
        "ear": ear, "nose": ear + np.array([head_dir * 0.04 * scale, -0.12 * scale]),
    }
    mask = None
    if belly_px is not None:
        mask = np.zeros((size[1], size[0]), np.float32)
        x0, x1 = sorted((int(hip[0]), int(shoulder[0])))
        full = int(belly_px)
        mask[int(FLOOR_Y) - full:int(FLOOR_Y), x0:x1 + 1] = 1.0
        mask[int(FLOOR_Y) - full - 1, x0:x1 + 1] = belly_px - full
    if hollow_px is not None:
        mask = np.zeros((size[1], size[0]), np.float32)
        xs = np.arange(size[0]) + 0.5
        f = (xs - hip[0]) / (shoulder[0] - hip[0])  # 0 at the hip, 1 at the shoulder
        bump = hollow_px * np.clip(np.sin(np.pi * (f - 0.05) / 0.9), 0, None) * ((f > 0.05) & (f < 0.95))
        bottom = FLOOR_Y - bump
        top = FLOOR_Y - 0.35 * trunk - thigh_px * (f < 0)
        rows = np.arange(size[1])[:, None] + 0.5
        inside = (f >= -0.35) & (f <= 1.1)
        # soft edge: one pixel of ramp at the underside
        mask[:] = np.clip(bottom[None, :] - rows + 0.5, 0, 1) * (rows >= top[None, :]) * inside[None, :]
    return _pose(pts, size, mask)


def prone_pose(head_dir: int = 1, scale: float = 100.0, propped: bool = True,
               size: tuple[int, int] = (640, 480)) -> Pose:
    """Lying face down, legs long, on the forearms (propped) or flat with the head down."""
    trunk, thigh, shin = 1.1 * scale, 1.0 * scale, 0.9 * scale
    sx = 440.0 if head_dir > 0 else 200.0
    sh_y = FLOOR_Y - (0.45 if propped else 0.15) * trunk
    hip_y = FLOOR_Y - 0.2 * trunk
    shoulder = np.array([sx, sh_y])
    hip = np.array([sx - head_dir * math.sqrt(trunk ** 2 - (hip_y - sh_y) ** 2), hip_y])
    knee = hip + np.array([-head_dir * thigh, 0.08 * scale])
    ankle = knee + np.array([-head_dir * shin, -0.02 * scale])
    ear = shoulder + np.array([head_dir * 0.3 * trunk, -0.1 * scale])
    pts = {
        "shoulder": shoulder, "hip": hip, "knee": knee, "ankle": ankle,
        "heel": ankle + np.array([head_dir * 0.05 * scale, -0.1 * scale]),
        "foot_index": ankle + np.array([-head_dir * 0.2 * scale, 0.12 * scale]),
        "elbow": np.array([sx, FLOOR_Y - 0.05 * trunk]) if propped else shoulder + [head_dir * 0.2 * scale, 0.1 * scale],
        "wrist": np.array([sx + head_dir * 0.3 * trunk, FLOOR_Y - 0.05 * trunk]),
        "ear": ear, "nose": ear + np.array([head_dir * 0.12 * scale, 0.04 * scale]),
    }
    return _pose(pts, size)


def upright_pose(kind: str = "sitting", head_dir: int = 1, scale: float = 100.0,
                 size: tuple[int, int] = (640, 480)) -> Pose:
    """Sitting on the floor with knees up, or standing, side view (facing image-right if head_dir=+1)."""
    trunk, thigh, shin = 1.1 * scale, 1.0 * scale, 0.9 * scale
    f = head_dir
    if kind == "sitting":
        hip = np.array([320.0, FLOOR_Y - 0.18 * trunk])
        ankle = np.array([320.0 + f * 1.3 * scale, FLOOR_Y - 0.1 * scale])
        knee = _knee(hip, ankle, thigh, shin)
    elif kind == "standing":
        ankle = np.array([320.0, FLOOR_Y - 0.1 * scale])
        knee = ankle + np.array([0.0, -shin])
        hip = knee + np.array([0.0, -thigh])
    else:
        raise ValueError(kind)
    shoulder = hip + np.array([0.05 * f * scale, -trunk])
    ear = shoulder + np.array([0.0, -0.3 * scale])
    pts = {
        "shoulder": shoulder, "hip": hip, "knee": knee, "ankle": ankle,
        "heel": np.array([ankle[0] - f * 0.1 * scale, FLOOR_Y]),
        "foot_index": np.array([ankle[0] + f * 0.4 * scale, FLOOR_Y]),
        "elbow": shoulder + np.array([0.0, 0.5 * scale]), "wrist": hip + np.array([f * 0.3 * scale, 0.0]),
        "ear": ear, "nose": ear + np.array([f * 0.12 * scale, 0.0]),
    }
    return _pose(pts, size)


def run_floor_coach(analyzer, coach, steps, fps=10.0, keys=None):
    """Drive a floor coach as the session does. steps: [(pose, seconds)]; keys: {t_s: 's'|'p'}
    (switch side, pain) -> ([(t_s, phase, cue code)] at each cue, final state)."""
    t, cues, cs = 0, [], None
    keys = dict(keys or {})
    for pose, seconds in steps:
        for _ in range(int(seconds * fps)):
            for k in [k for k in keys if k * 1000 <= t]:
                if keys.pop(k) == "s":
                    coach.switch_side()
                else:
                    cue = coach.stop_for_pain(t)
                    cues.append((t / 1000, coach.phase, cue.code))
            cs = coach.update(analyzer.update(pose, t), t)
            if cs.cue:
                cues.append((t / 1000, cs.phase, cs.cue.code))
            t += int(1000 / fps)
    return cues, cs


def cue_codes(cues):
    return [code for _, _, code in cues]
