"""Pelvic tilt from the back's outline: the measurement and its calibration model.

The 33 landmarks do not see the pelvis tilt; the silhouette does (posecoach.pelvis.outline). One frame's
outline features give an absolute estimate, which is rough because bodies differ (buttock shape,
fat, clothing). The change from the person's own neutral pelvis is much more reliable, so the
estimator calibrates: on a recording from a window the caller names (`neutral_s`, seconds), live
from a short guided capture (posecoach.pelvis.calibration). Readings are degrees, + anterior (arched,
tailbone out), - posterior (tucked), as protocol.md defines pelvic_tilt_deg.

Each frame also gets a quality flag and a reason; the estimate is None (never a guess) when the
outline cannot show the pelvis: hands on the hips or arms behind the back, hair or an object over
the back, loose clothing (found when a tuck and an arch leave the hollow unchanged), not a side
view, a soft unclear mask edge.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from posecoach.core import geometry as g
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Pose
from posecoach.pelvis import learned
from posecoach.pelvis.outline import (
    OutlineFeatures,
    back_profile,
    outline_features,
    trunk_axes,
)

# Linear models over outline features (deg per unit of each), fitted on 501 rendered stills
# (benchmarks/pelvis_stills.py, pelvis_fit.py: 6 body types, 3 camera heights, tilt -15..+18 deg,
# trunk lean, hip extension). Held-out body type: change-from-neutral MAE 2.3 deg, absolute 5.4
# deg (single body types biased by up to 8 deg: only calibration removes that).
FEATURES = ("hollow", "sacral_deg", "protrusion", "chord_deg", "lean_deg")
DELTA_WEIGHTS = np.array([203.44, 0.0, -64.43, 1.330, 1.339])
ABS_WEIGHTS = np.array([135.96, 0.188, 35.39, 0.0, 0.890])
ABS_INTERCEPT = -27.07
# Without calibration ANTERIOR_TILT switches on this much later (degrees): the absolute estimate
# is only trusted when it is clearly anterior.
UNCALIBRATED_MARGIN_DEG = 7.0

SIDE_VIEW_MAX_DEG = 30.0  # sagittal plane this far from the image plane still shows the back
# The mask's edge along the low back (0.2-0.8 transition) is about 2% of the trunk length on clean
# footage, real or rendered; dark clothes on a dark wall or a noisy, blurred webcam widen it and the
# outline then carries no tilt (measured on the sample clips). Judged over the last RECENT samples
# (a median, so it does not flicker), and at once when twice as wide.
MAX_EDGE_TRUNK = 0.032
# Frame-to-frame noise of the change-from-neutral estimate (degrees): the median absolute second
# difference over RECENT samples (steady motion, such as tucking, has almost none; clean clips
# stay under ~3 deg).
MAX_JITTER_DEG = 6.0
# Trunk lean (deg) outside which the outline is not read: the models were fitted on renders leaning
# -6..+12 deg, and beyond that they extrapolate (real reverse lunges leaning 20-35 deg read +20; a
# real backlit reverse lunge leaning 13-15 deg read +11..+14 uncalibrated and was told to tuck
# while the range reached 15).
LEAN_RANGE = (-10.0, 12.0)
RECENT = 15
MAX_BUMP = 0.03  # trunk lengths beyond the buttock-to-upper-back chord: something over the back
MIN_NEUTRAL_SAMPLES = 8
RUNNING_MIN_SAMPLES = 3  # inside a neutral window, the neutral so far is used from this many frames
# A tuck and an arch must deepen the low-back hollow at least this much (trunk lengths; fitted
# clothes: about 0.1 for a 22 deg tuck-to-arch) and move the whole estimate at least this much
# (degrees), or the clothing hides the back.
LOOSE_MIN_HOLLOW = 0.015
# A neutral low back with almost no hollow under the straightedge (fitted clothes: 0.05-0.15 trunk
# lengths on every rendered body) is a shirt hanging from the shoulder blades, or a back too flat
# to read: the pelvis is then not measured (a recording has no tuck and arch to tell).
NEUTRAL_MIN_HOLLOW = 0.025
LOOSE_MIN_SPAN_DEG = 4.0
# A tuck-to-arch span on cue of about this many degrees is typical; a person's own span sets their
# scale, but only half-trusted (in log terms) and bounded: how far people tilt on cue varies as
# much as how strongly their outline responds, and renders cannot tell the two apart.
NOMINAL_SPAN_DEG = 22.0
SCALE_LIMITS = (0.8, 1.25)
HANDS_HOLD_MS = 1000  # hands on the hips this long before the person is told where to put them
NEUTRAL_MAX_SD_DEG = 4.0  # a neutral window whose outline moves more than this is not a hold


class TrunkJoints(Protocol):
    """Joint centres of the trunk, pixels."""
    @property
    def mid_hip(self) -> np.ndarray: ...
    @property
    def mid_shoulder(self) -> np.ndarray: ...


class BodyObservation(Protocol):
    """What the pelvis reader needs of one frame's observation (the lunge's Observation has it)."""
    @property
    def joints(self) -> TrunkJoints | None: ...
    @property
    def facing(self) -> int: ...
    @property
    def view_angle_deg(self) -> float | None: ...


@dataclass(frozen=True)
class Sample:
    """What one frame's outline gave: features or the reason there are none, and where the person
    stood in the picture (trunk length and mid-hip, pixels) to notice a moved camera."""
    t_ms: int
    features: OutlineFeatures | None
    reason: str | None
    trunk_px: float = math.nan
    hip_xy: tuple[float, float] = (math.nan, math.nan)
    # posecoach.pelvis.learned: the learned absolute tilt (degrees) or why it gave none, the models'
    # input vector (for changes between frames) and the facing (+1/-1) it was read with
    absolute: float | None = None
    absolute_reason: str | None = None
    inputs: np.ndarray | None = None
    facing: int = 0

    def vector(self) -> np.ndarray:
        assert self.features is not None
        return np.array([getattr(self.features, n) for n in FEATURES], float)


@dataclass(frozen=True)
class PelvisReading:
    """One frame's pelvic tilt (degrees, or None), whether it is relative to a calibrated neutral,
    its quality ("good", "rough" = uncalibrated estimate, "none") and why it is not good."""
    t_ms: int
    tilt_deg: float | None
    calibrated: bool
    quality: str
    reason: str | None

    def note(self) -> dict[str, object]:
        return {"calibrated": self.calibrated, "quality": self.quality, "reason": self.reason}


@dataclass
class Calibration:
    """A person's neutral outline (feature vector), where they were in the picture, their own
    scale from a tuck and an arch when captured, and whether the outline can show the pelvis."""
    neutral: np.ndarray
    trunk_px: float
    hip_xy: tuple[float, float]
    scale: float = 1.0
    span_deg: float | None = None
    usable: bool = True
    reason: str | None = None
    neutral_inputs: np.ndarray | None = None  # the learned change model's neutral (pelvis.learned)


def hands_off_thigh(pose: Pose, hip: np.ndarray, shoulder: np.ndarray, facing: int) -> bool:
    """True when a hand rests on the hip or waist, or an elbow or wrist is behind the trunk line:
    then a forearm or an elbow lies over the low back's outline (BlazePose landmarks, trunk frame)."""
    fwd, up, trunk = trunk_axes(hip, shoulder, facing)
    if trunk < 1:
        return False
    for elbow, wrist in ((L.LEFT_ELBOW, L.LEFT_WRIST), (L.RIGHT_ELBOW, L.RIGHT_WRIST)):
        e, w = pose.xy[elbow] - hip, pose.xy[wrist] - hip
        eu, ev = float(e @ fwd) / trunk, float(e @ up) / trunk
        wu, wv = float(w @ fwd) / trunk, float(w @ up) / trunk
        if not all(map(math.isfinite, (eu, ev, wu, wv))):
            continue
        if eu < -0.12 and 0.1 < ev < 1.0:  # elbow sticking out behind the back
            return True
        # hand at the waist or on the hip, at or behind the trunk line (a far-side hand the pose
        # model cannot see is guessed lower, near the hip joint, and is not counted)
        if wu < 0.06 and 0.15 < wv < 0.7:
            return True
    return False


