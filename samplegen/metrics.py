"""protocol.md's six kneeling-lunge measurements, fault bands and view bands (pure numpy).

Metrics are computed from joint centres in the body's sagittal plane, given as 2-D points
(forward, up) in metres or as image pixels with the facing direction along +x or -x. Keep this
module free of torch, cv2 and the renderer: the tests import it.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

FORM_CODES = ("KNEE_PAST_ANKLE", "FOOT_TOO_FAR", "HIPS_FORWARD", "ANTERIOR_TILT", "LEANING_FORWARD")
ALL_CODES = FORM_CODES + ("NOT_SIDE_VIEW", "NO_PERSON")

BANDS: dict[str, tuple[str, float, float]] = {
    # code: (metric, ok when <= this, fault when >= this)
    "KNEE_PAST_ANKLE": ("shin_tilt_deg", 6.0, 15.0),
    "FOOT_TOO_FAR": ("front_knee_angle_deg", 100.0, 115.0),
    "HIPS_FORWARD": ("back_hip_extension_deg", 10.0, 22.0),
    "ANTERIOR_TILT": ("pelvic_tilt_deg", 0.0, 8.0),
    "LEANING_FORWARD": ("trunk_lean_deg", 8.0, 20.0),
}
SIDE_VIEW_MAX_DEG = 25.0
FRONT_VIEW_MIN_DEG = 55.0


def _tilt_from_vertical(lower: np.ndarray, upper: np.ndarray) -> float:
    """Angle (deg) of the segment lower->upper from vertical, + when upper is ahead (forward)."""
    d = upper - lower
    return math.degrees(math.atan2(d[0], d[1]))


def _interior_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Interior angle a-b-c in degrees (180 = straight)."""
    u, v = a - b, c - b
    cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def sagittal_metrics(joints: Mapping[str, np.ndarray], front: str, pelvic_tilt_deg: float | None) -> dict[str, float | None]:
    """The six metrics from sagittal-plane joint centres.

    Args:
        joints: name -> (forward, up) points (any unit) for left/right hip, knee, ankle, shoulder.
        front: "left" or "right", the side of the leg in front.
        pelvic_tilt_deg: the pelvis rotation vs the neutral standing pelvis (+ anterior).
    """
    back = "right" if front == "left" else "left"
    hip, knee, ankle = (np.asarray(joints[f"{front}_{j}"], float) for j in ("hip", "knee", "ankle"))
    b_hip, b_knee = np.asarray(joints[f"{back}_hip"], float), np.asarray(joints[f"{back}_knee"], float)
    mid_hip = 0.5 * (np.asarray(joints["left_hip"], float) + np.asarray(joints["right_hip"], float))
    mid_sh = 0.5 * (np.asarray(joints["left_shoulder"], float) + np.asarray(joints["right_shoulder"], float))
    shin_len = float(np.linalg.norm(knee - ankle))
    return {
        "front_knee_angle_deg": _interior_angle(hip, knee, ankle),
        "shin_tilt_deg": _tilt_from_vertical(ankle, knee),
        "knee_ahead_of_ankle": float((knee[0] - ankle[0]) / shin_len),
        "back_hip_extension_deg": _tilt_from_vertical(b_knee, b_hip),
        "trunk_lean_deg": _tilt_from_vertical(mid_hip, mid_sh),
        "pelvic_tilt_deg": pelvic_tilt_deg,
    }


def pixels_to_sagittal(joints_px: Mapping[str, list[float] | np.ndarray], facing_sign: float) -> dict[str, np.ndarray]:
    """Image pixels -> (forward, up) points: facing_sign = +1 if the person faces image-right."""
    return {k: np.array([facing_sign * v[0], -v[1]], float) for k, v in joints_px.items()}


def camera_angles_deg(lateral_world: np.ndarray, pelvis_world: np.ndarray, camera_eye: np.ndarray) -> tuple[float, float]:
    """(azimuth, elevation) of the camera seen from the pelvis, degrees.

    azimuth: the horizontal angle between the pelvis->camera direction and the body's left-right
    axis on the camera's side, signed: 0 = square-on side view, + = the camera stands in front
    of the person (sees the chest side), - = behind; |azimuth| is ``view_angle_deg``.
    elevation: how far the camera is above the pelvis, as an angle above the horizontal.
    ``lateral_world`` is the body's left axis (horizontal; the body frame turns about Z only).
    """
    d = np.asarray(camera_eye, float) - np.asarray(pelvis_world, float)
    lat = np.array([lateral_world[0], lateral_world[1]]) / np.linalg.norm(lateral_world[:2])
    fwd = np.array([lat[1], -lat[0]])  # body forward = -Y of the body frame, rotated like +X
    across = abs(float(d[:2] @ lat))
    azimuth = math.degrees(math.atan2(float(d[:2] @ fwd), across))
    elevation = math.degrees(math.atan2(float(d[2]), float(np.linalg.norm(d[:2]))))
    return azimuth, elevation


def picture_metrics(joints_px: dict[str, np.ndarray], front: str, facing: str,
                    pelvis_up_px: tuple[np.ndarray, np.ndarray] | None) -> dict[str, float | None]:
    """The six metrics as the picture shows them: protocol.md's formulas applied to the projected
    joint centres (pixels, forward = the facing direction in the image). Pelvic tilt is the lean
    of the pelvis' own up axis (the neutral standing pelvis' vertical) in the picture, + forward.
    Side-on these equal the body's sagittal values within ~1-2 deg; off-axis they do not."""
    sign = 1.0 if facing == "right" else -1.0
    sag = pixels_to_sagittal(joints_px, sign)
    tilt = None
    if pelvis_up_px is not None:
        lower, upper = (np.array([sign * p[0], -p[1]], float) for p in pelvis_up_px)
        tilt = _tilt_from_vertical(lower, upper)
    return sagittal_metrics(sag, front, tilt)


def judge(metrics: Mapping[str, float | None], in_lunge: bool, view: str | None, person: bool, whole_body: bool) -> tuple[list[str], list[str]]:
    """(fault codes, ambiguous codes) of protocol.md for one frame; every other code is ok."""
    fault: list[str] = []
    ambiguous: list[str] = []
    judge_form = person and in_lunge and view == "side"
    for code, (name, ok_max, fault_min) in BANDS.items():
        value = metrics.get(name)
        if not judge_form or value is None:
            ambiguous.append(code)
        elif value >= fault_min:
            fault.append(code)
        elif value > ok_max:
            ambiguous.append(code)
    if not person:
        ambiguous.append("NOT_SIDE_VIEW")
    elif view == "front":
        fault.append("NOT_SIDE_VIEW")
    elif view != "side":
        ambiguous.append("NOT_SIDE_VIEW")
    if not person:
        fault.append("NO_PERSON")
    elif not whole_body:
        ambiguous.append("NO_PERSON")
    return fault, ambiguous


def view_label(view_deg: float) -> str:
    """'side', 'front' or 'oblique' for the angle (deg, 0-90) between sagittal and image plane."""
    if view_deg <= SIDE_VIEW_MAX_DEG:
        return "side"
    if view_deg > FRONT_VIEW_MIN_DEG:
        return "front"
    return "oblique"
