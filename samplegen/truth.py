"""Per-frame ground truth in the format of docs/ground-truth.md."""
from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from samplegen.body import JOINT_BONES
from samplegen.metrics import judge, picture_metrics, sagittal_metrics, view_label
from samplegen.scenario import Scenario

ROUND = {"front_knee_angle_deg": 2, "shin_tilt_deg": 2, "knee_ahead_of_ankle": 4,
         "back_hip_extension_deg": 2, "trunk_lean_deg": 2, "pelvic_tilt_deg": 2}


def pelvic_tilt_deg(root_rotation: np.ndarray) -> float:
    """Sagittal pelvis rotation (deg, + anterior) from the root bone's body-frame rotation.

    The pelvis' up axis leaning forward (-Y in the body frame) is an anterior tilt; the rest
    pose is the neutral standing pelvis.
    """
    up = root_rotation[:, 2]
    return math.degrees(math.atan2(-up[1], up[2]))


def view_angle_deg(lateral_world: np.ndarray, pelvis_world: np.ndarray, camera_eye: np.ndarray) -> float:
    """Angle (deg, 0-90) between the body's sagittal plane and the image plane.

    0 = the camera looks straight along the body's left-right axis (a true side view).
    """
    ray = pelvis_world - camera_eye
    a = np.array([lateral_world[0], lateral_world[1]])
    r = np.array([ray[0], ray[1]])
    c = abs(float(a @ r)) / (np.linalg.norm(a) * np.linalg.norm(r))
    return math.degrees(math.acos(min(1.0, c)))


def _rounded(raw: dict[str, float | None]) -> dict[str, float | None]:
    return {k: (round(float(v), ROUND[k]) if v is not None else None) for k, v in raw.items()}


def frame_record(
    frame: int, t_ms: int, present: bool, whole_body: bool, in_lunge: bool, front: str | None,
    phase: str, joints_body: dict[str, np.ndarray] | None, root_rotation: np.ndarray | None,
    view_deg: float | None, facing: str | None, joints_px: dict[str, np.ndarray] | None,
    camera_angles: tuple[float, float] | None = None,
    pelvis_up_px: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, Any]:
    """One entry of per_frame. joints_body: name -> body-frame position (metres);
    camera_angles: (azimuth, elevation) from `camera_angles_deg`; pelvis_up_px: the pelvis and a
    point on its up axis, projected (for the picture's pelvic tilt in ``metrics_2d``)."""
    if view_deg is not None:
        view_deg = round(view_deg, 1)  # the label follows the value written (no 25.04 "oblique" beside 25.0)
    view = view_label(view_deg) if (present and view_deg is not None) else None
    metrics: dict[str, float | None] = {k: None for k in ROUND}
    metrics_2d: dict[str, float | None] = {k: None for k in ROUND}
    if present and in_lunge and joints_body is not None and root_rotation is not None and front:
        sag = {k: np.array([-v[1], v[2]]) for k, v in joints_body.items()}
        metrics = _rounded(sagittal_metrics(sag, front, pelvic_tilt_deg(root_rotation)))
        if joints_px and facing:
            metrics_2d = _rounded(picture_metrics(joints_px, front, facing, pelvis_up_px))
    fault, ambiguous = judge(metrics, in_lunge, view, present, whole_body)
    azimuth, elevation = camera_angles if (present and camera_angles) else (None, None)
    return {
        "frame": frame, "t_ms": t_ms, "person": present, "whole_body_in_frame": bool(present and whole_body),
        "view": view, "view_deg": None if view_deg is None or not present else round(view_deg, 1),
        "camera_azimuth_deg": None if azimuth is None else round(azimuth, 1),
        "camera_elevation_deg": None if elevation is None else round(elevation, 1),
        "front_side": front if in_lunge else None, "facing": facing if present else None,
        "phase": phase, "in_lunge": bool(present and in_lunge), "metrics": metrics, "metrics_2d": metrics_2d,
        "fault": fault, "ambiguous": ambiguous,
        "joints_px": {k: [round(float(v[0]), 1), round(float(v[1]), 1)] for k, v in joints_px.items()} if joints_px else {},
    }


def write_truth(path: Path, scenario: Scenario, video_name: str, per_frame: list[dict[str, Any]], width: int, height: int,
                extra: dict[str, Any] | None = None) -> None:
    """Write <stem>.truth.json (see docs/ground-truth.md); `extra`: more top-level keys (gestures)."""
    doc = {
        "video": video_name,
        "fps": scenario.fps,
        "frames": len(per_frame),
        "width": width,
        "height": height,
        "neutral_s": list(scenario.neutral_s) if scenario.neutral_s else None,
        "tags": list(scenario.tags),
        "description": scenario.description,
        "generator": "samplegen (anny body model, pyrender)",
        "joint_names": sorted(JOINT_BONES),
        "body": asdict(scenario.body),
        "camera": asdict(scenario.camera),
        **(extra or {}),
    }
    head = json.dumps(doc, indent=1)[:-2]  # drop the closing "\n}"
    rows = ",\n  ".join(json.dumps(r, separators=(",", ":")) for r in per_frame)
    path.write_text(f'{head},\n "per_frame": [\n  {rows}\n ]\n}}\n')
