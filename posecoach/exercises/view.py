"""How the camera sees the person, shared by every exercise: which body parts fall outside the
picture, the angle between the body's sagittal plane and the image plane, and that angle steadied
into a side / front view with hysteresis so the view does not flicker at the boundary.
"""
from __future__ import annotations

import math
from collections import deque

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

# The placement check of a live session wants the camera within this angle of the side view;
# beyond it (and up to the front view) coaching goes on, but the person is told how to turn.
PLACEMENT_GOOD_DEG = 20.0
# From this angle on the person faces the camera (or away): which way to turn is not clear.
FACING_CAMERA_DEG = 60.0

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
    unchanged in between or when the angle is unknown; "unknown" until a first angle arrives, which
    is judged by the threshold halfway between (so a camera that stays between the two is still a
    side or a front view). plain: the baseline's single threshold, no hysteresis."""

    def __init__(self, on_deg: float = VIEW_ON_DEG, off_deg: float = VIEW_OFF_DEG, plain: bool = False) -> None:
        self.on_deg, self.off_deg, self.plain = on_deg, off_deg, plain
        self.view = View.UNKNOWN

    def update(self, angle: float | None) -> View:
        if angle is None:
            return self.view
        if self.plain or self.view == View.UNKNOWN:
            self.view = View.FRONT if angle > (self.on_deg + self.off_deg) / 2 else View.SIDE
        elif self.view != View.FRONT and angle > self.on_deg:
            self.view = View.FRONT
        elif self.view != View.SIDE and angle < self.off_deg:
            self.view = View.SIDE
        return self.view


def turn_cue(azimuth_deg: float | None, facing: int) -> str | None:
    """How the person should turn to show the camera their side: "TURN_LEFT" or "TURN_RIGHT" (the
    person's own left and right), "CAMERA_TO_SIDE" when it is not clear which way, None when they
    face the camera (the plain "turn sideways"). azimuth_deg: the camera's signed angle off the side
    view (+ in front of the person); facing: +1 when the person faces image-right.

    A person facing image-right shows the camera their right side; with the camera in front of
    that side, turning to their left takes the chest away from the camera.
    """
    if azimuth_deg is None or facing == 0:
        return "CAMERA_TO_SIDE"
    if abs(azimuth_deg) >= FACING_CAMERA_DEG:
        return None
    return "TURN_LEFT" if (azimuth_deg > 0) == (facing > 0) else "TURN_RIGHT"


class SteadyAngle:
    """The median of the last `n` angles (degrees); a gap of nobody in view clears it."""

    def __init__(self, n: int = 15) -> None:
        self._values: deque[float] = deque(maxlen=n)

    def update(self, angle: float | None) -> float | None:
        if angle is not None and math.isfinite(angle):
            self._values.append(angle)
        return float(np.median(self._values)) if self._values else None

    def clear(self) -> None:
        self._values.clear()
