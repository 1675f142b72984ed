"""The half-kneeling hip-flexor stretch (kneeling lunge): what one frame shows, and the smoothed,
debounced judgement over time.

`observe(pose)` is pure: landmarks -> view, facing, which leg is in front, whether the person is
kneeling, anatomical joint centres and the metrics of protocol.md. `LungeAnalyzer` adds state:
it steadies the view and leg choice, smooths the metrics (One Euro) and switches each fault on and
off with hysteresis and a short debounce, so a fault neither flickers nor lags.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posecoach.core import geometry as g
from posecoach.core.config import FAULT_METRIC, Settings
from posecoach.exercises.joints import JointCentres, joint_centres
from posecoach.core.filters import Debounce, OneEuro, Passthrough
from posecoach.core.landmarks import Landmark as L
from posecoach.core.landmarks import side_joints
from posecoach.core.types import METRIC_NAMES, Metrics, Pose

FORM_FAULTS = ("ANTERIOR_TILT", "HIPS_FORWARD", "KNEE_PAST_ANKLE", "FOOT_TOO_FAR", "LEANING_FORWARD")

# Sagittal plane this far (deg) from the image plane still counts as a side view, and this far
# is a front view; the live decision uses the midpoint with hysteresis.
SIDE_MAX_DEG, FRONT_MIN_DEG = 25.0, 55.0
VIEW_ON_DEG, VIEW_OFF_DEG = 42.0, 36.0

BODY_PARTS = {
    "head": (L.NOSE,),
    "shoulders": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    "hips": (L.LEFT_HIP, L.RIGHT_HIP),
    "knees": (L.LEFT_KNEE, L.RIGHT_KNEE),
    "feet": (L.LEFT_ANKLE, L.RIGHT_ANKLE),
}


@dataclass
class Observation:
    """What one frame shows, before any smoothing."""
    person: bool
    out_of_frame: list[str] = field(default_factory=list)
    view_angle_deg: float | None = None
    facing: int = 0
    front_side: str | None = None
    kneeling: bool = False
    standing: bool = False
    lying: bool = False
    joints: JointCentres | None = None
    metrics: Metrics = field(default_factory=Metrics)
    body_height_px: float | None = None


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


def facing_votes(pose: Pose) -> float:
    """Evidence for the facing direction: > 0 faces image-right, < 0 image-left."""
    xy = pose.xy
    ears = g.midpoint(xy[L.LEFT_EAR], xy[L.RIGHT_EAR])
    head = xy[L.NOSE][0] - ears[0]
    size = g.distance(xy[L.LEFT_EAR], xy[L.NOSE]) + g.distance(xy[L.RIGHT_EAR], xy[L.NOSE]) + 1e-6
    vote = 2.0 * float(np.clip(head / (0.25 * size), -1, 1))
    for side in ("left", "right"):
        j = side_joints(side)
        toe = xy[j["foot_index"]][0] - xy[j["heel"]][0]
        foot = g.distance(xy[j["foot_index"]], xy[j["heel"]]) + 1e-6
        vote += float(np.clip(toe / (0.5 * foot), -1, 1))
    return vote


def observe(pose: Pose, facing: int = 0, corrected: bool = True) -> Observation:
    """Measure one frame. `facing` (+1/-1) from the analyzer's steadied estimate; 0 = decide here.

    corrected=False uses the raw landmarks as joints (the plain baseline).
    """
    if not pose.present:
        return Observation(person=False)
    obs = Observation(person=True, out_of_frame=parts_out_of_frame(pose))
    obs.view_angle_deg = view_angle(pose)
    if facing == 0:
        v = facing_votes(pose)
        facing = 1 if v >= 0 else -1
    obs.facing = facing
    xy = pose.xy
    top = np.nanmin(xy[[L.NOSE, L.LEFT_EYE, L.RIGHT_EYE], 1])
    bottom = np.nanmax(xy[[L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX], 1])
    obs.body_height_px = float(bottom - top)

    # Front leg: the one whose ankle lies further ahead of the hips.
    ahead = {s: g.ahead_offset(xy[side_joints(s)["ankle"]], g.midpoint(xy[L.LEFT_HIP], xy[L.RIGHT_HIP]),
                               facing) for s in ("left", "right")}
    front = max(ahead, key=lambda s: ahead[s])
    jc = joint_centres(pose, front, facing, corrected=corrected)
    obs.joints = jc

    shin = g.distance(jc.front_knee, jc.front_ankle)
    thigh = g.distance(jc.front_hip, jc.front_knee)
    leg = shin + thigh
    knee_angle = g.interior_angle(jc.front_hip, jc.front_knee, jc.front_ankle)
    back_angle = g.interior_angle(jc.back_hip, jc.back_knee, jc.back_ankle)
    # Kneeling on the back knee: that knee is about as low as the front foot, the front knee is
    # bent and raised, and the front foot is ahead of the back knee. Only a little ahead: a short
    # stance is what lets the knee drift past the ankle (a rendered short-stance lunge with the
    # knee 23 deg forward has the foot 0.49 shin lengths ahead), and that must still be judged.
    floor_y = max(jc.front_ankle[1], jc.back_knee[1])
    obs.kneeling = bool(
        leg > 0
        and abs(jc.back_knee[1] - jc.front_ankle[1]) < 0.45 * shin
        and knee_angle < 150
        and jc.front_knee[1] < floor_y - 0.45 * shin
        and g.ahead_offset(jc.front_ankle, jc.back_knee, facing) > 0.25 * shin
        and back_angle < 150
    )
    obs.standing = bool(knee_angle > 150 and back_angle > 150
                        and jc.mid_shoulder[1] < jc.mid_hip[1] - 0.5 * leg)
    trunk_dx = abs(jc.mid_shoulder[0] - jc.mid_hip[0])
    trunk_dy = abs(jc.mid_shoulder[1] - jc.mid_hip[1])
    obs.lying = bool(trunk_dx > 2.0 * trunk_dy)
    if obs.kneeling:
        obs.front_side = front
        obs.metrics = Metrics(
            front_knee_angle_deg=knee_angle,
            shin_tilt_deg=g.tilt_from_vertical(jc.front_ankle, jc.front_knee, facing),
            knee_ahead_of_ankle=g.ahead_offset(jc.front_knee, jc.front_ankle, facing) / shin if shin else None,
            back_hip_extension_deg=g.tilt_from_vertical(jc.back_knee, jc.back_hip, facing),
            trunk_lean_deg=g.tilt_from_vertical(jc.mid_hip, jc.mid_shoulder, facing),
        )
    return obs


@dataclass
class LungeState:
    """The analyzer's judgement at one frame."""
    obs: Observation
    view: str
    facing: int
    front_side: str | None
    in_lunge: bool
    metrics: Metrics
    faults: list[str]
    # Form faults clear enough to be spoken: the value has reached the protocol's fault line
    # (Band.fault) for a debounce while the fault is on. None = every fault may be cued.
    cue_faults: list[str] | None = None


