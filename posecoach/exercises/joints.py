"""Anatomical joint centres from BlazePose landmarks.

BlazePose's points are not joint centres. Each correction below moves a landmark by a fixed
fraction of a body segment's length in the person's own frame, so it scales with the person and
the camera distance and turns with the body:
  hip: (forward, up) in the trunk frame (up = mid-hip -> mid-shoulder), in thigh lengths; the front
       and the back leg's hips separately (the back thigh is extended, the front one flexed);
  knee: (out, across) where "out" is the outward bisector of the knee angle (out of the front of
       a bent knee, where the kneecap is) and "across" is perpendicular to it towards the thigh,
       in shin lengths; the "out" shift is weighted by the sine of the knee angle;
  ankle: (forward, up) in the picture, in shin lengths;
  shoulder: (forward, up) in the trunk frame, in trunk lengths (applied to both shoulders).
The fractions are measured on rendered bodies whose joint centres are known:
`python -m benchmarks.offsets sample_videos/ --loo` prints them per clip and checks them
leave-one-clip-out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecoach.core import geometry as g
from posecoach.core.landmarks import Landmark as L
from posecoach.core.landmarks import side_joints
from posecoach.core.types import Pose

Vec2 = tuple[float, float]


@dataclass(frozen=True)
class Offsets:
    """Landmark -> joint-centre corrections, each a 2-vector in its frame and units (module doc)."""
    hip_front: Vec2 = (-0.075, -0.05)
    hip_back: Vec2 = (-0.035, 0.015)
    knee_front: Vec2 = (0.0, -0.035)
    knee_back: Vec2 = (0.0, 0.0)
    ankle: Vec2 = (0.0, -0.07)
    shoulder: Vec2 = (0.0, -0.09)


DEFAULT_OFFSETS = Offsets()


@dataclass(frozen=True)
class JointCentres:
    """Joint centres of one frame in pixels, named by role in the lunge."""
    front_hip: np.ndarray
    front_knee: np.ndarray
    front_ankle: np.ndarray
    back_hip: np.ndarray
    back_knee: np.ndarray
    back_ankle: np.ndarray
    mid_hip: np.ndarray
    mid_shoulder: np.ndarray


def forward_of(up: np.ndarray, facing: int) -> np.ndarray:
    """The unit vector perpendicular to `up` pointing the way the person faces (+1 image-right)."""
    return np.array([-up[1], up[0]]) if facing > 0 else np.array([up[1], -up[0]])


def knee_axes(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(out, across): unit vectors at the knee. `out` is the outward bisector of the knee angle,
    pointing out of the front of the bent knee (where the kneecap is); `across` is perpendicular
    to it, towards the thigh. On a nearly straight leg the bisector is ill-defined, so there the
    thigh's normal away from the shin is used; `joint_centres` also weights the "out" shift by
    how bent the knee is (sine of the knee angle), so a straight leg barely moves."""
    u_t = np.asarray(hip, float) - knee
    u_s = np.asarray(ankle, float) - knee
    u_t = u_t / (np.linalg.norm(u_t) or 1.0)
    u_s = u_s / (np.linalg.norm(u_s) or 1.0)
    out = -(u_t + u_s)
    n = float(np.linalg.norm(out))
    if n > 0.2:
        out = out / n
    else:
        out = np.array([-u_t[1], u_t[0]])
        if float(u_s @ out) > 0:
            out = -out
    across = np.array([-out[1], out[0]])
    if float(across @ u_t) < 0:
        across = -across
    return out, across


def flexion_weight(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> float:
    """sin of the knee's interior angle: 1 at 90 deg, 0 for a straight or fully folded leg."""
    angle = g.interior_angle(hip, knee, ankle)
    return float(np.sin(np.radians(angle))) if np.isfinite(angle) else 0.0


def joint_centres(pose: Pose, front: str, facing: int, corrected: bool = True,
                  offsets: Offsets | None = None) -> JointCentres:
    """Joint centres for the lunge with `front` ("left"/"right") as the front leg.

    corrected=False returns the raw landmarks (the plain baseline); `offsets` defaults to
    DEFAULT_OFFSETS.
    """
    off = offsets or DEFAULT_OFFSETS
    xy = pose.xy
    f, b = side_joints(front), side_joints("right" if front == "left" else "left")
    raw = {
        "front_hip": xy[f["hip"]], "front_knee": xy[f["knee"]], "front_ankle": xy[f["ankle"]],
        "back_hip": xy[b["hip"]], "back_knee": xy[b["knee"]], "back_ankle": xy[b["ankle"]],
        "shoulder_l": xy[L.LEFT_SHOULDER], "shoulder_r": xy[L.RIGHT_SHOULDER],
    }
    raw = {k: np.asarray(v, float) for k, v in raw.items()}
    if corrected:
        mid_hip0 = g.midpoint(raw["front_hip"], raw["back_hip"])
        mid_sh0 = g.midpoint(raw["shoulder_l"], raw["shoulder_r"])
        trunk_vec = mid_sh0 - mid_hip0
        trunk = float(np.linalg.norm(trunk_vec))
        up = trunk_vec / trunk if trunk > 0 else np.array([0.0, -1.0])
        fwd = forward_of(up, facing)
        image_up = np.array([0.0, -1.0])
        image_fwd = np.array([float(facing), 0.0])
        new = dict(raw)
        for leg, hip_off, knee_off in (("front", off.hip_front, off.knee_front),
                                       ("back", off.hip_back, off.knee_back)):
            hip, knee, ankle = raw[f"{leg}_hip"], raw[f"{leg}_knee"], raw[f"{leg}_ankle"]
            thigh, shin = g.distance(hip, knee), g.distance(knee, ankle)
            new[f"{leg}_hip"] = hip + thigh * (hip_off[0] * fwd + hip_off[1] * up)
            out, across = knee_axes(hip, knee, ankle)
            w = flexion_weight(hip, knee, ankle)
            new[f"{leg}_knee"] = knee + shin * (w * knee_off[0] * out + knee_off[1] * across)
            new[f"{leg}_ankle"] = ankle + shin * (off.ankle[0] * image_fwd + off.ankle[1] * image_up)
        for k in ("shoulder_l", "shoulder_r"):
            new[k] = raw[k] + trunk * (off.shoulder[0] * fwd + off.shoulder[1] * up)
        raw = new
    return JointCentres(
        front_hip=raw["front_hip"], front_knee=raw["front_knee"], front_ankle=raw["front_ankle"],
        back_hip=raw["back_hip"], back_knee=raw["back_knee"], back_ankle=raw["back_ankle"],
        mid_hip=g.midpoint(raw["front_hip"], raw["back_hip"]),
        mid_shoulder=g.midpoint(raw["shoulder_l"], raw["shoulder_r"]),
    )
