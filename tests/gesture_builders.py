"""Arms placed on constructed poses (tests/builders.py, tests/lying_builders.py) for the gesture
tests: a hand raised above the head, both arms overhead, hands on the hips, a hand at the hair,
arms swinging. Heights are in torso lengths (mid-shoulder to mid-hip) above the shoulder line."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from posecoach.core.landmarks import Landmark as L
from posecoach.core.landmarks import side_joints
from posecoach.core.types import Pose

HAND_POINTS = {"left": (L.LEFT_PINKY, L.LEFT_INDEX, L.LEFT_THUMB), "right": (L.RIGHT_PINKY, L.RIGHT_INDEX, L.RIGHT_THUMB)}


def torso_px(pose: Pose) -> float:
    xy = pose.xy
    mid_sh = 0.5 * (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER])
    mid_hip = 0.5 * (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP])
    return float(np.linalg.norm(mid_sh - mid_hip))


def with_arm(pose: Pose, side: str, elbow: np.ndarray, wrist: np.ndarray, wrist_visibility: float = 1.0) -> Pose:
    """`pose` with one arm's elbow and wrist (and the hand points) moved to these pixels."""
    xy = pose.xy.copy()
    vis = pose.visibility.copy()
    j = side_joints(side)
    xy[j["elbow"]] = elbow
    xy[j["wrist"]] = wrist
    for lm in HAND_POINTS[side]:
        xy[lm] = wrist
    vis[j["wrist"]] = wrist_visibility
    return replace(pose, xy=xy, visibility=vis)


def raised(pose: Pose, side: str, height: float = 1.1, forward: float = 0.1, elbow_height: float | None = None,
           wrist_visibility: float = 1.0) -> Pose:
    """One hand raised: the wrist `height` torso lengths above the shoulder line (image up), a
    little to the side (`forward`, torso lengths along +x); the elbow half way unless given."""
    t = torso_px(pose)
    sh = pose.xy[side_joints(side)["shoulder"]]
    mid_y = 0.5 * (pose.xy[L.LEFT_SHOULDER][1] + pose.xy[L.RIGHT_SHOULDER][1])
    wrist = np.array([sh[0] + forward * t, mid_y - height * t])
    eh = 0.5 * height if elbow_height is None else elbow_height
    elbow = np.array([sh[0] + 0.5 * forward * t, mid_y - eh * t])
    return with_arm(pose, side, elbow, wrist, wrist_visibility)


def overhead(pose: Pose, height: float = 1.1) -> Pose:
    """Both arms straight up (the yoga low lunge's arms)."""
    return raised(raised(pose, "left", height, 0.05), "right", height, 0.08)


def hands_on_hips(pose: Pose) -> Pose:
    out = pose
    for side in ("left", "right"):
        hip = pose.xy[side_joints(side)["hip"]]
        sh = pose.xy[side_joints(side)["shoulder"]]
        out = with_arm(out, side, 0.5 * (hip + sh) + [-25.0, 0.0], hip + [0.0, -8.0])
    return out


def hand_at_hair(pose: Pose, side: str = "left") -> Pose:
    """A hand touching the back of the head: the wrist at ear height, the elbow up and out."""
    t = torso_px(pose)
    ear = pose.xy[side_joints(side)["ear"]]
    sh = pose.xy[side_joints(side)["shoulder"]]
    return with_arm(pose, side, np.array([sh[0] - 0.3 * t, sh[1] - 0.35 * t]), ear + [-0.1 * t, -0.05 * t])


def arms_swinging(pose: Pose, phase: float) -> Pose:
    """Arms swinging while walking: the wrists at hip height, forward and back by phase."""
    t = torso_px(pose)
    out = pose
    for side, sign in (("left", 1.0), ("right", -1.0)):
        sh = pose.xy[side_joints(side)["shoulder"]]
        swing = 0.45 * t * sign * np.sin(phase)
        out = with_arm(out, side, sh + [0.5 * swing, 0.5 * t], sh + [swing, 0.95 * t])
    return out


def shifted(pose: Pose, dx: float) -> Pose:
    """The whole pose moved `dx` pixels across the picture."""
    return replace(pose, xy=pose.xy + np.array([dx, 0.0]))


def with_outline(pose: Pose, arm_up: float | None = None, arm_x: float = 0.0, head_up: float = 0.6) -> Pose:
    """`pose` with a person mask: the trunk from the hips to the shoulders, the head up to `head_up`
    torso lengths above the shoulder line, and (when `arm_up` is given) a forearm-wide column from
    the shoulder line up to `arm_up` torso lengths, `arm_x` torso lengths across."""
    w, h = pose.image_size
    t = torso_px(pose)
    xy = pose.xy
    sh = 0.5 * (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER])
    hip = 0.5 * (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP])
    mask = np.zeros((h, w), np.float32)

    def fill(x0: float, x1: float, y0: float, y1: float) -> None:
        xa, xb = sorted((int(max(0, x0)), int(min(w, x1))))
        ya, yb = sorted((int(max(0, y0)), int(min(h, y1))))
        mask[ya:yb, xa:xb] = 1.0

    fill(min(sh[0], hip[0]) - 0.2 * t, max(sh[0], hip[0]) + 0.2 * t, min(sh[1], hip[1]), max(sh[1], hip[1]) + 1)
    fill(sh[0] - 0.15 * t, sh[0] + 0.15 * t, sh[1] - head_up * t, sh[1] + 1)
    if arm_up is not None:
        x = sh[0] + arm_x * t
        fill(x - 0.06 * t, x + 0.06 * t, sh[1] - arm_up * t, sh[1] + 1)
    return replace(pose, mask=mask)
