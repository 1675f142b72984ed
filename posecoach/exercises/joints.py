"""Anatomical joint centres from BlazePose landmarks.

BlazePose's points are not joint centres: its hip sits ahead of the hip joint, its ankle high and
forward, its shoulder high. Each correction below moves a landmark by a fixed fraction of a body
segment's length in the person's own frame (forward = facing direction, up = along the trunk), so
it scales with the person and the camera distance. The fractions were measured on rendered bodies
whose joint centres are known (benchmarks/offsets.py prints them again).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecoach import geometry as g
from posecoach.landmarks import Landmark as L
from posecoach.landmarks import side_joints
from posecoach.types import Pose

# (forward, up) offsets from landmark to joint centre, in units of the named segment's length.
HIP_OFFSET = (-0.10, 0.0)        # thigh lengths
ANKLE_OFFSET = (0.0, 0.0)        # shin lengths
SHOULDER_OFFSET = (0.0, -0.06)   # trunk lengths
KNEE_OFFSET = (0.0, 0.0)         # shin lengths


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


def _shift(point: np.ndarray, offset: tuple[float, float], length: float, fwd: np.ndarray,
           up: np.ndarray) -> np.ndarray:
    return point + length * (offset[0] * fwd + offset[1] * up)


def joint_centres(pose: Pose, front: str, facing: int, corrected: bool = True) -> JointCentres:
    """Joint centres for the lunge with `front` ("left"/"right") as the front leg.

    corrected=False returns the raw landmarks (the plain baseline).
    """
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
        fwd = np.array([-up[1], up[0]]) if facing > 0 else np.array([up[1], -up[0]])
        image_up = np.array([0.0, -1.0])
        image_fwd = np.array([float(facing), 0.0])
        for leg in ("front", "back"):
            hip, knee, ankle = raw[f"{leg}_hip"], raw[f"{leg}_knee"], raw[f"{leg}_ankle"]
            thigh, shin = g.distance(hip, knee), g.distance(knee, ankle)
            raw[f"{leg}_hip"] = _shift(hip, HIP_OFFSET, thigh, fwd, up)
            raw[f"{leg}_knee"] = _shift(knee, KNEE_OFFSET, shin, image_fwd, image_up)
            raw[f"{leg}_ankle"] = _shift(ankle, ANKLE_OFFSET, shin, image_fwd, image_up)
        for k in ("shoulder_l", "shoulder_r"):
            raw[k] = _shift(raw[k], SHOULDER_OFFSET, trunk, fwd, up)
    return JointCentres(
        front_hip=raw["front_hip"], front_knee=raw["front_knee"], front_ankle=raw["front_ankle"],
        back_hip=raw["back_hip"], back_knee=raw["back_knee"], back_ankle=raw["back_ankle"],
        mid_hip=g.midpoint(raw["front_hip"], raw["back_hip"]),
        mid_shoulder=g.midpoint(raw["shoulder_l"], raw["shoulder_r"]),
    )
