"""Constructive rest: lying on the back, knees bent, feet flat, spine neutral, slow belly breathing,
5-10 minutes. Seen from the side with the camera near floor height.

`observe_rest(pose)` is pure: posture, the measurements below and the belly signal of one frame.
`RestAnalyzer` steadies the posture, smooths the measurements, switches faults with hysteresis and
a debounce, and estimates the breathing rate. `RestCoach` (posecoach.exercises.rest_coach) turns
that into a timer and a few calm prompts.

Measurements (side view, image plane = sagittal plane, degrees unless stated):
- trunk_elevation_deg: mid-hip -> mid-shoulder above the horizontal; 0 lying flat, + propped up or
  sitting up, - hips higher than shoulders.
- knee_angle_deg: interior hip-knee-ankle angle, mean of both legs (180 = straight). With the feet
  flat on the floor at a comfortable distance the knees sit at about 60-110 degrees; between 120
  and 140 the feet have slid away; from 140 the legs are nearly straight, the hip flexors are
  lengthened under the body's weight and tug the low back into an arch, which is what bending the
  knees avoids: KNEES_STRAIGHT is a fault at >= 140 and ok at <= 120.
- pelvis_lift_deg: how far the hips are raised, as the hip's elevation seen from the shoulder
  (the shoulder blades stay down in a bridge): 0 resting, ~10 with the pelvis 10 cm off the floor,
  20-35 in a bridge. PELVIS_LIFTED: fault >= 12, ok <= 5.
- foot_lift: the higher of heel and toe above the floor, in shin lengths (a shin is ~40 cm):
  0-0.1 feet flat, more on tiptoe, heels only or feet in the air. FEET_NOT_FLAT: fault >= 0.35
  (~14 cm), ok <= 0.15 (~6 cm). The floor is placed a fixed fraction of the trunk below the shoulder
  landmark (measured on rendered bodies), since the back rests on it.
- lumbar_arch: from the person mask (posecoach.exercises.lumbar), trunk lengths: the hollow under
  the low back above the line joining where the buttocks and the upper back rest, plus twice the
  belly's rise against the top of the thigh behind the hip; observe_rest gives that reading, the
  analyzer turns it into the rise above the person's own flattest reading since they settled
  (ArchBaseline; None in the first second and without a mask), read only with the trunk flat,
  the pelvis down and the knees bent. ARCHED_BACK_LYING (the pelvis tipped forward, the low back
  lifted off the floor) is a fault from ARCH_FAULT and ok up to ARCH_OK (set on rendered clips,
  see below); the ground truth judges it on the pelvis' true tilt against the person's neutral
  lying pelvis (fault >= 10 deg anterior, ok <= 4: ARCH_TRUTH_BAND). The normal small hollow of a
  neutral spine is ok.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posecoach.core import geometry as g
from posecoach.core.config import Band
from posecoach.core.landmarks import side_joints
from posecoach.core.protocol import Fault, View
from posecoach.core.types import Pose
from posecoach.exercises.breathing import (
    BreathingRate,
    belly_height_px,
    landmark_height_px,
)
from posecoach.exercises.judging import (
    FLOOR_FLAGS,
    FaultJudge,
    PostureVote,
    SmoothedMetrics,
    scene_flags,
)
from posecoach.exercises.lumbar import lumbar_arch
from posecoach.exercises.lying import BodyLine, body_line, classify_posture
from posecoach.exercises.view import ViewHysteresis, parts_out_of_frame, view_angle

REST_METRICS = ("trunk_elevation_deg", "knee_angle_deg", "pelvis_lift_deg", "foot_lift", "lumbar_arch")
REST_FAULTS = (Fault.PELVIS_LIFTED, Fault.KNEES_STRAIGHT, Fault.FEET_NOT_FLAT, Fault.ARCHED_BACK_LYING)
UP_POSTURES = frozenset(("sitting", "kneeling", "standing"))

# The floor under a supine body, below the shoulder landmark, in trunk (hip-shoulder) lengths.
FLOOR_BELOW_SHOULDER = 0.18
# BlazePose's hip sits higher against its shoulder than the joint centres do when lying on the
# back: pelvis lift read 0.9-3.9 deg (mean 2.4) too high on six rendered rest clips
# (benchmarks.lying); this much is subtracted (leave-one-clip-out, the bias left is ~1.2 deg).
PELVIS_LIFT_OFFSET_DEG = 2.0
# ARCHED_BACK_LYING on `lumbar_arch`: the reading of posecoach.exercises.lumbar (hollow + 2 x
# belly rise, trunk lengths) above the person's own flattest reading (ArchBaseline). Set on twelve
# rendered clips of six bodies, cameras 0.22-0.5 m (docs/accuracy.md): a neutral spine reads
# 0.00-0.06 above it, the pelvis tipped 3 deg forward up to 0.05, 12-16 deg forward 0.04-0.21;
# these bands gave the best min(precision, recall) there with no neutral clip cued. Checked on
# six further renders of three other bodies and cameras.
ARCH_FAULT = 0.075
ARCH_OK = 0.055
ARCH_SETTLE_MS = 1000.0
# The arch is read only with the trunk this flat (shoulders at most this many degrees above the
# hips; a settled back reads -5..+1 on the renders, a person coming up to sit passes it at once).
ARCH_MAX_ELEVATION_DEG = 6.0


def rest_bands() -> dict[str, tuple[str, Band]]:
    """Fault code -> (metric, bands); the reasons are in the module docstring."""
    return {
        Fault.PELVIS_LIFTED: ("pelvis_lift_deg", Band(fault=12.0, ok=5.0)),
        Fault.KNEES_STRAIGHT: ("knee_angle_deg", Band(fault=140.0, ok=120.0)),
        Fault.FEET_NOT_FLAT: ("foot_lift", Band(fault=0.35, ok=0.15)),
        Fault.ARCHED_BACK_LYING: ("lumbar_arch", Band(fault=ARCH_FAULT, ok=ARCH_OK)),
    }


# An arched low back is defined by the pelvis' true tilt against the person's neutral lying
# pelvis (+ anterior), degrees: the ground truth's band (samplegen.lying_arch), not what is measured.
ARCH_TRUTH_BAND = Band(fault=10.0, ok=4.0)


def rest_truth_bands() -> dict[str, tuple[str, Band]]:
    """The bands the ground truth is judged by: `rest_bands()`, with ARCHED_BACK_LYING judged on
    the true pelvic tilt (`pelvic_tilt_lying_deg`) instead of the measured `lumbar_arch`."""
    bands = rest_bands()
    bands[Fault.ARCHED_BACK_LYING] = ("pelvic_tilt_lying_deg", ARCH_TRUTH_BAND)
    return bands


@dataclass
class RestObservation:
    """What one frame shows, before any smoothing."""
    person: bool
    posture: str = "none"
    out_of_frame: list[str] = field(default_factory=list)
    view_angle_deg: float | None = None
    body: BodyLine | None = None
    metrics: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(REST_METRICS))


def knee_angle_deg(pose: Pose) -> float | None:
    """Mean interior hip-knee-ankle angle over the legs whose three points are known."""
    angles = []
    for side in ("left", "right"):
        j = side_joints(side)
        a = g.interior_angle(pose.xy[j["hip"]], pose.xy[j["knee"]], pose.xy[j["ankle"]])
        if np.isfinite(a):
            angles.append(a)
    return float(np.mean(angles)) if angles else None


def rest_metrics(pose: Pose, b: BodyLine, elevation: float) -> dict[str, float | None]:
    """The REST_METRICS of one frame (see the module doc)."""
    floor_y = float(b.shoulder[1]) + FLOOR_BELOW_SHOULDER * b.trunk_px
    foot_top = np.nanmin([b.heel[1], b.toe[1]])
    foot_lift = None
    if np.isfinite(foot_top) and np.isfinite(b.shin_px) and b.shin_px > 0:
        foot_lift = float((floor_y - foot_top) / b.shin_px)
    return {
        "trunk_elevation_deg": elevation,
        "knee_angle_deg": knee_angle_deg(pose),
        "pelvis_lift_deg": -elevation - PELVIS_LIFT_OFFSET_DEG,
        "foot_lift": foot_lift,
        "lumbar_arch": lumbar_arch(pose.mask, b, pose.mask_scale),
    }


def observe_rest(pose: Pose) -> RestObservation:
    """Measure one frame (pure)."""
    if not pose.present:
        return RestObservation(person=False)
    posture, elevation = classify_posture(pose)
    obs = RestObservation(person=True, posture=posture, out_of_frame=parts_out_of_frame(pose),
                          view_angle_deg=view_angle(pose), body=body_line(pose))
    if obs.body is not None and elevation is not None:
        obs.metrics = rest_metrics(pose, obs.body, elevation)
    return obs


class ArchBaseline:
    """The person's own lying back: `update(reading, judging, t_ms)` -> the reading above the
    flattest (lowest) one seen since they settled on their back in view, or None while settling.

    The arch reading's level depends on the body's build and the camera's height as much as on the
    arch (rendered clips: a neutral spine read -0.30..-0.11 over bodies and cameras, an arch of
    12-16 deg adds 0.05-0.21), so the fault is judged against the person's own baseline: the lowest
    median of the readings over `median_ms` (a mask glitch of a frame does not lower it for good)
    since `settle_ms` after the stretch of judged frames began. It restarts when the person leaves
    the position or the view, or is not judged (a pause), for more than `gap_ms`. The cost: a low back that is
    arched from the first moment and never softens is not seen.
    """

    def __init__(self, settle_ms: float = ARCH_SETTLE_MS, gap_ms: float = 3000.0, median_ms: float = 333.0) -> None:
        self.settle_ms = settle_ms
        self.gap_ms = gap_ms
        self.median_ms = median_ms
        self.base: float | None = None
        self._since: int | None = None
        self._last: int | None = None
        self._recent: deque[tuple[int, float]] = deque()

    def reset(self) -> None:
        self.base = None
        self._since = self._last = None
        self._recent.clear()

    def update(self, value: float | None, judging: bool, t_ms: int) -> float | None:
        if not judging or value is None:
            if self._last is not None and t_ms - self._last > self.gap_ms:
                self.reset()
            return None
        if self._last is not None and t_ms - self._last > self.gap_ms:
            self.reset()  # judged again after a gap (a pause, a stretch unseen): settle afresh
        if self._since is None:
            self._since = t_ms
        self._last = t_ms
        self._recent.append((t_ms, value))
        while t_ms - self._recent[0][0] > self.median_ms:
            self._recent.popleft()
        if t_ms - self._since < self.settle_ms:
            return None
        level = float(np.median([v for _, v in self._recent]))
        self.base = level if self.base is None else min(self.base, level)
        return value - self.base


@dataclass
class RestState:
    """The analyzer's judgement at one frame."""
    obs: RestObservation
    posture: str
    view: View
    metrics: dict[str, float | None]
    faults: list[str]
    interface_faults: list[str]
    breathing_rate_bpm: float | None

    @property
    def lying(self) -> bool:
        return self.posture == "supine"