def measure(pose: Pose, hip: np.ndarray, shoulder: np.ndarray, facing: int, view_deg: float | None,
            t_ms: int) -> Sample:
    """One frame's outline sample: features, or the reason the outline cannot show the pelvis."""
    hip, shoulder = np.asarray(hip, float), np.asarray(shoulder, float)
    _, _, trunk = trunk_axes(hip, shoulder, facing)
    hip_xy = (float(hip[0]), float(hip[1]))

    def sample(features: OutlineFeatures | None, reason: str | None) -> Sample:
        return Sample(t_ms, features, reason, trunk, hip_xy)

    if view_deg is not None and view_deg > SIDE_VIEW_MAX_DEG:
        return sample(None, "not_side_view")
    if pose.mask is None:
        return sample(None, "no_mask")
    lean = g.tilt_from_vertical(hip, shoulder, facing)
    if not LEAN_RANGE[0] <= lean <= LEAN_RANGE[1]:
        return sample(None, "leaning")
    if hands_off_thigh(pose, hip, shoulder, facing):
        return sample(None, "hands_on_hips")
    # The mask is at detection scale (Pose.mask_scale < 1 for frames over 960 px): read it there.
    s = pose.mask_scale
    profile = back_profile(pose.mask, hip * s, shoulder * s, facing)
    feats, reason = outline_features(profile, lean)
    if feats is None:
        return sample(None, reason)
    if feats.bump > MAX_BUMP:
        return sample(None, "something_over_back")
    if not math.isfinite(feats.edge_px) or feats.edge_px > 2 * MAX_EDGE_TRUNK * feats.trunk_px:
        return sample(None, "outline_unclear")
    models = learned.active()
    if models is None:
        return sample(feats, None)
    seen = learned.from_profile(profile, feats, pose, hip, shoulder, facing, view_deg, lean,
                                crop=models.conv is not None)
    est = models.estimate(seen)
    x = learned.inputs(seen)
    return Sample(t_ms, feats, None, trunk, hip_xy, absolute=est.tilt_deg, absolute_reason=est.reason,
                  inputs=x if x is not None and np.isfinite(x).all() else None, facing=facing)


