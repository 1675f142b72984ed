"""Lying postures for the sample-video generator: constructive rest (on the back, knees bent, feet
flat; faults: knees straight, pelvis lifted, sitting up) and the soft-ball release (face down on
the forearms, a soft ball under one front hip), with visible belly breathing.

A lying scenario is its own small TOML (sample_videos/lying/scenarios/*.toml, keys in
sample_videos/lying/README.md); body, camera, room and webcam tables are those of scenario.py.
This module only reads scenarios (no torch: tests import it); posing is samplegen.lying_pose,
rendering samplegen.lying_render.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from samplegen.gestures import GESTURE_HANDS
from samplegen.scenario import (BodySpec, CameraSpec, RoomSpec, ScenarioError, WebcamSpec, _body, _build,
                                _check_range, _room)

KINDS = ("supine", "prone", "sitting", "absent")


@dataclass(frozen=True)
class LyingPosture:
    """kind: supine | prone | sitting | absent. Degrees. trunk_up_deg tilts the whole trunk up
    about the hips (sitting up when large); pelvis_lift_deg raises the hips with the shoulders down
    (a bridge); feet: flat | relaxed (ankles loose, toes up: what straight legs do);
    pelvic_tilt_deg (supine): the pelvis tipped forward (+, anterior: the low back arches off the
    floor) or back (-, posterior: the low back flattens) against this body's neutral lying pelvis,
    the lumbar joints taking up the difference so the rib cage stays on the floor."""
    kind: str = "supine"
    knee_deg: float = 90.0
    pelvis_lift_deg: float = 0.0
    trunk_up_deg: float = 0.0
    feet: str = "flat"
    chest_up_deg: float = 22.0  # prone: spine extension, propped on the forearms
    hands: str = "belly"  # supine: belly, or a gesture of samplegen.gestures (raise_left, ...)
    pelvic_tilt_deg: float = 0.0


@dataclass(frozen=True)
class LyingKey:
    t_s: float
    posture: LyingPosture
    hold_s: float = 0.0


@dataclass(frozen=True)
class LyingScenario:
    stem: str
    description: str
    exercise: str  # rest | ball
    duration_s: float
    keyframes: tuple[LyingKey, ...]
    fps: float = 30.0
    size: tuple[int, int] = (640, 480)
    tags: tuple[str, ...] = ()
    head: str = "right"  # the head lies towards image-left or image-right
    breathing_bpm: float = 12.0
    breathing_amp_m: float = 0.008  # belly rise, half peak-to-peak
    ball_side: str | None = None
    seed: int = 0
    body: BodySpec = field(default_factory=BodySpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    room: RoomSpec = field(default_factory=RoomSpec)
    webcam: WebcamSpec = field(default_factory=WebcamSpec)

    @property
    def frame_count(self) -> int:
        return int(round(self.duration_s * self.fps))


def load_lying_scenario(path: str | Path) -> LyingScenario:
    """Read and validate a lying scenario; unknown keys and out-of-range values are errors."""
    path = Path(path)
    with path.open("rb") as fh:
        data = dict(tomllib.load(fh))
    try:
        return _parse(data, path.stem)
    except (ScenarioError, TypeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def _parse(data: dict[str, Any], stem: str) -> LyingScenario:
    body = _body(data.pop("body", {}))
    camera = _build(CameraSpec, data.pop("camera", {}), "camera")
    room = _room(data.pop("room", {}))
    webcam = _build(WebcamSpec, data.pop("webcam", {}), "webcam")
    keys = []
    for i, raw in enumerate(data.pop("keyframes", [])):
        raw = dict(raw)
        if "t" not in raw:
            raise ScenarioError(f"keyframes[{i}]: missing t")
        t, hold = float(raw.pop("t")), float(raw.pop("hold", 0.0))
        posture = _build(LyingPosture, raw, f"keyframes[{i}]")
        if posture.kind not in KINDS:
            raise ScenarioError(f"keyframes[{i}]: kind must be one of {KINDS}")
        if posture.hands != "belly" and (posture.kind != "supine" or posture.hands not in GESTURE_HANDS):
            raise ScenarioError(f"keyframes[{i}]: hands must be belly, or (supine) one of {GESTURE_HANDS}")
        if posture.feet not in ("flat", "relaxed"):
            raise ScenarioError(f"keyframes[{i}]: feet must be flat or relaxed")
        _check_range(f"keyframes[{i}] knee_deg", posture.knee_deg, 45, 180)
        _check_range(f"keyframes[{i}] pelvis_lift_deg", posture.pelvis_lift_deg, 0, 40)
        _check_range(f"keyframes[{i}] trunk_up_deg", posture.trunk_up_deg, 0, 85)
        _check_range(f"keyframes[{i}] pelvic_tilt_deg", posture.pelvic_tilt_deg, -15, 25)
        if posture.pelvic_tilt_deg and posture.kind != "supine":
            raise ScenarioError(f"keyframes[{i}]: pelvic_tilt_deg is for supine keyframes only")
        keys.append(LyingKey(t, posture, hold))
    if not keys or keys[0].t_s != 0.0 or [k.t_s for k in keys] != sorted(k.t_s for k in keys):
        raise ScenarioError("keyframes must start at t = 0 and increase")
    sc = LyingScenario(
        stem=stem, description=str(data.pop("description", "")), exercise=str(data.pop("exercise", "rest")),
        duration_s=float(data.pop("duration_s", 0.0)), keyframes=tuple(keys), fps=float(data.pop("fps", 30.0)),
        size=tuple(int(v) for v in data.pop("size", (640, 480))),  # type: ignore[arg-type]
        tags=tuple(data.pop("tags", ())), head=str(data.pop("head", "right")),
        breathing_bpm=float(data.pop("breathing_bpm", 12.0)),
        breathing_amp_m=float(data.pop("breathing_amp_m", 0.008)),
        ball_side=data.pop("ball_side", None), seed=int(data.pop("seed", 0)),
        body=body, camera=camera, room=room, webcam=webcam)
    if data:
        raise ScenarioError(f"unknown top-level key(s) {sorted(data)}")
    if sc.exercise not in ("rest", "ball") or sc.head not in ("left", "right"):
        raise ScenarioError("exercise must be rest or ball; head must be left or right")
    if sc.ball_side not in (None, "left", "right"):
        raise ScenarioError("ball_side must be left or right")
    if sc.duration_s <= 0:
        raise ScenarioError("duration_s must be > 0")
    _check_range("breathing_bpm", sc.breathing_bpm, 0, 40)
    return sc


# -- posing ------------------------------------------------------------------------------------
def rot_x(deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0, 0], [0, c, -s], [0, s, c]])


def rot_z(rad: float) -> np.ndarray:
    c, s = math.cos(rad), math.sin(rad)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
