"""Constructed poses for tests: a side-view kneeling lunge with chosen joint angles; and `feed` /
`run`, which hold one pose still in front of an analyzer for a while."""
from __future__ import annotations

import math
from typing import Protocol, TypeVar

import numpy as np

from posecoach.core.landmarks import NUM_LANDMARKS, side_joints
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Pose

State = TypeVar("State", covariant=True)


class Analyzer(Protocol[State]):
    """What `feed` needs: the exercises' analyzers (LungeAnalyzer, RestAnalyzer, ...)."""
    def update(self, pose: Pose, t_ms: int) -> State: ...


def feed(analyzer: Analyzer[State], pose: Pose, seconds: float, t0: int = 0,
         fps: float = 30.0) -> tuple[list[State], int]:
    """`pose` held for `seconds` from `t0` (ms) at `fps`: every frame's state, and the time (ms)
    of the frame after the last."""
    n = int(seconds * fps)
    states = [analyzer.update(pose, t0 + int(i * 1000 / fps)) for i in range(n)]
    return states, t0 + int(n * 1000 / fps)


def run(analyzer: Analyzer[State], pose: Pose, seconds: float, t0: int = 0,
        fps: float = 30.0) -> tuple[State | None, int]:
    """As `feed`, with only the last state (None when no frame was fed)."""
    states, t = feed(analyzer, pose, seconds, t0, fps)
    return (states[-1] if states else None), t


def lunge_pose(knee_deg: float = 90.0, shin_tilt: float = 0.0, hip_ext: float = 5.0, trunk_lean: float = 0.0,
               facing: int = 1, front: str = "left", size: tuple[int, int] = (640, 480),
               scale: float = 100.0, origin: tuple[float, float] = (300.0, 420.0)) -> Pose:
    """A side-view lunge whose landmarks are exactly the joint centres requested (pixels).

    Angles follow protocol.md: shin tilt + = knee ahead of ankle; hip_ext + = back hip ahead of
    back knee; trunk lean + = forward. `facing` +1 = the person faces image-right.
    """
    def at(base: np.ndarray, length: float, from_vertical_deg: float) -> np.ndarray:
        a = math.radians(from_vertical_deg)
        return base + length * np.array([facing * math.sin(a), -math.cos(a)])

    shin, thigh, trunk = 0.9 * scale, 1.0 * scale, 1.1 * scale
    ox, oy = origin
    back_hip = np.array([ox, oy - thigh])
    # Front leg, hung from the shared hip: knee->hip makes knee_deg with knee->ankle.
    shin_up = math.radians(shin_tilt)  # ankle->knee from vertical (+ ahead)
    knee_to_ankle = np.array([-facing * math.sin(shin_up), math.cos(shin_up)])
    rot = math.radians(knee_deg) * facing
    c, s = math.cos(rot), math.sin(rot)
    # rotate knee->ankle by knee_deg towards the back (clockwise on screen when facing right)
    knee_to_hip = np.array([c * knee_to_ankle[0] - s * knee_to_ankle[1], s * knee_to_ankle[0] + c * knee_to_ankle[1]])
    front_knee = back_hip - thigh * knee_to_hip
    front_ankle = front_knee + shin * knee_to_ankle
    # Both the back knee and the front foot rest on the floor: the back thigh keeps its angle
    # from vertical and stretches (in projection) to reach the floor.
    drop = front_ankle[1] - back_hip[1]
    e = math.radians(hip_ext)
    back_knee = back_hip + drop * np.array([-facing * math.tan(e), 1.0])
    back_ankle = back_knee + np.array([-facing * shin, 0.0])
    mid_shoulder = at(back_hip, trunk, trunk_lean)

    xy = np.full((NUM_LANDMARKS, 2), np.nan)
    f, b = side_joints(front), side_joints("right" if front == "left" else "left")
    for j, p in ((f["hip"], back_hip), (f["knee"], front_knee), (f["ankle"], front_ankle),
                 (b["hip"], back_hip), (b["knee"], back_knee), (b["ankle"], back_ankle)):
        xy[j] = p
    xy[f["heel"]] = front_ankle + [-facing * 0.15 * scale, 0.05 * scale]
    xy[f["foot_index"]] = front_ankle + [facing * 0.5 * scale, 0.08 * scale]
    xy[b["heel"]] = back_ankle + [-facing * 0.1 * scale, -0.1 * scale]
    xy[b["foot_index"]] = back_ankle + [-facing * 0.4 * scale, 0.0]
    xy[L.LEFT_SHOULDER] = mid_shoulder + [0.0, 0.0]
    xy[L.RIGHT_SHOULDER] = mid_shoulder
    head = at(mid_shoulder, 0.3 * scale, trunk_lean)
    xy[L.NOSE] = head + [facing * 0.12 * scale, 0.0]
    xy[L.LEFT_EAR] = xy[L.RIGHT_EAR] = head
    for eye in (L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EYE_INNER, L.RIGHT_EYE_INNER, L.LEFT_EYE_OUTER, L.RIGHT_EYE_OUTER):
        xy[eye] = head + [facing * 0.08 * scale, -0.03 * scale]
    xy[L.MOUTH_LEFT] = xy[L.MOUTH_RIGHT] = head + [facing * 0.1 * scale, 0.05 * scale]
    for side in ("left", "right"):
        j = side_joints(side)
        xy[j["elbow"]] = mid_shoulder + [facing * 0.2 * scale, 0.5 * scale]
        xy[j["wrist"]] = front_knee + [-facing * 0.3 * scale, -0.1 * scale]
    for lm in (L.LEFT_PINKY, L.LEFT_INDEX, L.LEFT_THUMB):
        xy[lm] = xy[L.LEFT_WRIST]
    for lm in (L.RIGHT_PINKY, L.RIGHT_INDEX, L.RIGHT_THUMB):
        xy[lm] = xy[L.RIGHT_WRIST]
    world = np.zeros((NUM_LANDMARKS, 3))
    world[L.LEFT_SHOULDER] = [0, 0, 0.2]
    world[L.RIGHT_SHOULDER] = [0, 0, -0.2]
    world[L.LEFT_HIP] = [0, 0, 0.1]
    world[L.RIGHT_HIP] = [0, 0, -0.1]
    ones = np.ones(NUM_LANDMARKS)
    return Pose(xy=xy, visibility=ones, presence=ones, world=world, mask=None, image_size=size)


def facing_camera_pose(size: tuple[int, int] = (640, 480)) -> Pose:
    """A lunge seen from the front: the shoulder and hip lines lie across the image."""
    p = lunge_pose(size=size)
    world = p.world.copy()
    world[L.LEFT_SHOULDER] = [0.2, 0, 0.0]
    world[L.RIGHT_SHOULDER] = [-0.2, 0, 0.0]
    world[L.LEFT_HIP] = [0.1, 0, 0.0]
    world[L.RIGHT_HIP] = [-0.1, 0, 0.0]
    xy = p.xy.copy()
    xy[L.LEFT_SHOULDER] += [40, 0]
    xy[L.RIGHT_SHOULDER] -= [40, 0]
    return Pose(xy=xy, visibility=p.visibility, presence=p.presence, world=world, mask=None, image_size=size)
