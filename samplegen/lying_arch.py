"""Ground truth of the low back in constructive rest: how far the pelvis is tipped and how high the
low back stands off the floor (issue 14).

Per frame (added to `lying_metrics` of a lying truth file):
- `pelvic_tilt_lying_deg`: the pelvis' rotation against this body's neutral lying pelvis, degrees,
  + anterior (tailbone down into the floor, the top of the pelvis and the lumbar spine lifted: an
  arched low back), - posterior (the low back pressed flat). It is the root bone's rotation about
  the body's left-right axis (samplegen.lying_pose tips the root and lets the lumbar joints take up
  the difference); 0 in every keyframe that sets no `pelvic_tilt_deg`.
- `lumbar_gap_cm`: the highest point of the gap between the floor (the mat's top) and the body's
  underside along the lumbar spine, centimetres: along the body's long axis, between the L4/L5 joint
  (anny's spine04 head) and the thoraco-lumbar joint (spine02 head), the trunk's surface is drawn
  side-on (every triangle, across the whole width of the body: what a camera at floor level sees
  under the back) in 2 mm cells, each column's lowest point is found, and the highest of those is
  taken. Trunk vertices only: the arms and hands,
  which rest beside the waist, are left out. A neutral spine leaves a small gap (its lordosis); a
  bridge lifts everything, so the gap is only an arch where the buttocks stay down.
- `lumbar_gap`: the same gap in trunk lengths (mid-hip to mid-shoulder joint centres), the unit
  posecoach measures it in; `trunk_m`: that trunk length in metres.

Measured on the body's own vertices, before the loose shirt is drawn over it (a loose shirt hides
the gap from the camera; the truth still says what the spine does).
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from samplegen.body import Body, PosedBody
from samplegen.scene import MAT_THICKNESS_M

ARCH_KEYS = ("pelvic_tilt_lying_deg", "lumbar_gap_cm", "lumbar_gap", "trunk_m")
CELL_M = 0.002  # 2 mm cells of the side-on drawing


class LumbarTruth:
    """The arch measurements of one body, frame after frame."""

    def __init__(self, body: Body) -> None:
        self.body = body
        names = np.array(body.labels)[body.dominant_bone]
        trunk = np.array([n.startswith(("spine", "pelvis", "root")) for n in names])
        self.trunk_faces = body.faces[trunk[body.faces].all(axis=1)]
        self._spine04 = body.index["spine04"]
        self._spine02 = body.index["spine02"]

    def measure(self, rotvecs: np.ndarray, posed: PosedBody, rot: np.ndarray, shift: np.ndarray,
                joints: dict[str, np.ndarray], supine: bool) -> dict[str, float | None]:
        """The ARCH_KEYS of one frame. `posed`: the body-frame pose; `rot`, `shift`: its placement in
        the world (world = rot @ body + shift); `joints`: world joint centres (samplegen.body names).
        The gap is None unless the person lies on the back (`supine`)."""
        mid = lambda a, b: 0.5 * (joints[a] + joints[b])  # noqa: E731
        trunk_m = float(np.linalg.norm(mid("left_shoulder", "right_shoulder") - mid("left_hip", "right_hip")))
        out: dict[str, float | None] = {
            "pelvic_tilt_lying_deg": round(math.degrees(float(rotvecs[0, 0])), 2),
            "lumbar_gap_cm": None, "lumbar_gap": None, "trunk_m": round(trunk_m, 4)}
        if not supine:
            return out
        world = posed.vertices @ rot.T + shift
        gap = lumbar_gap_m(world[self.trunk_faces], rot @ posed.joint(self._spine04) + shift,
                           rot @ posed.joint(self._spine02) + shift)
        if gap is not None:
            out["lumbar_gap_cm"] = round(100.0 * gap, 2)
            out["lumbar_gap"] = round(gap / trunk_m, 4)
        return out


def underside_m(triangles: np.ndarray, low: np.ndarray, high: np.ndarray, floor_z: float = MAT_THICKNESS_M,
                cell_m: float = CELL_M) -> np.ndarray:
    """Height above `floor_z` (metres) of the lowest surface of `triangles` (T, 3, 3 world points),
    seen from the side along the body: the triangles are drawn into a side-on picture (u = along
    the horizontal line from `low` to `high`, z up) of `cell_m` cells, and each column's lowest
    filled cell is read. One value per column from `low` to `high` (NaN where nothing is drawn)."""
    axis = (high - low)[:2]
    length = float(np.linalg.norm(axis))
    n_u = max(1, int(math.ceil(length / cell_m)))
    u = (triangles[..., :2] - low[:2]) @ (axis / max(length, 1e-9))
    z = triangles[..., 2] - floor_z
    keep = (u.max(axis=1) >= 0) & (u.min(axis=1) <= length) & (z.min(axis=1) < 0.5)
    n_z = int(0.5 / cell_m)
    img = np.zeros((n_z, n_u), np.uint8)
    pts = np.stack([u[keep] / cell_m, z[keep] / cell_m], axis=-1)
    cv2.fillPoly(img, [np.round(p * 16).astype(np.int32) for p in pts], 1, lineType=cv2.LINE_8, shift=4)
    filled = img.any(axis=0)
    lowest = img.argmax(axis=0).astype(float) * cell_m
    return np.where(filled, lowest, np.nan)


def lumbar_gap_m(triangles: np.ndarray, low: np.ndarray, high: np.ndarray,
                 floor_z: float = MAT_THICKNESS_M) -> float | None:
    """Largest height (metres) above `floor_z` of the body's underside between the world points
    `low` and `high` on the spine (see `underside_m`)."""
    under = underside_m(triangles, low, high, floor_z)
    if not np.isfinite(under).any():
        return None
    return float(np.nanmax(under))
