"""Absolute pelvic tilt from one frame, without calibration: a model learned from rendered bodies.

posecoach.pelvis.tilt reads the back's outline as a change from the person's own neutral; this module
gives the absolute reading (degrees, + anterior, protocol.md's pelvic_tilt_deg) from what one
frame shows: the back profile in the trunk frame (posecoach.pelvis.outline), the outline features, and a
few landmark cues (trunk lean, thigh angles, how far the camera looks down or sideways at the
body). The model was fitted on thousands of rendered stills of random bodies (buttock, belly, hip
and torso shape, habitual lumbar arch), cameras, rooms and clothing (benchmarks/pelvis_gen.py,
pelvis_learn.py); its weights and how they were made are in posecoach/data/pelvis_model.npz and
pelvis_model.json. Pure numpy at run time.

It also says when it is unsure (`Estimate.reason`): an outline unlike any it was fitted on (a
loose top, something over the back) gives no number rather than a confident wrong one.
"""
from __future__ import annotations

import json
import math
import os
import sys
import zipfile
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from posecoach.core.errors import PosecoachError
from posecoach.core.landmarks import Landmark as L
from posecoach.pelvis.outline import V_GRID, BackProfile, OutlineFeatures, back_profile, outline_features, trunk_axes

DATA = Path(__file__).resolve().parents[1] / "data"
WEIGHTS_FILE = DATA / "pelvis_model.npz"
# Heights of the profile the model reads (trunk lengths above the mid-hip joint centre): from the
# back of the thighs to the shoulder blades.
PROFILE_V = (-0.35, 1.0)
CUES = ("lean_deg", "view_deg", "view_signed_deg", "back_thigh_deg", "front_thigh_deg", "hip_dy", "shoulder_dy")
CLIP_DEG = (-25.0, 30.0)  # the renders span -15..+20; readings are kept to a little beyond
FEATURES = ("hollow", "sacral_deg", "protrusion", "chord_deg", "lumbar", "buttock_v", "upper_v", "hollow_v")
# The mask crop in the trunk frame the network reads: trunk lengths forward of the trunk axis (the
# back is negative) and above the mid-hip joint centre.
CROP_U = np.arange(-0.6, 0.3001, 0.03)
CROP_V = np.arange(-0.5, 1.1001, 0.04)


@dataclass(frozen=True)
class Observed:
    """What one frame shows the model: the back profile (depth behind the trunk axis at V_GRID,
    trunk lengths, NaN where not found), the outline features (None when the outline could not
    be read) and the landmark cues (CUES: degrees, or trunk lengths for the dy's)."""
    depth: np.ndarray
    features: OutlineFeatures | None
    cues: np.ndarray
    trunk_px: float
    crop: np.ndarray | None = None  # the mask in the trunk frame (trunk_crop), for the network

    def to_arrays(self) -> dict[str, np.ndarray]:
        f = self.features.as_array() if self.features is not None else np.full(12, np.nan)
        out = {"depth": self.depth, "features": f, "cues": self.cues, "trunk_px": np.array(self.trunk_px)}
        return out if self.crop is None else {**out, "crop": self.crop}

    @classmethod
    def from_arrays(cls, a: dict[str, Any]) -> "Observed":
        f = np.asarray(a["features"], float)
        feats = None if np.isnan(f).all() else OutlineFeatures.from_array(f)
        return cls(np.asarray(a["depth"], float), feats, np.asarray(a["cues"], float), float(a["trunk_px"]),
                   a.get("crop"))


def _tilt(lower: np.ndarray, upper: np.ndarray, facing: int) -> float:
    """Segment lower -> upper from straight up, degrees, + towards the facing side (NaN if none)."""
    d = np.asarray(upper, float) - np.asarray(lower, float)
    if not np.isfinite(d).all() or float(np.hypot(*d)) < 1e-6:
        return math.nan
    return math.degrees(math.atan2(float(d[0]) * facing, -float(d[1])))


