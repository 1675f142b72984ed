"""Postures on and near the floor, seen from the side: lying on the back (supine), lying face down
(prone), sitting, kneeling, standing. Shared by constructive rest, the soft-ball release and the
routine's transitions. Pure numpy on landmarks; no cv2 or MediaPipe.

Conventions: image pixels, x right, y down. The camera is assumed level (no roll), so in a side
view the floor under the person's sagittal plane is a horizontal image line and heights above it
are image-y differences (foreshortened a little by the camera's pitch; angles within ~5%).
`head_dir` is +1 when the head lies to the image-right of the hips, -1 to the left.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecoach.core import geometry as g
from posecoach.core.landmarks import Landmark as L
from posecoach.core.landmarks import side_joints
from posecoach.core.types import Pose

POSTURES = ("supine", "prone", "sitting", "kneeling", "standing", "other", "none")

# Trunk (mid-hip -> mid-shoulder) elevation above the image horizontal, degrees.
LYING_MAX_DEG = 35.0      # flatter than this counts as lying (propped on forearms reaches ~25)
UPRIGHT_MIN_DEG = 50.0    # steeper than this is sitting, kneeling or standing


@dataclass(frozen=True)
class BodyLine:
    """The landmarks a lying posture is read from, in pixels; legs averaged over both sides."""
    shoulder: np.ndarray
    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    heel: np.ndarray
    toe: np.ndarray
    elbow: np.ndarray
    nose: np.ndarray
    ear: np.ndarray
    head_dir: int
    trunk_px: float
    thigh_px: float
    shin_px: float


def _mean(pose: Pose, a: L, b: L) -> np.ndarray:
    pts = pose.xy[[a, b]]
    ok = np.isfinite(pts).all(axis=1)
    return pts[ok].mean(axis=0) if ok.any() else np.full(2, np.nan)


def body_line(pose: Pose) -> BodyLine | None:
    """The side-view body line of a detected person, or None when the trunk cannot be seen."""
    if not pose.present:
        return None
    pick = {j: _mean(pose, side_joints("left")[j], side_joints("right")[j])
            for j in ("shoulder", "hip", "knee", "ankle", "heel", "foot_index", "elbow", "ear")}
    sh, hip = pick["shoulder"], pick["hip"]
    trunk = g.distance(sh, hip)
    if not np.isfinite(trunk) or trunk < 1.0:
        return None
    return BodyLine(
        shoulder=sh, hip=hip, knee=pick["knee"], ankle=pick["ankle"], heel=pick["heel"],
        toe=pick["foot_index"], elbow=pick["elbow"], nose=np.asarray(pose.xy[L.NOSE], float),
        ear=pick["ear"], head_dir=1 if sh[0] >= hip[0] else -1, trunk_px=trunk,
        thigh_px=g.distance(hip, pick["knee"]), shin_px=g.distance(pick["knee"], pick["ankle"]),
    )


def trunk_elevation_deg(b: BodyLine) -> float:
    """Mid-hip -> mid-shoulder above the image horizontal, degrees in [-90, 90]: 0 = lying flat,
    + shoulders higher than hips (propped up, sitting up), - hips higher (a bridge)."""
    dx = abs(float(b.shoulder[0] - b.hip[0]))
    up = float(b.hip[1] - b.shoulder[1])
    return math.degrees(math.atan2(up, dx))


def face_up_score(b: BodyLine) -> float:
    """Evidence that a lying person faces the ceiling: > 0 supine, < 0 prone, about -3..+3.

    Votes: the nose above the ears (face up) or level/below (face down or forward, head lifted on
    the forearms); the knees raised above the hip-ankle line (only possible on the back); the toes
    below the heels (a prone foot rests on its instep); the elbows well below the shoulders
    (propped on the forearms, face down).
    """
    vote = 0.0
    head = g.distance(b.nose, b.ear)
    if np.isfinite(head) and head > 0:
        lift = float(b.ear[1] - b.nose[1]) / head  # + nose higher than the ears
        vote += 1.5 * float(np.clip((lift - 0.35) / 0.35, -1, 1))
    if np.isfinite(b.shin_px) and b.shin_px > 0 and np.isfinite(b.knee).all():
        # knee height above the straight hip-ankle line, in shin lengths
        base_y = b.hip[1] + (b.ankle[1] - b.hip[1]) * (
            (b.knee[0] - b.hip[0]) / (b.ankle[0] - b.hip[0]) if b.ankle[0] != b.hip[0] else 0.5)
        raised = float(base_y - b.knee[1]) / b.shin_px
        if raised > 0.3:
            vote += float(np.clip((raised - 0.3) / 0.3, 0, 1))
    foot = g.distance(b.heel, b.toe)
    if np.isfinite(foot) and foot > 0:
        vote -= 0.7 * float(np.clip(float(b.toe[1] - b.heel[1]) / foot / 0.5, -1, 1))
    if np.isfinite(b.elbow).all() and b.trunk_px > 0:
        drop = float(b.elbow[1] - b.shoulder[1]) / b.trunk_px
        vote -= 0.8 * float(np.clip((drop - 0.25) / 0.25, -1, 1))
    return vote


def classify_posture(pose: Pose) -> tuple[str, float | None]:
    """(posture, trunk elevation in degrees) of one frame, before any smoothing over time.

    Lying vs upright comes from the trunk's slope; on the floor, face up vs down from
    `face_up_score`; upright, sitting vs kneeling vs standing from where the hips are relative to
    the knees and feet (hip height above the feet, in leg lengths).
    """
    b = body_line(pose)
    if b is None:
        return ("none" if not pose.present else "other"), None
    elev = trunk_elevation_deg(b)
    if abs(elev) <= LYING_MAX_DEG:
        return ("supine" if face_up_score(b) >= 0 else "prone"), elev
    if elev < UPRIGHT_MIN_DEG:
        return "other", elev
    leg = b.thigh_px + b.shin_px
    if not np.isfinite(leg) or leg <= 0:
        return "other", elev
    feet_y = float(np.nanmax([b.ankle[1], b.heel[1], b.toe[1]]))
    hip_h = (feet_y - float(b.hip[1])) / leg  # hip height above the feet, leg lengths
    knee_h = (feet_y - float(b.knee[1])) / leg
    if hip_h > 0.75:
        return "standing", elev
    if knee_h > 0.3 and hip_h < 0.45:
        return "sitting", elev  # knees up, seat on the floor
    if hip_h < 0.35:
        return "sitting", elev  # long sitting or kneeling back on the heels
    return "kneeling", elev
