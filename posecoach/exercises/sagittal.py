"""The body's own sagittal angles from an oblique or high camera (issue 12).

protocol.md measures the lunge in the body's sagittal plane (the plane through the hips,
perpendicular to the line joining them). A picture taken off the side view, or from above,
shortens and bends those angles.

Used by the pipeline: `camera_in_front` (the sign of lunge's view angle) and, when
Settings.sagittal_model is on (the default), `sagittal_metrics`: the learned correction of
sagittal_model.py (3D minus picture per metric, camera azimuth and elevation, which leg is near),
bounded, withheld where the ensemble disagrees (on a whole frame when it disagrees on several
metrics); lunge.observe can also gate it on the frame's own view angle, and the analyzer then
keeps the view coachable to `COACHABLE_ON_DEG`. `FrontSideVote`: the front leg's side by geometry
over a hold (not wired in).

Research kept for the benchmarks: `body_frame` / `sagittal_joints` / `plane_metrics` (MediaPipe's
world landmarks turned into the body's frame and projected on its sagittal plane: measured worse
than the picture, docs/accuracy.md "Part B"), `view_angle_deg`, `front_leg`, `SteadySide`.
Measured: docs/accuracy.md, "The learned correction". Angles in degrees; positions in metres
(world) or pixels (picture).
Pure numpy: no cv2, no MediaPipe.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecoach.exercises import sagittal_model as M
from posecoach.core.landmarks import Landmark as L
from posecoach.core.landmarks import side_joints
from posecoach.core.types import Metrics, Pose
from posecoach.exercises.joints import JointCentres

TOWARD_CAMERA = np.array([0.0, 0.0, -1.0])  # in MediaPipe world axes (z grows away from the camera)
CAMERA_UP = np.array([0.0, -1.0, 0.0])


@dataclass(frozen=True)
class BodyFrame:
    """The body's axes in MediaPipe world coordinates (unit vectors) and how they were found.

    left: the body's anatomical left (the sagittal plane's normal); forward, up: span the plane.
    up_from_floor: True when `up` came from the floor contacts, False when from the camera's up.
    labels_swapped: MediaPipe's LEFT_HIP lies on the body's right side by this frame.
    """
    left: np.ndarray
    forward: np.ndarray
    up: np.ndarray
    up_from_floor: bool
    labels_swapped: bool

    def to_plane(self, points: np.ndarray) -> np.ndarray:
        """World points (N, 3) -> sagittal-plane points (N, 2): (forward, up), metres."""
        p = np.asarray(points, float)
        return np.stack([p @ self.forward, p @ self.up], axis=-1)


@dataclass(frozen=True)
class CameraAngles:
    """Where the camera stands relative to the body, degrees.

    view_angle_deg: horizontal angle between the direction to the camera and the body's left-right
    axis: 0 = square-on side view, + = camera in front of the person (sees the chest), - = behind.
    elevation_deg: the camera's height above the hips as an angle (+ = looking down on the person);
    meaningful only when the body frame's up came from the floor.
    """
    view_angle_deg: float
    elevation_deg: float | None


@dataclass(frozen=True)
class SagittalJoints:
    """Joint centres (forward, up) in the sagittal plane by role in the lunge, metres."""
    front_side: str  # the front leg's anatomical side by the body frame ("left"/"right")
    front_hip: np.ndarray
    front_knee: np.ndarray
    front_ankle: np.ndarray
    back_hip: np.ndarray
    back_knee: np.ndarray
    mid_hip: np.ndarray
    mid_shoulder: np.ndarray


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 and math.isfinite(n) else None


def _facing_evidence(w: np.ndarray) -> np.ndarray:
    """A vector (world) pointing roughly the way the person faces: nose ahead of the ears, toes
    ahead of the heels (each unit-weighted so one long foot does not dominate)."""
    ears = 0.5 * (w[L.LEFT_EAR] + w[L.RIGHT_EAR])
    v = np.zeros(3)
    for a, b in ((L.NOSE, None), (L.LEFT_FOOT_INDEX, L.LEFT_HEEL), (L.RIGHT_FOOT_INDEX, L.RIGHT_HEEL)):
        d = w[a] - (ears if b is None else w[b])
        u = _unit(d)
        if u is not None:
            v += u
    return v


def _floor_direction(w: np.ndarray, left: np.ndarray, forward0: np.ndarray) -> np.ndarray | None:
    """The floor's forward direction in the sagittal plane: from the back leg's toes to the front
    foot (heel and toes), both on the floor in a half-kneeling lunge. None when the feet do not
    look like a lunge (front foot not clearly ahead)."""
    ankles = {s: w[side_joints(s)["ankle"]] for s in ("left", "right")}
    front = max(ankles, key=lambda s: float(ankles[s] @ forward0))
    back = "right" if front == "left" else "left"
    fj, bj = side_joints(front), side_joints(back)
    front_foot = 0.5 * (w[fj["heel"]] + w[fj["foot_index"]])
    d = front_foot - w[bj["foot_index"]]
    d = d - (d @ left) * left
    if float(d @ forward0) < 0.3 * float(np.linalg.norm(d) + 1e-9) or np.linalg.norm(d) < 0.3:
        return None
    return _unit(d)


LATERAL_PAIRS = {"hips": ((L.LEFT_HIP, L.RIGHT_HIP),), "shoulders": ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER),),
                 "both": ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER))}


def body_frame(pose: Pose, use_floor: bool = False, lateral_from: str = "shoulders") -> BodyFrame | None:
    """The body's axes from the world landmarks (module doc); None without world landmarks.

    lateral_from: which landmark pairs give the left-right axis. On the dev renders MediaPipe's
    world hip line reads the camera 10-20 deg further in front than it is in a kneeling lunge,
    while the shoulder line is within a few degrees (benchmarks/oblique.py), hence "shoulders".
    use_floor: take up from the floor contacts (off by default: on the dev renders the foot
    landmarks are too rough for it and the camera's up did better).
    """
    w = pose.world
    if w is None or not np.isfinite(w[[L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_SHOULDER, L.RIGHT_SHOULDER]]).all():
        return None
    lateral = _unit(sum((w[a] - w[b] for a, b in LATERAL_PAIRS[lateral_from]), np.zeros(3)))
    if lateral is None:
        return None
    up0 = _unit(CAMERA_UP - (CAMERA_UP @ lateral) * lateral)
    if up0 is None:
        return None
    fwd0 = np.cross(up0, lateral)
    if float(fwd0 @ _facing_evidence(w)) < 0:
        fwd0 = -fwd0
    up, from_floor = up0, False
    if use_floor:
        floor = _floor_direction(w, lateral, fwd0)
        if floor is not None:
            cand = np.cross(lateral, floor)
            cand = cand if float(cand @ up0) > 0 else -cand
            # a floor more than 35 deg from the camera's horizontal is a misread foot, not a pitch
            if float(cand @ up0) > math.cos(math.radians(35)):
                up, from_floor = cand, True
    fwd = _unit(fwd0 - (fwd0 @ up) * up)
    assert fwd is not None
    left = np.cross(up, fwd)  # x right, y down, z away: the body's left is up x forward
    return BodyFrame(left=left, forward=fwd, up=up, up_from_floor=from_floor,
                     labels_swapped=bool(float(lateral @ left) < 0))


def camera_angles(frame: BodyFrame) -> CameraAngles:
    """The camera's azimuth off the side view (signed) and elevation, from the body frame."""
    c = TOWARD_CAMERA
    az = math.degrees(math.atan2(float(c @ frame.forward), abs(float(c @ frame.left))))
    horiz = math.hypot(float(c @ frame.forward), float(c @ frame.left))
    el = math.degrees(math.atan2(float(c @ frame.up), horiz)) if frame.up_from_floor else None
    return CameraAngles(view_angle_deg=az, elevation_deg=el)


def sagittal_joints(pose: Pose, frame: BodyFrame, front_side: str | None = None) -> SagittalJoints | None:
    """World landmarks projected on the sagittal plane, by role. The front leg is `front_side`
    (anatomical, by the body frame) if given, else the leg whose ankle is further forward."""
    w = pose.world
    if w is None:
        return None
    # Anatomical sides by geometry: swap MediaPipe's labels when they disagree with the frame.
    label = {"left": "right", "right": "left"} if frame.labels_swapped else {"left": "left", "right": "right"}
    p = {side: {j: frame.to_plane(w[idx][None])[0] for j, idx in side_joints(label[side]).items()}
         for side in ("left", "right")}
    if front_side is None:
        front_side = max(("left", "right"), key=lambda s: float(p[s]["ankle"][0] - p[s]["hip"][0]))
    back = "right" if front_side == "left" else "left"
    f, b = p[front_side], p[back]
    return SagittalJoints(
        front_side=front_side, front_hip=f["hip"], front_knee=f["knee"], front_ankle=f["ankle"],
        back_hip=b["hip"], back_knee=b["knee"],
        mid_hip=0.5 * (f["hip"] + b["hip"]), mid_shoulder=0.5 * (f["shoulder"] + b["shoulder"]))


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = a - b, c - b
    cos = float(u @ v) / (float(np.linalg.norm(u) * np.linalg.norm(v)) or 1.0)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _tilt(lower: np.ndarray, upper: np.ndarray) -> float:
    d = upper - lower
    return math.degrees(math.atan2(float(d[0]), float(d[1])))


def plane_metrics(j: SagittalJoints) -> Metrics:
    """protocol.md's metrics from sagittal-plane joint centres (forward, up); pelvic tilt None."""
    shin = float(np.linalg.norm(j.front_knee - j.front_ankle))
    return Metrics(
        front_knee_angle_deg=_angle(j.front_hip, j.front_knee, j.front_ankle),
        shin_tilt_deg=_tilt(j.front_ankle, j.front_knee),
        knee_ahead_of_ankle=float(j.front_knee[0] - j.front_ankle[0]) / shin if shin > 0 else None,
        back_hip_extension_deg=_tilt(j.back_knee, j.back_hip),
        trunk_lean_deg=_tilt(j.mid_hip, j.mid_shoulder),
    )


def camera_axes(view_angle_deg: float, elevation_deg: float, facing: int) -> tuple[np.ndarray, np.ndarray]:
    """The body's forward and up axes in camera coordinates (x right, y down, z away) for a camera
    `view_angle_deg` off the side view (+ in front) and `elevation_deg` above, the person facing
    image-right (facing +1) or image-left (-1). Orthographic: the camera's own tilt is taken to
    be the elevation (it looks at the person)."""
    a, e = math.radians(view_angle_deg), math.radians(elevation_deg)
    up = np.array([0.0, -math.cos(e), -math.sin(e)])
    toward = np.array([0.0, math.sin(e), -math.cos(e)])  # horizontal direction to the camera
    right = np.array([1.0, 0.0, 0.0])
    forward = facing * right * math.cos(a) + toward * math.sin(a)
    return forward, up


def front_leg(pose: Pose, facing: int) -> tuple[str, str] | None:
    """(label, side) of the front leg: `label` is MediaPipe's name of the leg whose ankle lies
    further ahead in the picture (use it to index the landmarks); `side` is that leg's anatomical
    side by geometry, not by the label. For a camera within 90 deg of the side view the person's
    side facing the camera is the side they face in the picture (facing image-right shows the
    right side), and the nearer leg is the one whose hip is nearer in the world landmarks (the two
    hips stand side by side, so their depth order is their lateral order). None without world
    landmarks."""
    w = pose.world
    if w is None or facing == 0:
        return None
    xy = pose.xy
    mid = 0.5 * (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP])
    ahead = {s: float(xy[side_joints(s)["ankle"]][0] - mid[0]) * facing for s in ("left", "right")}
    label = max(ahead, key=lambda s: ahead[s])
    near_label = "left" if w[L.LEFT_HIP, 2] < w[L.RIGHT_HIP, 2] else "right"
    near_side = "right" if facing > 0 else "left"
    side = near_side if label == near_label else ("left" if near_side == "right" else "right")
    return label, side