def landmark_cues(pose: Any, hip: np.ndarray, shoulder: np.ndarray, facing: int, view_deg: float | None,
                  lean_deg: float) -> np.ndarray:
    """CUES from the raw landmarks: the back thigh (the knee nearer the floor) and the front thigh
    from vertical (+ knee ahead of the hip), and how much higher the far hip and shoulder appear
    than the near ones (trunk lengths: a camera looking down shows the far side higher), with the
    near side told by MediaPipe's world depth; the signed view is + when the back turns towards
    the camera."""
    xy = pose.xy
    _, _, trunk = trunk_axes(hip, shoulder, facing)
    trunk = max(trunk, 1.0)
    lk, rk = xy[L.LEFT_KNEE], xy[L.RIGHT_KNEE]
    back, front = ("left", "right") if lk[1] >= rk[1] else ("right", "left")
    bh, bk = xy[L.LEFT_HIP if back == "left" else L.RIGHT_HIP], lk if back == "left" else rk
    fh, fk = xy[L.LEFT_HIP if front == "left" else L.RIGHT_HIP], lk if front == "left" else rk
    hip_dy = shoulder_dy = signed = 0.0
    if pose.world is not None and np.isfinite(pose.world).all():
        w = pose.world
        for a, b, name in ((L.LEFT_HIP, L.RIGHT_HIP, "hip"), (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, "shoulder")):
            near, far = (a, b) if w[a][2] < w[b][2] else (b, a)
            dy = float(xy[near][1] - xy[far][1]) / trunk
            hip_dy, shoulder_dy = (dy, shoulder_dy) if name == "hip" else (hip_dy, dy)
        lat = (w[L.LEFT_HIP] - w[L.RIGHT_HIP]) + (w[L.LEFT_SHOULDER] - w[L.RIGHT_SHOULDER])
        fwd = np.array([lat[2], -lat[0]])  # (x, z) perpendicular to the body's left-right line
        if fwd[0] * facing < 0:
            fwd = -fwd
        signed = math.degrees(math.atan2(fwd[1], abs(fwd[0]) + 1e-9))
    return np.array([lean_deg, view_deg if view_deg is not None else 0.0, signed,
                     _tilt(bk, bh, facing), _tilt(fh, fk, facing), hip_dy, shoulder_dy], float)


def from_profile(profile: BackProfile, feats: OutlineFeatures | None, pose: Any, hip: np.ndarray,
                 shoulder: np.ndarray, facing: int, view_deg: float | None, lean_deg: float,
                 crop: bool = True) -> Observed:
    """The model's view of one frame, from the profile posecoach.pelvis.measure already read
    (`crop`: also sample the mask crop, which only the network reads)."""
    hip, shoulder = np.asarray(hip, float), np.asarray(shoulder, float)
    cues = landmark_cues(pose, hip, shoulder, facing, view_deg, lean_deg)
    patch = None
    if crop and pose.mask is not None:
        patch = trunk_crop(pose.mask, hip * pose.mask_scale, shoulder * pose.mask_scale, facing)
    return Observed(np.asarray(profile.depth, float), feats, cues, float(profile.trunk_px), patch)


def observe_outline(pose: Any, obs: Any) -> Observed | None:
    """Observed for one frame from the pose and the lunge Observation (benchmarks, tests): the
    same reading of the mask as posecoach.pelvis.measure."""
    from posecoach.core import geometry as g

    jc = obs.joints
    if jc is None or pose.mask is None:
        return None
    hip, shoulder = np.asarray(jc.mid_hip, float), np.asarray(jc.mid_shoulder, float)
    lean = g.tilt_from_vertical(hip, shoulder, obs.facing)
    s = pose.mask_scale
    profile = back_profile(pose.mask, hip * s, shoulder * s, obs.facing)
    feats, _ = outline_features(profile, lean)
    return from_profile(profile, feats, pose, hip, shoulder, obs.facing, obs.view_angle_deg, lean)


