"""The learned part of the sagittal correction (issue 12): what one frame shows -> a feature
vector, and a small ensemble of MLPs (numpy only at run time) from it to the body's own sagittal
metrics, the camera's signed azimuth and elevation, and which leg is nearer the camera.

Features (all in the person's frame: x along the way they face, y up; so the same lunge facing
image-left or image-right gives the same vector). Legs are taken by role, not by MediaPipe's
label: "front" is the leg whose ankle is further ahead in the picture (as observe() chooses it),
the arm, shoulder and ear of the same label go with it. So a whole-body label swap changes
nothing here.
  - the picture's landmarks (19 points), about the raw mid-hip, in units of the mean of five
    picture segment lengths (trunk, both thighs, both shins);
  - the world landmarks (same points, x along the facing, y up, z away from the camera), in units
    of the same five world segment lengths;
  - the 19 visibilities;
  - the picture metrics of posecoach's corrected joint centres and of the raw landmarks
    (knee angle, shin tilt, knee-ahead-of-ankle, back hip extension, trunk lean), degrees / 30;
  - where the body sits in the image: mid-hip offset from the image centre and the segment
    scale, in image heights.
Targets (in `TARGETS` order): the 3D metric minus the corrected picture's (the correction), the
signed azimuth and the elevation (degrees), and the log-odds that the front leg is the one
nearer the camera.

The weights (posecoach/data/sagittal_model.npz) are made by benchmarks/sagittal_fit.py, which
records in the file how (script, data, seed, size, date). Pure numpy: no cv2, no MediaPipe.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from posecoach.core import geometry as g
from posecoach.core.landmarks import Landmark as L
from posecoach.core.landmarks import side_joints
from posecoach.core.types import Metrics, Pose
from posecoach.exercises.joints import JointCentres, joint_centres

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "sagittal_model.npz"
FEATURE_VERSION = 1
METRICS = ("front_knee_angle_deg", "shin_tilt_deg", "knee_ahead_of_ankle", "back_hip_extension_deg", "trunk_lean_deg")
TARGETS = METRICS + ("azimuth_deg", "elevation_deg", "front_near_logit")
SIDE_ROLES = ("hip", "knee", "ankle", "heel", "foot_index", "shoulder", "elbow", "wrist", "ear")
ANGLE_SCALE = 30.0  # degrees per feature unit for the picture metrics


def picture_metrics(jc: JointCentres, facing: int) -> Metrics:
    """protocol.md's metrics of picture joint centres (pixels), as lunge.observe() computes them."""
    shin = g.distance(jc.front_knee, jc.front_ankle)
    return Metrics(
        front_knee_angle_deg=g.interior_angle(jc.front_hip, jc.front_knee, jc.front_ankle),
        shin_tilt_deg=g.tilt_from_vertical(jc.front_ankle, jc.front_knee, facing),
        knee_ahead_of_ankle=g.ahead_offset(jc.front_knee, jc.front_ankle, facing) / shin if shin else None,
        back_hip_extension_deg=g.tilt_from_vertical(jc.back_knee, jc.back_hip, facing),
        trunk_lean_deg=g.tilt_from_vertical(jc.mid_hip, jc.mid_shoulder, facing))


def role_indices(front: str) -> list[int]:
    """Landmark indices in feature order: the front label's side roles, the back label's, the nose."""
    back = "right" if front == "left" else "left"
    return [int(side_joints(s)[r]) for s in (front, back) for r in SIDE_ROLES] + [int(L.NOSE)]


def _segments(p: np.ndarray, front: str) -> list[float]:
    """Five segment lengths (trunk, both thighs, both shins) of points `p` (N, 2 or 3)."""
    f, b = side_joints(front), side_joints("right" if front == "left" else "left")
    mid_hip = 0.5 * (p[L.LEFT_HIP] + p[L.RIGHT_HIP])
    mid_sh = 0.5 * (p[L.LEFT_SHOULDER] + p[L.RIGHT_SHOULDER])
    segs = [float(np.linalg.norm(mid_sh - mid_hip))]
    for s in (f, b):
        segs += [float(np.linalg.norm(p[s["hip"]] - p[s["knee"]])), float(np.linalg.norm(p[s["knee"]] - p[s["ankle"]]))]
    return segs


def _segment_scale(p: np.ndarray, front: str) -> float:
    """Mean of the five segment lengths of points `p`."""
    return float(np.mean(_segments(p, front)))


# World landmarks (metres) whose trunk, thigh or shin is shorter than this do not describe a body
# (the shortest of MediaPipe's on 886 rendered oblique stills, either leg taken as front: 0.07 m,
# median 0.33): the model is not asked.
MIN_WORLD_SEGMENT_M = 0.05