class SteadySide:
    """A left/right choice held steady through a hold: the first vote sets it, and it changes only
    once the other side holds `switch` x `window` of the last `window` votes (24 of 30 by
    default: ~0.8 s at 30 fps), so a few frames of a misread cannot flip it. `reset()` when the
    hold ends."""

    def __init__(self, window: int = 30, switch: float = 0.8) -> None:
        self.window, self.switch = window, switch
        self.votes: list[str] = []
        self.side: str | None = None

    def update(self, vote: str | None) -> str | None:
        if vote is not None:
            self.votes = (self.votes + [vote])[-self.window:]
            other = sum(v != self.side for v in self.votes)
            if self.side is None:
                self.side = vote
            elif other >= self.switch * self.window:
                self.side = "left" if self.side == "right" else "right"
        return self.side

    def reset(self) -> None:
        self.votes, self.side = [], None


def view_angle_deg(pose: Pose) -> float | None:
    """The camera's signed angle off the side view (+ in front of the person, - behind), degrees.

    Magnitude: the mean of three cues, as posecoach's unsigned lunge.view_angle takes it: the
    world shoulder line's and hip line's angle to the camera's depth axis, and the picture width
    of the shoulder line against the trunk length (about 0.75 trunk lengths facing the camera).
    Sign: the body frame's forward direction (face and feet) toward or away from the camera.
    On the dev sweep the signed result was within ~6 deg on average (benchmarks/oblique.py).
    """
    frame = body_frame(pose)
    w, xy = pose.world, pose.xy
    if frame is None or w is None:
        return None
    cues = []
    for a, b in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP)):
        d = w[a] - w[b]
        cues.append(math.degrees(math.atan2(abs(float(d[0])), abs(float(d[2])) + 1e-9)))
    sh = 0.5 * (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER])
    hp = 0.5 * (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP])
    trunk = float(np.linalg.norm(sh - hp))
    if trunk > 1 and math.isfinite(trunk):
        width = abs(float(xy[L.LEFT_SHOULDER][0] - xy[L.RIGHT_SHOULDER][0])) / trunk
        cues.append(math.degrees(math.asin(min(1.0, width / 0.75))))
    magnitude = float(np.mean(cues))
    return magnitude if float(TOWARD_CAMERA @ frame.forward) >= 0 else -magnitude