class RestAnalyzer:
    """Stateful judgement of constructive rest: `update(pose, t_ms)` -> RestState.

    Form faults are judged only while the steadied posture is supine and the view is side-on. The
    breathing rate runs while supine, on the mask's belly height when the estimator gives masks,
    else on the landmarks' height; it restarts when the person moves out of the position.
    """

    def __init__(self, smooth: bool = True, bands: dict[str, tuple[str, Band]] | None = None) -> None:
        self.bands = bands or rest_bands()
        self._posture = PostureVote(9 if smooth else 1)
        self._metrics = SmoothedMetrics(REST_METRICS, enabled=smooth)
        on, off = (600.0, 800.0) if smooth else (0.0, 0.0)
        self._faults = FaultJudge(self.bands, on_ms=on, off_ms=off, flags=FLOOR_FLAGS)
        self._view = ViewHysteresis()
        self.breathing = BreathingRate()
        self._columns: tuple[float, float] | None = None
        self._source: str | None = None
        self.arch_base = ArchBaseline()

    def _breath_signal(self, pose: Pose, b: BodyLine) -> float | None:
        """The belly height over steadied columns (slow EMA of the hip and shoulder x)."""
        lo = b.hip[0] + 0.15 * (b.shoulder[0] - b.hip[0])
        hi = b.hip[0] + 0.55 * (b.shoulder[0] - b.hip[0])
        if self._columns is None:
            self._columns = (lo, hi)
        else:
            a = 0.03
            self._columns = (self._columns[0] + a * (lo - self._columns[0]),
                             self._columns[1] + a * (hi - self._columns[1]))
        source = "mask" if pose.mask is not None else "landmarks"
        if source != self._source:
            self.breathing.reset()
            self._source = source
        if pose.mask is not None:
            return belly_height_px(pose.mask, b, columns=self._columns, scale=pose.mask_scale)
        return landmark_height_px(b)

    def _legs_placed(self, metrics: dict[str, float | None]) -> bool:
        """The trunk flat on the floor, the pelvis down and the knees bent (within their ok
        bands): the arch reading compares the belly with the thigh and the floor under the seat and
        the upper back, so it means nothing while coming up to sit, in a bridge or with the legs
        long (their own faults and GOT_UP say what is going on)."""
        elev = metrics.get("trunk_elevation_deg")
        if elev is None or elev > ARCH_MAX_ELEVATION_DEG:
            return False
        for code in (Fault.PELVIS_LIFTED, Fault.KNEES_STRAIGHT):
            if code not in self.bands:
                continue
            name, band = self.bands[code]
            v = metrics.get(name)
            if v is None or v > band.ok:
                return False
        return True

    def update(self, pose: Pose, t_ms: int) -> RestState:
        obs = observe_rest(pose)
        posture = self._posture.update(obs.posture)
        view = self._view.update(obs.view_angle_deg) if obs.person else View.UNKNOWN
        metrics = self._metrics.update(obs.metrics, t_ms)
        judging = obs.person and posture == "supine" and view == View.SIDE
        arch_judged = judging and self._legs_placed(metrics)
        metrics["lumbar_arch"] = self.arch_base.update(metrics.get("lumbar_arch"), arch_judged, t_ms)
        on = self._faults.update(metrics, judging, t_ms, flags=scene_flags(obs.person, view))
        faults = [c for c in on if c in self.bands]
        interface = [c for c in on if c not in self.bands]
        rate = None
        if posture == "supine" and obs.body is not None and obs.posture == "supine":
            rate = self.breathing.update(self._breath_signal(pose, obs.body), t_ms)
        elif posture == "supine":
            rate = self.breathing.update(None, t_ms)
        else:
            self.breathing.reset()
            self._columns = None
        if not obs.person:
            metrics = dict.fromkeys(REST_METRICS)
        return RestState(obs=obs, posture=posture, view=view, metrics=metrics, faults=faults,
                         interface_faults=interface, breathing_rate_bpm=rate)
