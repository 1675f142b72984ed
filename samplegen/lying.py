"""Lying postures for the sample-video generator: constructive rest (on the back, knees bent, feet
flat; faults: knees straight, pelvis lifted, sitting up) and the soft-ball release (face down on
the forearms, a soft ball under one front hip), with visible belly breathing.

A lying scenario is its own small TOML (sample_videos/lying/scenarios/*.toml, keys in
sample_videos/lying/README.md); body, camera, room and webcam tables are those of scenario.py.
Posing needs no optimiser for the legs: the body is turned onto its back (or front) as a whole,
the hip flexion is found by bisection so that the soles and the back touch one floor, and the
ankles are set so the soles lie flat. The hands are placed with the lunge solver's arm optimiser
(on the lower belly, or forearms flat under the shoulders when prone).
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from samplegen.body import Body
from samplegen.scenario import (BodySpec, CameraSpec, RoomSpec, ScenarioError, WebcamSpec, _body, _build,
                                _check_range, _room)
from samplegen.solver import PostureSolver, SolvedPose
from samplegen.scenario import Posture

KINDS = ("supine", "prone", "sitting", "absent")


@dataclass(frozen=True)
class LyingPosture:
    """kind: supine | prone | sitting | absent. Degrees. trunk_up_deg tilts the whole trunk up
    about the hips (sitting up when large); pelvis_lift_deg raises the hips with the shoulders down
    (a bridge); feet: flat | relaxed (ankles loose, toes up: what straight legs do)."""
    kind: str = "supine"
    knee_deg: float = 90.0
    pelvis_lift_deg: float = 0.0
    trunk_up_deg: float = 0.0
    feet: str = "flat"
    chest_up_deg: float = 22.0  # prone: spine extension, propped on the forearms


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
        if posture.feet not in ("flat", "relaxed"):
            raise ScenarioError(f"keyframes[{i}]: feet must be flat or relaxed")
        _check_range(f"keyframes[{i}] knee_deg", posture.knee_deg, 45, 180)
        _check_range(f"keyframes[{i}] pelvis_lift_deg", posture.pelvis_lift_deg, 0, 40)
        _check_range(f"keyframes[{i}] trunk_up_deg", posture.trunk_up_deg, 0, 85)
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


@dataclass
class LyingPose:
    """Pose parameters (body frame) and the whole-body turn about the body's X axis (degrees)."""
    rotvecs: np.ndarray
    turn_deg: float


class LyingSolver(PostureSolver):
    """Poses lying postures; reuses the lunge solver's arm optimiser with its own hand targets."""

    def __init__(self, body: Body) -> None:
        super().__init__(body)
        names = np.array(body.labels)[body.dominant_bone]
        self.trunk_ids = np.nonzero([n.startswith(("spine", "pelvis", "root", "clavicle", "shoulder", "neck", "head"))
                                     for n in names])[0]
        self.arm_ids = np.nonzero([n.startswith(("lowerarm", "wrist", "finger", "metacarpal")) for n in names])[0]
        self.leg_ids = np.nonzero([n.startswith(("upperleg", "lowerleg", "foot", "toe")) for n in names])[0]
        self.sole_ids = np.concatenate([self.foot_vertices["L"], self.foot_vertices["R"]])
        self._hands_mode = "belly"

    def _lowest(self, rv: np.ndarray, turn_deg: float, ids: np.ndarray) -> float:
        posed = self.body.pose(rv, np.zeros(3))
        return float((posed.vertices[ids] @ rot_x(turn_deg).T)[:, 2].min())

    def solve_lying(self, p: LyingPosture) -> LyingPose:
        if p.kind == "prone":
            return self._prone(p)
        return self._supine(p)

    def _supine(self, p: LyingPosture) -> LyingPose:
        up = p.trunk_up_deg
        turn = -90.0 + up - p.pelvis_lift_deg
        flex_knee = 180.0 - p.knee_deg

        def rotvecs(phi: float) -> np.ndarray:
            rv = np.zeros((self.n, 3))
            for s in "LR":
                rv[self._i(f"upperleg01.{s}"), 0] = math.radians(-phi)
                rv[self._i(f"lowerleg01.{s}"), 0] = math.radians(flex_knee)
                # sole normal straight down in the world: the chain's sum about X is -turn
                foot = -turn - (-phi + flex_knee) if p.feet == "flat" else 25.0
                rv[self._i(f"foot.{s}"), 0] = math.radians(foot)
            return rv

        def gap(phi: float) -> float:
            rv = rotvecs(phi)
            return self._lowest(rv, turn, self.sole_ids) - self._lowest(rv, turn, self.trunk_ids)

        lo, hi = -20.0, 140.0
        if gap(lo) > 0:
            phi = lo
        else:
            for _ in range(22):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if gap(mid) < 0 else (lo, mid)
            phi = 0.5 * (lo + hi)
        rv = rotvecs(phi)
        self._hands_mode = "belly"
        solved = SolvedPose(rv, np.zeros(3), 0.0, {})
        self._place_hands(solved, Posture(), "hips")
        return LyingPose(solved.rotvecs, turn)

    def _prone(self, p: LyingPosture) -> LyingPose:
        rv = np.zeros((self.n, 3))
        ext = math.radians(p.chest_up_deg)
        for bone, share in (("spine03", 0.3), ("spine02", 0.4), ("spine01", 0.3)):
            rv[self._i(bone), 0] -= share * ext
        rv[self._i("neck01"), 0] -= 0.6 * ext
        for s in "LR":
            rv[self._i(f"foot.{s}"), 0] = math.radians(55.0)  # instep on the floor
        self._hands_mode = "forearms"
        solved = SolvedPose(rv, np.zeros(3), 0.0, {})
        self._place_hands(solved, Posture(), "hips")
        rv = solved.rotvecs
        # turn the body until the forearms and the legs rest on one floor
        lo, hi = 60.0, 120.0

        def gap(turn: float) -> float:
            return self._lowest(rv, turn, self.arm_ids) - self._lowest(rv, turn, self.leg_ids)

        for _ in range(20):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if gap(mid) > 0 else (lo, mid)
        return LyingPose(rv, 0.5 * (lo + hi))

    def _hand_targets(self, posed, p: Posture, hands: str, floor_z: float) -> dict[str, tuple]:
        J = lambda name: posed.joint(self._i(name))  # noqa: E731
        out: dict[str, tuple] = {}
        if self._hands_mode == "forearms":
            for s, sign in (("L", 1.0), ("R", -1.0)):
                sh = J(f"upperarm01.{s}")
                elbow = sh + np.array([sign * 0.02, -0.27, -0.04])
                wrist = elbow + np.array([-sign * 0.06, 0.0, 0.24])
                out[s] = (wrist, wrist + np.array([-sign * 0.02, -0.01, 0.08]), elbow)
            return out
        hip_l, hip_r = J("upperleg01.L"), J("upperleg01.R")
        mid = 0.5 * (hip_l + hip_r)
        belly = self.trunk_ids[np.abs(posed.vertices[self.trunk_ids, 2] - (mid[2] + 0.1)) < 0.03]
        front = float(posed.vertices[belly, 1].min()) if len(belly) else mid[1] - 0.12
        for s, sign in (("L", 1.0), ("R", -1.0)):
            wrist = np.array([sign * 0.12, front + 0.02, mid[2] + 0.13])
            knuckle = np.array([sign * 0.05, front - 0.005, mid[2] + 0.07])
            elbow = np.array([sign * 0.24, mid[1] + 0.06, mid[2] + 0.24])
            out[s] = (wrist, knuckle, elbow)
        return out