# The learned correction (sagittal_model.py) and how far it is trusted. Chosen on the fit data's
# cross-validation by body and on sweeps already analysed (leave one sweep out), never on the
# check set of the time (docs/accuracy.md, "Video frames in the fit").
# Every corrected metric takes the correction at every view angle. (The model fitted on stills
# alone read a side-on back hip up to 13 deg short, so the back hip was gated off near the side
# view; fitted on stills and sweep video frames it reads the back hip within 20 deg of the side
# view 1.5-2.1 deg off ungated, where the gate left 1.9-2.4: replayed, each sweep with a model not
# fitted on it.)
# A metric the members are unsure of keeps the picture's value within this |estimated azimuth|
# (the picture is fair there, and withholding it near the side view cost fault recall on the
# sweeps) and is withheld beyond it.
PICTURE_FALLBACK_DEG = 16.0


# The trunk is not corrected (bound 0): a near-vertical line in the sagittal plane keeps its tilt
# in an oblique picture (the true joint centres' picture trunk is within 0.6 deg of the 3D one up
# to 40 deg on the camera sweeps), and on the dev sweep the correction only added the landmarks'
# noise (trunk MAE within 40 deg 1.8 picture, 2.3 corrected). Its members' spread still counts
# towards an unsure frame.
MAX_CORRECTION = {"front_knee_angle_deg": 25.0, "shin_tilt_deg": 20.0, "knee_ahead_of_ankle": 0.35,
                  "back_hip_extension_deg": 20.0, "trunk_lean_deg": 0.0}