def calibrate(neutral: list[Sample], tuck: list[Sample] | None = None, arch: list[Sample] | None = None,
              min_samples: int = MIN_NEUTRAL_SAMPLES) -> Calibration | None:
    """A calibration from the samples of a neutral hold (and of a tuck and an arch, if captured);
    None when the hold gave fewer than `min_samples` usable frames."""
    good = [s for s in neutral if s.features is not None]
    if len(good) < max(1, min_samples):
        return None
    vecs = np.stack([s.vector() for s in good])
    centre = np.median(vecs, axis=0)
    cal = Calibration(centre, float(np.median([s.trunk_px for s in good])),
                      (float(np.median([s.hip_xy[0] for s in good])), float(np.median([s.hip_xy[1] for s in good]))))
    neutral_inputs = [s.inputs for s in good if s.inputs is not None]
    if len(neutral_inputs) == len(good):
        cal.neutral_inputs = np.median(np.stack(neutral_inputs), axis=0)
    spread = float(np.std((vecs - centre) @ DELTA_WEIGHTS))
    if spread > NEUTRAL_MAX_SD_DEG:
        cal.usable, cal.reason = False, "neutral_not_still"
    elif centre[FEATURES.index("hollow")] < NEUTRAL_MIN_HOLLOW:
        cal.usable, cal.reason = False, "loose_clothing"
    if tuck is not None and arch is not None:
        t = [s.vector() for s in tuck if s.features is not None]
        a = [s.vector() for s in arch if s.features is not None]
        if len(t) >= 3 and len(a) >= 3:
            change = np.median(a, axis=0) - np.median(t, axis=0)
            span = float(change @ DELTA_WEIGHTS)
            cal.span_deg = span
            if change[FEATURES.index("hollow")] < LOOSE_MIN_HOLLOW or span < LOOSE_MIN_SPAN_DEG:
                cal.usable, cal.reason = False, "loose_clothing"
            else:
                cal.scale = float(np.clip(math.sqrt(NOMINAL_SPAN_DEG / span), *SCALE_LIMITS))
    return cal


def camera_moved(cal: Calibration, recent: list[Sample], scale_tol: float = 0.15, shift_tol: float = 0.6) -> bool:
    """The person's size or place in the picture jumped away from the calibration's: a moved camera
    (or a new spot) changes the view of the back, so the neutral no longer holds. `recent` is the
    last second or so of samples; shift is measured in trunk lengths."""
    pts = [s for s in recent if math.isfinite(s.trunk_px) and s.trunk_px > 0]
    if len(pts) < 5:
        return False
    trunk = float(np.median([s.trunk_px for s in pts]))
    hx = float(np.median([s.hip_xy[0] for s in pts]))
    hy = float(np.median([s.hip_xy[1] for s in pts]))
    ratio = trunk / cal.trunk_px
    shift = math.hypot(hx - cal.hip_xy[0], hy - cal.hip_xy[1]) / cal.trunk_px
    return abs(math.log(ratio)) > math.log1p(scale_tol) or shift > shift_tol


def tilt_from(sample: Sample, cal: Calibration | None) -> float | None:
    """Degrees from one usable sample: change from the neutral when calibrated (the learned change
    model's when the calibration carries its inputs; None when the sample does not), else absolute
    (the learned model's when the sample carries it, else the old linear estimate)."""
    x = sample.vector()
    models = learned.active()
    if cal is not None:
        if models is not None and cal.neutral_inputs is not None:
            if sample.inputs is None:  # not the linear model for a frame: readings would jump
                return None
            return models.change(sample.inputs, cal.neutral_inputs) * cal.scale
        return float((x - cal.neutral) @ DELTA_WEIGHTS) * cal.scale
    if sample.absolute is not None:
        return sample.absolute
    return float(x @ ABS_WEIGHTS + ABS_INTERCEPT)


