"""How the camera sees the person, shared by every exercise: which body parts fall outside the
picture, the angle between the body's sagittal plane and the image plane, and that angle steadied
into a side / front view with hysteresis so the view does not flicker at the boundary.
"""
from __future__ import annotations

import math

import numpy as np

from posecoach.core import geometry as g
from posecoach.core.landmarks import Landmark as L
from posecoach.core.protocol import View
from posecoach.core.types import Pose

# The sagittal plane this far (deg) from the image plane still counts as a side view, and this far
# is a front view (protocol and truth bands); the live decision switches to "front" above
# VIEW_ON_DEG and back to "side" below VIEW_OFF_DEG.
SIDE_MAX_DEG, FRONT_MIN_DEG = 25.0, 55.0
VIEW_ON_DEG, VIEW_OFF_DEG = 42.0, 36.0

BODY_PARTS = {
    "head": (L.NOSE,),
    "shoulders": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    "hips": (L.LEFT_HIP, L.RIGHT_HIP),
    "knees": (L.LEFT_KNEE, L.RIGHT_KNEE),
    "feet": (L.LEFT_ANKLE, L.RIGHT_ANKLE),
}


def parts_out_of_frame(pose: Pose, margin: float = 0.01) -> list[str]:
    """Body parts whose landmarks fall outside the picture (MediaPipe extrapolates them there).

    Geometry, not visibility, decides: visibility can stay high for hidden joints.
    """
    w, h = pose.image_size
    lo, hi = -margin * np.array([w, h]), np.array([w, h]) * (1 + margin)
    out = []
    for part, ids in BODY_PARTS.items():
        pts = pose.xy[list(ids)]
        if ((pts < lo) | (pts > hi)).any() or not np.isfinite(pts).all():
            out.append(part)
    return out


def view_angle(pose: Pose) -> float | None:
    """Angle between the body's sagittal plane and the image plane, degrees (0 = true side view,
    90 = facing the camera), from the depth spread of the shoulder and hip lines in MediaPipe's
    world landmarks, cross-checked with their image width against the trunk length.
    """
    xy = pose.xy
    trunk = g.distance(g.midpoint(xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER]),
                       g.midpoint(xy[L.LEFT_HIP], xy[L.RIGHT_HIP]))
    if not np.isfinite(trunk) or trunk < 1:
        return None
    angles = []
    if pose.world is not None:
        for a, b in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)):
            d = pose.world[a] - pose.world[b]
            angles.append(math.degrees(math.atan2(abs(d[0]), abs(d[2]) + 1e-9)))
    # Image width of the shoulder line: about 0.75 trunk lengths when facing the camera.
    width = abs(xy[L.LEFT_SHOULDER][0] - xy[L.RIGHT_SHOULDER][0]) / trunk
    angles.append(math.degrees(math.asin(min(1.0, width / 0.75))))
    return float(np.mean(angles))


class ViewHysteresis:
    """`update(angle_deg | None) -> View`: "front" above `on_deg`, back to "side" below `off_deg`,
    unchanged in between or when the angle is unknown; "unknown" until a first angle arrives.
    plain: the baseline's single threshold halfway between, no hysteresis."""

    def __init__(self, on_deg: float = VIEW_ON_DEG, off_deg: float = VIEW_OFF_DEG, plain: bool = False) -> None:
        self.on_deg, self.off_deg, self.plain = on_deg, off_deg, plain
        self.view = View.UNKNOWN

    def update(self, angle: float | None) -> View:
        if angle is None:
            return self.view
        if self.plain:
            self.view = View.FRONT if angle > (self.on_deg + self.off_deg) / 2 else View.SIDE
        elif self.view != View.FRONT and angle > self.on_deg:
            self.view = View.FRONT
        elif self.view != View.SIDE and angle < self.off_deg:
            self.view = View.SIDE
        return self.view