# With the correction, the view reads "front" (nothing measured) beyond this |view angle| (view.py's
# estimate from the picture), back to "side" below the second (the lunge analyzer's view
# hysteresis; 42 / 36 without the correction). The estimate runs high: at a true 40 deg its 90th
# percentile is 47-50 on the sweeps. With 50 / 45 a tenth of the 40-deg frames went unmeasured;
# at 55 / 50 the sweeps analysed read 20-40 deg cameras with 0.05-0.07 more coverage and the same
# knee and shin error, and 13 takes at 50 deg never fitted on read knee / shin / back hip / trunk
# 2.2 / 1.8 / 2.3 / 2.3 deg on the frames then measured (docs/accuracy.md, "Video frames in the fit").
COACHABLE_ON_DEG, COACHABLE_OFF_DEG = 55.0, 50.0
MAX_SPREAD = {"front_knee_angle_deg": 6.0, "shin_tilt_deg": 5.0, "knee_ahead_of_ankle": 0.09,
              "back_hip_extension_deg": 5.0, "trunk_lean_deg": 4.0}
# A frame where the members disagree on this many metrics is unlike anything the model was fitted
# on (a real backlit side view gave four unsure metrics and a sure, wrong +20 deg back hip): none
# of its corrections is trusted.
UNSURE_FRAME_METRICS = 2


@dataclass(frozen=True)
class SagittalReading:
    """One frame's body angles, corrected for where the camera stands (degrees; knee ahead of
    ankle in shin lengths), and what the correction was sure of.

    metrics: the values to use (pelvic tilt left None: it comes from the pelvis reader).
    picture: posecoach's picture metrics of the same frame (joints.py's joint centres).
    view_angle_deg: the camera's signed azimuth off the side view (+ in front of the person);
    elevation_deg: its elevation seen from the hips (+ above).
    spread: the ensemble's disagreement (standard deviation) per metric.
    front_near: the probability that the front leg (by the picture) is the one nearer the camera;
    front_side: that leg's anatomical side by this frame's geometry (see `FrontSideVote`).
    withheld: metrics returned as None because the ensemble disagreed too much off the side view
    (`MAX_SPREAD`, beyond `PICTURE_FALLBACK_DEG`), where the picture's own value is known to be wrong.
    """
    metrics: Metrics
    picture: Metrics
    view_angle_deg: float
    elevation_deg: float
    spread: dict[str, float]
    front_near: float
    front_side: str
    withheld: tuple[str, ...] = ()