def _metric_vector(m: Metrics) -> list[float]:
    out = []
    for name in METRICS:
        v = getattr(m, name)
        v = 0.0 if v is None or not math.isfinite(v) else float(v)
        out.append(v if name == "knee_ahead_of_ankle" else v / ANGLE_SCALE)
    return out


def features(pose: Pose, facing: int, front: str) -> tuple[np.ndarray, Metrics] | None:
    """(feature vector, corrected picture metrics) of one frame, or None when the frame lacks
    what the model reads (no person, no world landmarks, non-finite or degenerate landmarks, a
    world skeleton with a segment under MIN_WORLD_SEGMENT_M)."""
    if not pose.present or pose.world is None or facing == 0 or front not in ("left", "right"):
        return None
    idx = role_indices(front)
    xy, world = np.asarray(pose.xy, float), np.asarray(pose.world, float)
    if not (np.isfinite(xy[idx]).all() and np.isfinite(world[idx]).all()):
        return None
    world_segments = _segments(world, front)
    s_px, s_w = _segment_scale(xy, front), float(np.mean(world_segments))
    if not (s_px > 1.0 and min(world_segments) >= MIN_WORLD_SEGMENT_M):
        return None
    flip = np.array([float(facing), -1.0])
    c_px = 0.5 * (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP])
    pic = ((xy[idx] - c_px) * flip / s_px).ravel()
    c_w = 0.5 * (world[L.LEFT_HIP] + world[L.RIGHT_HIP])
    wld = ((world[idx] - c_w) * np.array([float(facing), -1.0, 1.0]) / s_w).ravel()
    vis = np.clip(np.asarray(pose.visibility, float)[idx], 0.0, 1.0)
    corrected = picture_metrics(joint_centres(pose, front, facing, corrected=True), facing)
    plain = picture_metrics(joint_centres(pose, front, facing, corrected=False), facing)
    w, h = pose.image_size
    place = [(c_px[0] - 0.5 * w) * facing / h, (c_px[1] - 0.5 * h) / h, s_px / h]
    vec = np.concatenate([pic, wld, vis, _metric_vector(corrected), _metric_vector(plain), place])
    if not np.isfinite(vec).all():
        return None
    return vec, corrected


@dataclass(frozen=True)
class Ensemble:
    """MLPs sharing one input standardisation; each member's layers are (W, b) pairs, ReLU
    between them, a linear output in standardised target units (`target_mean`, `target_std`)."""
    feature_mean: np.ndarray
    feature_std: np.ndarray
    target_mean: np.ndarray
    target_std: np.ndarray
    members: tuple[tuple[tuple[np.ndarray, np.ndarray], ...], ...]
    info: dict[str, object]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(members, N, targets) predictions for feature rows x (N, F), in target units."""
        z = (np.atleast_2d(x) - self.feature_mean) / self.feature_std
        out = []
        for layers in self.members:
            h = z
            for k, (w, b) in enumerate(layers):
                h = h @ w + b
                if k < len(layers) - 1:
                    h = np.maximum(h, 0.0)
            out.append(h * self.target_std + self.target_mean)
        return np.stack(out)

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {
            "feature_mean": self.feature_mean, "feature_std": self.feature_std,
            "target_mean": self.target_mean, "target_std": self.target_std,
            "info": np.array(json.dumps(self.info))}
        for m, layers in enumerate(self.members):
            for k, (w, b) in enumerate(layers):
                arrays[f"m{m}_w{k}"], arrays[f"m{m}_b{k}"] = w.astype(np.float32), b.astype(np.float32)
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy types the keyword "allow_pickle" into **kwds


def load_ensemble(path: Path) -> Ensemble:
    """An Ensemble saved by `Ensemble.save`."""
    with np.load(path) as d:
        members = []
        m = 0
        while f"m{m}_w0" in d:
            layers = []
            k = 0
            while f"m{m}_w{k}" in d:
                layers.append((d[f"m{m}_w{k}"].astype(float), d[f"m{m}_b{k}"].astype(float)))
                k += 1
            members.append(tuple(layers))
            m += 1
        return Ensemble(d["feature_mean"], d["feature_std"], d["target_mean"], d["target_std"],
                        tuple(members), json.loads(str(d["info"])))


@lru_cache(maxsize=1)
def default_ensemble() -> Ensemble | None:
    """The shipped model, loaded once; None if the file is missing or of another feature version."""
    if not MODEL_PATH.is_file():
        return None
    ens = load_ensemble(MODEL_PATH)
    return ens if ens.info.get("feature_version") == FEATURE_VERSION else None