class LungeAnalyzer:
    """Stateful judgement of the kneeling lunge over a stream of poses.

    `update(pose, t_ms)` -> LungeState. Facing and front leg are steadied over ~1 s so one bad
    frame cannot flip left and right; the metrics are One-Euro smoothed; each fault switches on
    above its band's midpoint and off below it with hysteresis, after a short debounce.
    `pelvis` (optional) supplies pelvic_tilt_deg: an object with `update(pose, obs, t_ms) -> float | None`.
    """

    def __init__(self, settings: Settings | None = None, pelvis: object | None = None) -> None:
        self.settings = settings or Settings()
        self.pelvis = pelvis
        sm = self.settings.smoothing
        smooth = sm.enabled and not self.settings.plain

        def make() -> OneEuro | Passthrough:
            return OneEuro(sm.min_cutoff_hz, sm.beta) if smooth else Passthrough()

        self._filters = {name: make() for name in METRIC_NAMES}
        on, off = (sm.fault_on_ms, sm.fault_off_ms) if smooth else (0.0, 0.0)
        self._debounce = {code: Debounce(on, off) for code in (*FORM_FAULTS, "NOT_SIDE_VIEW", "NO_PERSON")}
        self._raw_on: dict[str, bool] = {code: False for code in FORM_FAULTS}
        # A fault shown from mid-band is spoken only once the value has been past the fault line
        # itself for fault_on_ms: a correction interrupts the hold, so it waits for a clear fault.
        self._past_line = {code: Debounce(on, 0.0) for code in FORM_FAULTS}
        self._confirmed: dict[str, bool] = {code: False for code in FORM_FAULTS}
        self._facing_votes: deque[float] = deque(maxlen=30)
        self._front_votes: deque[str] = deque(maxlen=15)
        self._kneel_votes: deque[bool] = deque(maxlen=7 if smooth else 1)
        self._view = "unknown"
        # Scene codes not yet judged: their first judgement is taken at once (nothing to debounce
        # against yet), so a stream that starts with nobody, or facing the camera, says so at once.
        self._unjudged = {"NO_PERSON", "NOT_SIDE_VIEW"}

    def _steady_facing(self, pose: Pose) -> int:
        if not pose.present:
            return 0
        self._facing_votes.append(facing_votes(pose))
        return 1 if sum(self._facing_votes) >= 0 else -1

    def _steady_view(self, angle: float | None) -> str:
        if angle is None:
            return self._view
        if self.settings.plain:
            self._view = "front" if angle > (VIEW_ON_DEG + VIEW_OFF_DEG) / 2 else "side"
        elif self._view != "front" and angle > VIEW_ON_DEG:
            self._view = "front"
        elif self._view != "side" and angle < VIEW_OFF_DEG:
            self._view = "side"
        return self._view

    def update(self, pose: Pose, t_ms: int) -> LungeState:
        facing = self._steady_facing(pose)
        obs = observe(pose, facing, corrected=not self.settings.plain)
        if not obs.person:
            self._facing_votes.clear()
        view = self._steady_view(obs.view_angle_deg) if obs.person else "unknown"

        self._kneel_votes.append(obs.kneeling)
        in_lunge = obs.person and sum(self._kneel_votes) * 2 > len(self._kneel_votes)
        front_side = None
        if in_lunge and obs.front_side:
            self._front_votes.append(obs.front_side)
            front_side = max(("left", "right"), key=self._front_votes.count)
        elif not in_lunge:
            self._front_votes.clear()

        raw = obs.metrics
        if in_lunge and obs.front_side != front_side and front_side is not None:
            # This frame's leg choice disagrees with the steadied one: trust neither metric set.
            raw = Metrics()
        if self.pelvis is not None and in_lunge and view == "side":
            raw.pelvic_tilt_deg = self.pelvis.update(pose, obs, t_ms)  # type: ignore[attr-defined]
        values = {name: self._filters[name].update(getattr(raw, name), t_ms) for name in METRIC_NAMES}
        # Angles in the picture are sagittal angles only side-on: facing the camera they are
        # meaningless, so nothing is reported rather than a confident wrong number.
        metrics = Metrics(**values) if in_lunge and view != "front" else Metrics()

        faults = self._judge(obs, view, in_lunge, metrics, t_ms)
        cue_faults = None if self.settings.plain else [c for c in FORM_FAULTS if self._confirmed[c]]
        return LungeState(obs=obs, view=view, facing=facing, front_side=front_side, in_lunge=in_lunge,
                          metrics=metrics, faults=faults, cue_faults=cue_faults)

    def _judge(self, obs: Observation, view: str, in_lunge: bool, metrics: Metrics, t_ms: int) -> list[str]:
        faults = []
        scene = {"NO_PERSON": not obs.person}
        if obs.person and view != "unknown":
            scene["NOT_SIDE_VIEW"] = view == "front"
        for code, raw_on in scene.items():
            if code in self._unjudged:
                self._unjudged.discard(code)
                self._debounce[code].state = raw_on
            if self._debounce[code].update(raw_on, t_ms):
                faults.append(code)
        judging = in_lunge and view == "side"
        for code in FORM_FAULTS:
            value = getattr(metrics, FAULT_METRIC[code])
            if not judging or value is None:
                self._raw_on[code] = False
                self._debounce[code].reset()
                self._past_line[code].reset()
                self._confirmed[code] = False
                continue
            band = self.settings.bands[code]
            # an uncalibrated pelvis estimate is rough: ANTERIOR_TILT only when clearly anterior
            shift = float(getattr(self.pelvis, "threshold_shift_deg", 0.0)) if code == "ANTERIOR_TILT" else 0.0
            if self.settings.plain:
                on = value >= (band.fault + band.ok) / 2
            else:
                on = value >= band.off + shift if self._raw_on[code] else value >= band.on + shift
            self._raw_on[code] = on
            past = self._past_line[code].update(value >= band.fault + shift, t_ms)
            if self._debounce[code].update(on, t_ms):
                faults.append(code)
                self._confirmed[code] = self._confirmed[code] or past
            else:
                self._confirmed[code] = False
        return faults