def trunk_crop(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: int) -> np.ndarray:
    """The mask (detection scale; hip and shoulder in its pixels) sampled on the trunk-frame grid
    CROP_V x CROP_U, uint8, shoulders at the top and the back always on the left."""
    from posecoach.pelvis.outline import _bilinear

    fwd, up, trunk = trunk_axes(hip, shoulder, facing)
    pts = (np.asarray(hip, float)[None, None] + trunk * (CROP_V[:, None, None] * up[None, None]
                                                         + CROP_U[None, :, None] * fwd[None, None]))
    return (np.clip(_bilinear(np.asarray(mask, np.float32), pts), 0, 1) * 255).astype(np.uint8)[::-1]


def _conv3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """3x3 convolution, padding 1: x (C, H, W), w (O, C, 3, 3) -> (O, H, W) (as one matrix product)."""
    c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    cols = np.stack([xp[:, i:i + h, j:j + wd] for i in range(3) for j in range(3)], axis=1)
    return (w.reshape(w.shape[0], c * 9) @ cols.reshape(c * 9, h * wd)).reshape(-1, h, wd) + b[:, None, None]


def _maxpool2(x: np.ndarray) -> np.ndarray:
    c, h, w = x.shape
    return x[:, :h // 2 * 2, :w // 2 * 2].reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))


def _adaptive_avg(x: np.ndarray, oh: int, ow: int) -> np.ndarray:
    """torch's AdaptiveAvgPool2d: bin i spans floor(i*H/oh) .. ceil((i+1)*H/oh)."""
    _, h, w = x.shape
    out = np.zeros((x.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, r1 = (i * h) // oh, -(-(i + 1) * h // oh)
            c0, c1 = (j * w) // ow, -(-(j + 1) * w // ow)
            out[:, i, j] = x[:, r0:r1, c0:c1].mean(axis=(1, 2))
    return out


def conv_forward(crop: np.ndarray, cues: np.ndarray, p: dict[str, np.ndarray]) -> float:
    """The small network of benchmarks/pelvis_cnn.py in numpy: three 3x3 conv layers (tanh; max
    pool after the first two, a 4x3 average pool after the last) over the crop (0-1), then one
    tanh layer over those and the standardised cues -> degrees."""
    z = np.asarray(crop, float)[None] / 255.0
    z = _maxpool2(np.tanh(_conv3(z, p["c0w"], p["c0b"])))
    z = _maxpool2(np.tanh(_conv3(z, p["c1w"], p["c1b"])))
    z = _adaptive_avg(np.tanh(_conv3(z, p["c2w"], p["c2b"])), 4, 3)
    q = (np.asarray(cues, float) - p["cue_mean"]) / p["cue_scale"]
    h = np.tanh(np.r_[z.ravel(), q] @ p["h0w"] + p["h0b"])
    return float(h @ p["h1w"] + p["h1b"][0])


def _filled(v: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The profile with its gaps filled by linear interpolation (ends held flat)."""
    ok = np.isfinite(d)
    if ok.sum() < 2:
        return np.zeros_like(d)
    return np.interp(v, v[ok], d[ok])


def inputs(seen: Observed) -> np.ndarray | None:
    """The model's input vector for one frame, or None when the outline features are missing.

    The profile between PROFILE_V, its gaps filled, taken relative to the buttock apex depth (the
    apex itself is a feature: protrusion), then the outline features and the cues."""
    if seen.features is None:
        return None
    sel = (V_GRID >= PROFILE_V[0] - 1e-9) & (V_GRID <= PROFILE_V[1] + 1e-9)
    depth = np.asarray(seen.depth, float)
    if np.isfinite(depth[sel]).mean() < 0.8:
        return None
    prof = _filled(V_GRID[sel], depth[sel]) - seen.features.protrusion
    f = np.array([getattr(seen.features, n) for n in FEATURES], float)
    return np.r_[prof, f, seen.cues]


def input_names() -> list[str]:
    sel = (V_GRID >= PROFILE_V[0] - 1e-9) & (V_GRID <= PROFILE_V[1] + 1e-9)
    return [f"depth@{v:+.3f}" for v in V_GRID[sel]] + list(FEATURES) + list(CUES)


@dataclass(frozen=True)
class Estimate:
    """One frame's absolute tilt (degrees, + anterior) or None with the reason; `sd` is the
    model's own expected error (degrees, from its leave-bodies-out check)."""
    tilt_deg: float | None
    sd: float
    reason: str | None = None


@dataclass(frozen=True)
class Linear:
    """A ridge model over standardised inputs: degrees = ((x - mean) / scale) @ w + b."""
    mean: np.ndarray
    scale: np.ndarray
    w: np.ndarray
    b: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        return ((np.atleast_2d(x) - self.mean) / self.scale) @ self.w + self.b


@dataclass
class Models:
    """The shipped models. absolute: a linear model over inputs() and, if present, the network
    over the mask crop (`conv`, averaged with weight `conv_weight`); change: tilt changes from
    input changes (the calibrated reading and the session's own frame-to-frame changes).
    Unusualness: the training inputs' principal directions (`pcs`, spread `pc_sd`); an input
    further than `max_dist` (RMS of whitened components) from them is "outline_unusual"."""
    absolute: Linear
    delta: Linear
    pcs: np.ndarray
    pc_sd: np.ndarray
    max_dist: float
    sd: float
    conv: dict[str, np.ndarray] | None = None
    conv_weight: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    def distance(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - self.absolute.mean) / self.absolute.scale
        return np.sqrt(np.mean(((z @ self.pcs) / self.pc_sd) ** 2, axis=1))

    def estimate(self, seen: Observed) -> Estimate:
        """The absolute tilt of one frame, or None with the reason."""
        x = inputs(seen)
        if x is None or not np.isfinite(x).all():
            return Estimate(None, math.inf, "outline_not_found")
        if float(self.distance(x)[0]) > self.max_dist:
            return Estimate(None, math.inf, "outline_unusual")
        deg = float(self.absolute.predict(x)[0])
        if self.conv is not None and self.conv_weight > 0 and seen.crop is not None:
            deg += self.conv_weight * (conv_forward(seen.crop, seen.cues, self.conv) - deg)
        return Estimate(float(np.clip(deg, *CLIP_DEG)), self.sd)

    def change(self, x: np.ndarray, ref: np.ndarray) -> float:
        """Tilt change (degrees) between two frames' inputs of the same person and camera."""
        return float(self.delta.predict(np.asarray(x) - np.asarray(ref))[0])

    def save(self, path: Path) -> None:
        a: dict[str, Any] = {}  # arrays (Any: numpy's stub reads ** as its allow_pickle flag)
        for name, lin in (("abs", self.absolute), ("chg", self.delta)):
            a.update({f"{name}_mean": lin.mean, f"{name}_scale": lin.scale, f"{name}_w": lin.w,
                      f"{name}_b": np.array(lin.b)})
        a.update(pcs=self.pcs, pc_sd=self.pc_sd, max_dist=np.array(self.max_dist), sd=np.array(self.sd),
                 conv_weight=np.array(self.conv_weight))
        for k, v in (self.conv or {}).items():
            a["conv_" + k] = v
        np.savez_compressed(path, **a)
        path.with_suffix(".json").write_text(json.dumps(self.info, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> "Models":
        with np.load(path) as z:
            lin = {n: Linear(z[f"{n}_mean"], z[f"{n}_scale"], z[f"{n}_w"], float(z[f"{n}_b"])) for n in ("abs", "chg")}
            conv = {k[5:]: z[k] for k in z.files if k.startswith("conv_") and k != "conv_weight"} or None
            info_path = path.with_suffix(".json")
            info = json.loads(info_path.read_text()) if info_path.is_file() else {}
            return cls(lin["abs"], lin["chg"], z["pcs"], z["pc_sd"], float(z["max_dist"]), float(z["sd"]), conv,
                       float(z["conv_weight"]), info)


@lru_cache(maxsize=1)
def shipped() -> Models | None:
    """The models shipped with the package, or None (the outline features' linear models then)
    when the weights file is missing or unreadable: said once on stderr, never a crash per frame."""
    if not WEIGHTS_FILE.is_file():
        problem = "is missing"
    else:
        try:
            return Models.load(WEIGHTS_FILE)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
            problem = f"cannot be read ({type(e).__name__})"
    print(f"posecoach: the pelvis model {WEIGHTS_FILE.name} {problem}; pelvic tilt uses the outline "
          "estimate (reinstall posecoach to restore it)", file=sys.stderr)
    return None


# Whether the product reads the pelvis with the learned models ("learned") or with the outline
# features' linear models of posecoach.pelvis.model alone ("outline"), chosen from the held-out
# measurement (docs/accuracy.md). The environment variable POSECOACH_PELVIS_MODEL overrides it
# (benchmarks compare the two on the same clips).
DEFAULT_ESTIMATOR = "learned"
ESTIMATORS = ("learned", "outline")
ENV = "POSECOACH_PELVIS_MODEL"


def estimator() -> str:
    """The pelvis estimator in use: DEFAULT_ESTIMATOR unless POSECOACH_PELVIS_MODEL names another."""
    name = os.environ.get(ENV, "").strip().lower() or DEFAULT_ESTIMATOR
    if name not in ESTIMATORS:
        raise PosecoachError(f"{ENV}={name!r}: expected one of {', '.join(ESTIMATORS)}")
    return name


def active() -> Models | None:
    """The learned models when they are the estimator in use and shipped, else None (the outline
    features' linear models of posecoach.pelvis.model, as before issue 14)."""
    return shipped() if estimator() == "learned" else None


# Without calibration the reading is steadied by the session's own frames (SelfReference).
LEVEL_WINDOW = 300  # samples (~10 s at 30 fps) whose median sets the level
GAP_MS = 2000  # no usable sample for this long: the reference starts again
MOVED_SCALE, MOVED_SHIFT = 0.15, 0.6  # trunk size change (share) or mid-hip shift (trunk lengths)


@dataclass
class SelfReference:
    """Pelvic tilt without calibration, from the session's own frames: the change model's reading
    from a reference frame of this stretch (precise frame to frame) on a level that is the median,
    over the last LEVEL_WINDOW frames, of the absolute model minus that change (the absolute
    model's frame-to-frame noise averages out; its error for this body does not). Nothing is
    assumed about the person's posture. A new stretch (turned around, moved in the picture, a gap
    of GAP_MS) starts a new reference. `update(sample)` takes posecoach.pelvis.Sample (duck-typed:
    t_ms, absolute, inputs, facing, trunk_px, hip_xy) and returns degrees or None."""
    models: Models
    window: int = LEVEL_WINDOW

    def __post_init__(self) -> None:
        self._ref: Any = None
        self._last_ms = -1
        self._offsets: deque[float] = deque(maxlen=self.window)

    def reset(self) -> None:
        self._ref, self._last_ms = None, -1
        self._offsets.clear()

    def _new_stretch(self, s: Any) -> bool:
        r = self._ref
        if r is None:
            return False
        if s.facing != r.facing or s.t_ms - self._last_ms > GAP_MS:
            return True
        if not (math.isfinite(s.trunk_px) and math.isfinite(r.trunk_px) and r.trunk_px > 0):
            return False
        shift = math.hypot(s.hip_xy[0] - r.hip_xy[0], s.hip_xy[1] - r.hip_xy[1]) / r.trunk_px
        return abs(math.log(s.trunk_px / r.trunk_px)) > math.log1p(MOVED_SCALE) or shift > MOVED_SHIFT

    def update(self, s: Any) -> float | None:
        if s.absolute is None or s.inputs is None:
            return None
        if self._new_stretch(s):
            self.reset()
        if self._ref is None:
            self._ref = s
        self._last_ms = s.t_ms
        rel = self.models.change(s.inputs, self._ref.inputs)
        self._offsets.append(s.absolute - rel)
        return float(np.clip(rel + float(np.median(self._offsets)), *CLIP_DEG))