def sagittal_metrics(pose: Pose, facing: int, front: str, ensemble: M.Ensemble | None = None) -> SagittalReading | None:
    """The body's sagittal metrics from one frame, `front` being MediaPipe's label of the leg
    whose ankle is further ahead in the picture (observe()'s choice) and `facing` +1/-1 (image
    right/left, the analyzer's steadied value). None without the model's inputs (no person, no
    world landmarks) or without a model file.

    The correction (3D minus picture, per metric) is the ensemble mean, bounded by
    `MAX_CORRECTION`, in full at every view angle. A metric whose members disagree by more than
    `MAX_SPREAD` keeps the picture's value within `PICTURE_FALLBACK_DEG` of estimated azimuth
    and is withheld (None) beyond it; so is every metric of a frame with `UNSURE_FRAME_METRICS`
    or more such metrics.
    """
    ens = ensemble or M.default_ensemble()
    got = M.features(pose, facing, front)
    if ens is None or got is None:
        return None
    x, picture = got
    pred = ens.predict(x)[:, 0, :]
    mean, spread = pred.mean(0), pred.std(0)
    col = {name: i for i, name in enumerate(M.TARGETS)}
    az, el = float(mean[col["azimuth_deg"]]), float(mean[col["elevation_deg"]])
    out, withheld = Metrics(), []
    spreads = {name: float(spread[col[name]]) for name in M.METRICS}
    unsure = {name for name in M.METRICS if spreads[name] > MAX_SPREAD[name]}
    if len(unsure) >= UNSURE_FRAME_METRICS:
        unsure = set(M.METRICS)
    for name in M.METRICS:
        p, i = getattr(picture, name), col[name]
        if p is None or not math.isfinite(p):
            continue
        if name in unsure:
            if abs(az) >= PICTURE_FALLBACK_DEG:
                withheld.append(name)
                continue
            setattr(out, name, p)
            continue
        delta = max(-MAX_CORRECTION[name], min(MAX_CORRECTION[name], float(mean[i])))
        setattr(out, name, p + delta)
    logits = pred[:, col["front_near_logit"]]
    p_near = float(np.mean(1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))))
    near = "right" if facing > 0 else "left"
    side = near if p_near >= 0.5 else ("left" if near == "right" else "right")
    return SagittalReading(metrics=out, picture=picture, view_angle_deg=az, elevation_deg=el, spread=spreads,
                           front_near=p_near, front_side=side, withheld=tuple(withheld))


class FrontSideVote:
    """Which leg is in front (anatomical side), from geometry and steady over a hold: each frame's
    `front_near` probability (SagittalReading) adds its log-odds, clipped to +-`clip`, to the hold's
    sum, for the leg posecoach calls front in the picture; the side is the near side (the one the
    person shows the camera: right when facing image-right) if the sum says the front leg is near,
    else the far side. One frame cannot flip a hold that many frames agree on, MediaPipe's
    left/right labels play no part, and a whole hold of label swaps changes nothing. `reset()`
    when the hold ends (the next one may be on the other side)."""

    def __init__(self, clip: float = 3.0) -> None:
        self.clip = clip
        self.total = 0.0
        self.frames = 0

    def update(self, front_near: float | None, facing: int) -> str | None:
        if front_near is not None and facing != 0:
            p = min(1.0 - 1e-6, max(1e-6, front_near))
            self.total += max(-self.clip, min(self.clip, math.log(p / (1.0 - p))))
            self.frames += 1
        if not self.frames or facing == 0:
            return None
        near = "right" if facing > 0 else "left"
        return near if self.total >= 0 else ("left" if near == "right" else "right")

    def reset(self) -> None:
        self.total, self.frames = 0.0, 0


def camera_in_front(pose: Pose) -> bool | None:
    """Whether the camera stands in front of the person's side view (sees some of the chest) or
    behind it, from the body frame's forward direction in the world landmarks; None without them.
    The sign of `view_angle_deg`; its size is lunge's unsigned view angle."""
    frame = body_frame(pose)
    return None if frame is None else bool(float(TOWARD_CAMERA @ frame.forward) >= 0)
