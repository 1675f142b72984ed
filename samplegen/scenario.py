"""Scenario files: a small TOML description of one clip, parsed into frozen dataclasses.

A scenario names the body, the camera, the room, optional webcam degradations and a timeline of
keyframes (time in seconds -> posture). Unknown keys and out-of-range values are errors.
See sample_videos/scenarios/*.toml for examples and sample_videos/README.md for the keys.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from samplegen.gestures import GESTURE_HANDS

SKIN_TONES: dict[str, tuple[int, int, int]] = {
    "very_light": (236, 206, 186),
    "light": (224, 182, 150),
    "medium": (196, 146, 108),
    "olive": (170, 124, 84),
    "brown": (132, 88, 58),
    "dark": (88, 56, 38),
}
"""Named skin tones (sRGB 0-255), roughly Fitzpatrick I-VI."""

POSTURE_KINDS = ("lunge", "standing", "transition", "absent")
FACING_NAMES = {"left": 0.0, "camera": 90.0, "right": 180.0, "away": 270.0}


class ScenarioError(ValueError):
    """A scenario file is malformed: the message says which key and why."""


RGB = tuple[int, int, int]


@dataclass(frozen=True)
class BodySpec:
    """The person: anny phenotype (0-1 each), colours (sRGB 0-255) and styling."""

    gender: float = 0.5  # 0 male .. 1 female
    age: float = 0.75  # 2/3 young adult .. 1 old
    weight: float = 0.5
    muscle: float = 0.5
    height: float = 0.5
    proportions: float = 0.5
    skin: RGB = SKIN_TONES["medium"]
    shirt_color: RGB = (60, 90, 150)
    pants_color: RGB = (40, 40, 48)
    sock_color: RGB = (230, 230, 230)
    hair_color: RGB = (45, 32, 24)
    hair: str = "short"  # none | short | long
    loose_shirt: bool = False
    long_sleeves: bool = False
    hands: str = "thigh"  # thigh | hips


@dataclass(frozen=True)
class CameraSpec:
    """A webcam on a stand: height above the floor, horizontal distance to the person, orbit yaw."""

    height_m: float = 0.65
    distance_m: float = 2.3
    yaw_deg: float = 0.0  # orbit about the look-at point; 0 = optical axis along world +Y
    fov_deg: float = 50.0  # vertical field of view
    look_at_height_m: float = 0.55
    pitch_offset_deg: float = 0.0
    # Orbit about the pelvis of the first lunge keyframe instead of the world origin: the whole
    # scene (body, mat) is shifted so that pelvis stands over the look-at point, which makes
    # yaw_deg the exact camera azimuth relative to the body there (see docs/ground-truth.md).
    orbit_pelvis: bool = False


@dataclass(frozen=True)
class RoomSpec:
    """Floor, walls, mat and lights."""

    floor: str = "wood"  # wood | tiles | carpet | plain
    floor_color: RGB = (150, 110, 75)
    wall: str = "paint"  # paint | plain | stripes | brick
    wall_color: RGB = (215, 210, 200)
    wall_distance_m: float = 1.6  # behind the person (from the look-at point, away from camera)
    side_wall: bool = False
    mat: bool = True
    mat_color: RGB = (70, 120, 110)
    key_light: float = 3.0
    fill_light: float = 1.0
    ambient: float = 0.35
    key_azimuth_deg: float = 35.0
    key_elevation_deg: float = 50.0
    shadows: bool = True
    brightness: float = 1.0


@dataclass(frozen=True)
class WebcamSpec:
    """Degradations applied to each rendered frame (0 / 1 = off)."""

    blur_px: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # sensor noise sigma, 0-255 scale
    jpeg_quality: int = 0  # 0 = no JPEG round trip
    dim: float = 1.0  # exposure multiplier
    gamma: float = 1.0
    color_cast: tuple[float, float, float] = (1.0, 1.0, 1.0)  # R, G, B gains


@dataclass(frozen=True)
class MotionSpec:
    """Natural motion added on top of the keyframes."""

    breathing_deg: float = 0.6  # trunk sway amplitude
    breathing_hz: float = 0.22
    head_deg: float = 3.0
    drift_m: float = 0.006
    seed: int = 0


@dataclass(frozen=True)
class Posture:
    """One posture in protocol.md terms (degrees). ``None`` = let the solver choose it.

    In a half-kneeling lunge the back knee and the front foot are on the floor, so the hip height
    ties front knee angle, shin tilt and back hip extension together: give two of the three (the
    third follows from the body's proportions) or all three (the solver compromises).
    """

    kind: str = "lunge"
    front: str = "left"
    knee_deg: float | None = None
    shin_tilt_deg: float | None = 1.0
    back_hip_ext_deg: float | None = 4.0
    trunk_lean_deg: float = 0.0
    pelvic_tilt_deg: float = -3.0
    hands: str | None = None  # overrides BodySpec.hands


@dataclass(frozen=True)
class Keyframe:
    """The posture at ``t_s``, held ``hold_s`` seconds, then eased into the next keyframe."""

    t_s: float
    posture: Posture
    facing_deg: float = 0.0  # 0 faces image-left, 90 the camera, 180 image-right
    position: tuple[float, float] = (0.0, 0.0)  # world floor point of the body's anchor, metres
    hold_s: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """Everything needed to render one clip and its ground truth."""

    stem: str
    description: str
    duration_s: float
    keyframes: tuple[Keyframe, ...]
    fps: float = 30.0
    size: tuple[int, int] = (640, 480)
    tags: tuple[str, ...] = ()
    neutral_s: tuple[float, float] | None = None
    body: BodySpec = field(default_factory=BodySpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    room: RoomSpec = field(default_factory=RoomSpec)
    webcam: WebcamSpec = field(default_factory=WebcamSpec)
    motion: MotionSpec = field(default_factory=MotionSpec)

    @property
    def frame_count(self) -> int:
        return int(round(self.duration_s * self.fps))


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    """Instantiate a flat dataclass from a TOML table, rejecting unknown keys."""
    names = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(names)
    if unknown:
        raise ScenarioError(f"[{where}] unknown key(s) {sorted(unknown)}; allowed: {sorted(names)}")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return cls(**kwargs)


def _colour(value: Any, where: str) -> RGB:
    if isinstance(value, str):
        if value not in SKIN_TONES:
            raise ScenarioError(f"{where}: unknown tone {value!r}; use one of {sorted(SKIN_TONES)} or [r, g, b]")
        return SKIN_TONES[value]
    if not (isinstance(value, (list, tuple)) and len(value) == 3 and all(0 <= int(c) <= 255 for c in value)):
        raise ScenarioError(f"{where}: expected [r, g, b] with 0-255 values, got {value!r}")
    return (int(value[0]), int(value[1]), int(value[2]))


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise ScenarioError(f"{name} = {value} is outside [{lo}, {hi}]")


def _body(data: dict[str, Any]) -> BodySpec:
    data = dict(data)
    for key in ("skin", "shirt_color", "pants_color", "sock_color", "hair_color"):
        if key in data:
            data[key] = _colour(data[key], f"[body] {key}")
    body = _build(BodySpec, data, "body")
    for key in ("gender", "age", "weight", "muscle", "height", "proportions"):
        _check_range(f"[body] {key}", getattr(body, key), 0.0, 1.0)
    _check_range("[body] age", body.age, 0.55, 1.0)
    if body.hair not in ("none", "short", "long"):
        raise ScenarioError("[body] hair must be none, short or long")
    if body.hands not in ("thigh", "hips"):
        raise ScenarioError("[body] hands must be thigh or hips")
    return body


def _room(data: dict[str, Any]) -> RoomSpec:
    data = dict(data)
    for key in ("floor_color", "wall_color", "mat_color"):
        if key in data:
            data[key] = _colour(data[key], f"[room] {key}")
    room = _build(RoomSpec, data, "room")
    if room.floor not in ("wood", "tiles", "carpet", "plain"):
        raise ScenarioError("[room] floor must be wood, tiles, carpet or plain")
    if room.wall not in ("paint", "plain", "stripes", "brick"):
        raise ScenarioError("[room] wall must be paint, plain, stripes or brick")
    return room


def _keyframe(data: dict[str, Any], index: int) -> Keyframe:
    where = f"keyframes[{index}]"
    data = dict(data)
    posture_keys = {f.name for f in fields(Posture)}
    posture_data = {k: data.pop(k) for k in list(data) if k in posture_keys}
    if "posture" in data:
        posture_data["kind"] = data.pop("posture")
    if "t" not in data:
        raise ScenarioError(f"{where}: missing t (seconds)")
    t_s = float(data.pop("t"))
    facing = data.pop("facing", 0.0)
    if isinstance(facing, str):
        if facing not in FACING_NAMES:
            raise ScenarioError(f"{where}: facing must be a number (deg) or one of {sorted(FACING_NAMES)}")
        facing = FACING_NAMES[facing]
    position = tuple(float(x) for x in data.pop("position", (0.0, 0.0)))
    hold_s = float(data.pop("hold", 0.0))
    if data:
        raise ScenarioError(f"{where}: unknown key(s) {sorted(data)}")
    for key in ("knee_deg", "shin_tilt_deg", "back_hip_ext_deg"):
        if posture_data.get(key) == "auto":
            posture_data[key] = None
    posture = _build(Posture, posture_data, where)
    if posture.kind not in POSTURE_KINDS:
        raise ScenarioError(f"{where}: posture must be one of {POSTURE_KINDS}")
    if posture.front not in ("left", "right"):
        raise ScenarioError(f"{where}: front must be left or right")
    if posture.hands not in (None, "thigh", "hips", *GESTURE_HANDS):
        raise ScenarioError(f"{where}: hands must be thigh, hips or one of {GESTURE_HANDS}")
    if posture.knee_deg is not None:
        _check_range(f"{where} knee_deg", posture.knee_deg, 60, 150)
    _check_range(f"{where} pelvic_tilt_deg", posture.pelvic_tilt_deg, -25, 25)
    _check_range(f"{where} trunk_lean_deg", posture.trunk_lean_deg, -20, 45)
    return Keyframe(t_s=t_s, posture=posture, facing_deg=float(facing), position=(position[0], position[1]), hold_s=hold_s)


def parse_scenario(data: dict[str, Any], stem: str) -> Scenario:
    """A Scenario from parsed TOML; raises ScenarioError with the offending key."""
    data = dict(data)
    sections = {
        "body": _body,
        "camera": lambda d: _build(CameraSpec, d, "camera"),
        "room": _room,
        "webcam": lambda d: _build(WebcamSpec, d, "webcam"),
        "motion": lambda d: _build(MotionSpec, d, "motion"),
    }
    kwargs: dict[str, Any] = {name: fn(data.pop(name, {})) for name, fn in sections.items()}
    raw_keys = data.pop("keyframes", None)
    if not raw_keys:
        raise ScenarioError("at least one [[keyframes]] entry is needed")
    keyframes = tuple(_keyframe(k, i) for i, k in enumerate(raw_keys))
    times = [k.t_s for k in keyframes]
    if times != sorted(times) or times[0] != 0.0:
        raise ScenarioError("keyframe times must start at 0 and increase")
    duration = float(data.pop("duration_s", 0.0))
    if duration <= 0:
        raise ScenarioError("duration_s must be > 0")
    neutral = data.pop("neutral_s", None)
    scenario = Scenario(
        stem=stem,
        description=str(data.pop("description", "")),
        duration_s=duration,
        keyframes=keyframes,
        fps=float(data.pop("fps", 30.0)),
        size=tuple(int(x) for x in data.pop("size", (640, 480))),  # type: ignore[arg-type]
        tags=tuple(data.pop("tags", ())),
        neutral_s=(float(neutral[0]), float(neutral[1])) if neutral else None,
        **kwargs,
    )
    if data:
        raise ScenarioError(f"unknown top-level key(s) {sorted(data)}")
    cam = scenario.camera
    _check_range("[camera] height_m", cam.height_m, 0.1, 2.0)
    _check_range("[camera] distance_m", cam.distance_m, 0.8, 8.0)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file; the clip stem is the file's stem."""
    path = Path(path)
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        return parse_scenario(data, path.stem)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    except TypeError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
