"""The timeline: keyframes eased into each other, plus natural motion (breathing, head, drift).

Keyframes are solved once (solver.py); each frame interpolates their pose parameters, so the
per-frame cost is one forward pass of the body model.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from samplegen.scenario import Keyframe, MotionSpec
from samplegen.solver import SolvedPose


def ease(x: float) -> float:
    """Smootherstep easing on [0, 1] (zero velocity and acceleration at both ends)."""
    x = min(1.0, max(0.0, x))
    return x * x * x * (x * (6.0 * x - 15.0) + 10.0)


@dataclass
class FrameState:
    """What the timeline says at one instant (before natural motion)."""

    present: bool
    rotvecs: np.ndarray | None  # (J, 3) radians
    anchor: np.ndarray | None  # body-frame anchor point
    facing_deg: float
    position: np.ndarray  # world floor point (2,)
    in_lunge: bool
    front: str | None
    phase: str  # lunge | standing | transition | absent | moving
    path_m: float = 0.0  # distance walked since the segment began (metres)


def _segment(keys: tuple[Keyframe, ...], t: float) -> tuple[int, float]:
    """Index of the keyframe before t and the eased weight toward the next one."""
    i = 0
    while i + 1 < len(keys) and keys[i + 1].t_s <= t:
        i += 1
    if i + 1 == len(keys):
        return i, 0.0
    start = keys[i].t_s + keys[i].hold_s
    end = keys[i + 1].t_s
    if t <= start or end <= start:
        return i, 0.0 if t <= start else 1.0
    return i, ease((t - start) / (end - start))


def timeline_state(keys: tuple[Keyframe, ...], solved: list[SolvedPose | None], t: float) -> FrameState:
    """Interpolate the solved keyframes at time t (seconds)."""
    i, w = _segment(keys, t)
    a, b = keys[i], keys[min(i + 1, len(keys) - 1)]
    sa, sb = solved[i], solved[min(i + 1, len(keys) - 1)]
    ka, kb = a.posture.kind, b.posture.kind
    position = (1 - w) * np.asarray(a.position) + w * np.asarray(b.position)
    facing = (1 - w) * a.facing_deg + w * b.facing_deg
    if ka == "absent" or kb == "absent":
        # nobody during a segment that starts or ends "absent", except at its present end
        if ka != "absent" and w <= 0.0:
            src, key = sa, a
        elif kb != "absent" and w >= 1.0:
            src, key = sb, b
        else:
            return FrameState(False, None, None, facing, position, False, None, "absent")
        assert src is not None
        lunge = key.posture.kind == "lunge"
        return FrameState(True, src.rotvecs.copy(), src.anchor.copy(), key.facing_deg, np.asarray(key.position, float),
                          lunge, key.posture.front if lunge else None, key.posture.kind)
    assert sa is not None and sb is not None
    rotvecs = (1 - w) * sa.rotvecs + w * sb.rotvecs
    anchor = (1 - w) * sa.anchor + w * sb.anchor
    same_lunge = ka == kb == "lunge" and a.posture.front == b.posture.front
    if w <= 0.0:
        kind, front = ka, a.posture.front
    elif w >= 1.0:
        kind, front = kb, b.posture.front
    elif same_lunge:
        kind, front = "lunge", a.posture.front
    else:
        kind, front = ("moving" if ka == kb == "standing" else "transition"), None
    in_lunge = kind == "lunge"
    path = float(np.linalg.norm(position - np.asarray(a.position, float)))
    return FrameState(True, rotvecs, anchor, facing, position, in_lunge, front if in_lunge else None, kind, path)


def walk_cycle(rotvecs: np.ndarray, path_m: float, index: dict[str, int], stride_m: float = 1.3) -> np.ndarray:
    """Pose parameters with a simple walking cycle (legs and arms swing) after ``path_m`` metres."""
    rv = rotvecs.copy()
    ph = 2 * math.pi * path_m / stride_m
    fade = min(1.0, path_m / 0.3)
    for side, sign in (("L", 1.0), ("R", -1.0)):
        swing = sign * math.sin(ph)
        rv[index[f"upperleg01.{side}"], 0] -= fade * 0.38 * swing
        lift = max(0.0, math.sin(ph + sign * math.pi / 2 + math.pi / 2))
        rv[index[f"lowerleg01.{side}"], 0] += fade * 0.6 * lift
        rv[index[f"upperarm01.{side}"], 0] += fade * 0.3 * swing
    return rv


class NaturalMotion:
    """Small smooth movements: breathing sway of the trunk, head turns, slow drift."""

    def __init__(self, spec: MotionSpec, index: dict[str, int]) -> None:
        self.spec = spec
        self.index = index
        rng = np.random.default_rng(spec.seed)
        self.phases = rng.uniform(0, 2 * math.pi, 8)
        self.freqs = rng.uniform(0.07, 0.35, 8)

    def _smooth(self, t: float, k: int) -> float:
        """A smooth pseudo-random signal in about [-1, 1]."""
        return 0.6 * math.sin(2 * math.pi * self.freqs[k] * t + self.phases[k]) + 0.4 * math.sin(
            2 * math.pi * self.freqs[k + 1] * 1.7 * t + self.phases[k + 1]
        )

    def apply(self, rotvecs: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Pose parameters with natural motion, and a world drift offset (2,) in metres."""
        s = self.spec
        rv = rotvecs.copy()
        breath = math.radians(s.breathing_deg) * math.sin(2 * math.pi * s.breathing_hz * t + self.phases[7])
        rv[self.index["spine02"], 0] += 0.5 * breath
        rv[self.index["spine01"], 0] += 0.5 * breath
        rv[self.index["neck02"], 0] -= 0.5 * breath
        head = math.radians(s.head_deg)
        rv[self.index["head"], 2] += head * self._smooth(t, 0)
        rv[self.index["head"], 0] += 0.5 * head * self._smooth(t, 2)
        drift = s.drift_m * np.array([self._smooth(t, 4), self._smooth(t, 5)])
        return rv, drift
