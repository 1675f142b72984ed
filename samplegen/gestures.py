"""Hand gestures for the sample-video generator: a hand raised above the head, a raised hand
waving, both arms overhead (the yoga low lunge), and the ground truth of when each happens.

A keyframe's `hands` takes one of GESTURE_HANDS (lunge and standing keyframes; `hands` of a
supine lying keyframe too). The arm solver of samplegen.solver places the other hand as usual
(on the front thigh, hanging when standing, on the belly when lying) and the raised arm(s) by the
targets here. A wave is motion added per frame: the forearm swings about the elbow in the body's
sagittal plane (in a side-on camera's image plane, so it shows in a side view).

Truth: `gesture_truth` lists the gesture intervals of a clip from its keyframes (seconds):
rise (the arm starts to move up), up (reached the pose), lower (starts to come down), down
(back at rest), and labels each frame with the gesture it is in (rise <= t < down). Keep this
module free of torch: the tests import it.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

GESTURE_HANDS = ("raise_left", "raise_right", "wave_left", "wave_right", "overhead")
WAVE_HZ = 2.2
WAVE_DEG = 40.0


def gesture_kind(hands: str | None) -> tuple[str, str] | None:
    """(gesture, hand): ("raise", "left"), ("wave", "right"), ("overhead", "both"), or None."""
    if hands is None or hands not in GESTURE_HANDS:
        return None
    if hands == "overhead":
        return "overhead", "both"
    kind, hand = hands.split("_")
    return kind, hand


def raised_sides(hands: str | None) -> tuple[str, ...]:
    """Rig sides ("L", "R") whose arm is raised for this `hands` value."""
    g = gesture_kind(hands)
    if g is None:
        return ()
    return ("L", "R") if g[1] == "both" else ("L" if g[1] == "left" else "R",)


def raised_targets(base: dict[str, tuple], joint: Callable[[str], np.ndarray], hands: str,
                   lying: bool = False) -> dict[str, tuple]:
    """Arm targets (wrist, knuckle or None, elbow or None per rig side, body frame, metres) with
    the raised arm(s) pointing up: above the head when upright, to the ceiling when lying on the
    back (the body's forward, -Y). `base` holds the targets of the resting hands."""
    out = dict(base)
    for s in raised_sides(hands):
        sign = 1.0 if s == "L" else -1.0
        shoulder, elbow, wrist = joint(f"upperarm01.{s}"), joint(f"lowerarm01.{s}"), joint(f"wrist.{s}")
        upper = float(np.linalg.norm(elbow - shoulder))
        length = upper + float(np.linalg.norm(wrist - elbow))
        if lying:
            d = np.array([sign * 0.05, -1.0, 0.1])
        elif hands == "overhead":
            d = np.array([sign * 0.08, -0.06, 1.0])
        else:
            d = np.array([sign * 0.22, -0.12, 1.0])
        d = d / np.linalg.norm(d)
        out[s] = (shoulder + 0.96 * length * d, None, shoulder + upper * d)
    return out


def wave_axes(body: Any, keys: Sequence[Any], rotvecs: Sequence[np.ndarray | None]) -> dict[int, np.ndarray]:
    """Per waving keyframe (index -> unit 3-vector): the forearm's pose-parameter axis whose
    rotation swings the wrist forward and back in the body's sagittal plane. anny composes the
    parameters down the chain, so a raised forearm's own axes are not the body's: the axis is
    found from the wrist's displacement for a small turn about each parameter axis (least
    squares towards body-X x forearm). `body` is a samplegen.body.Body; `rotvecs` the keyframes'."""
    out: dict[int, np.ndarray] = {}
    for n, key in enumerate(keys):
        g = gesture_kind(key.posture.hands)
        if g is None or g[0] != "wave" or rotvecs[n] is None:
            continue
        s = "L" if g[1] == "left" else "R"
        i, w = body.index[f"lowerarm01.{s}"], body.index[f"wrist.{s}"]
        base = body.pose(rotvecs[n], np.zeros(3))
        forearm = base.joint(w) - base.joint(i)
        cols = []
        for ax in range(3):
            rv = np.array(rotvecs[n], dtype=float, copy=True)
            rv[i, ax] += 0.05
            cols.append((body.pose(rv, np.zeros(3)).joint(w) - base.joint(w)) / 0.05)
        target = np.cross([1.0, 0.0, 0.0], forearm)
        a, *_ = np.linalg.lstsq(np.stack(cols, axis=1), target, rcond=None)
        out[n] = a / np.linalg.norm(a)
    return out


def wave_rotvecs(rotvecs: np.ndarray, keys: Sequence[Any], t: float, index: dict[str, int],
                 segment: Callable[[Sequence[Any], float], tuple[int, float]],
                 axes: dict[int, np.ndarray]) -> np.ndarray:
    """Pose parameters with the forearm of a waving hand swung about the elbow (radians, along
    the keyframe's `axes` from wave_axes), faded in and out with the keyframe easing.
    `segment` is motion._segment."""
    i, w = segment(keys, t)
    j = min(i + 1, len(keys) - 1)
    rv = rotvecs
    for k, weight in ((i, 1.0 - w), (j, w if j != i else 0.0)):
        g = gesture_kind(keys[k].posture.hands)
        if g is None or g[0] != "wave" or weight <= 0.0 or k not in axes:
            continue
        s = "L" if g[1] == "left" else "R"
        if rv is rotvecs:
            rv = rotvecs.copy()
        swing = math.radians(WAVE_DEG) * weight ** 2 * math.sin(2 * math.pi * WAVE_HZ * t)
        rv[index[f"lowerarm01.{s}"]] += swing * axes[k]
    return rv


def gesture_intervals(keys: Sequence[Any]) -> list[dict[str, Any]]:
    """The gestures of a keyframe timeline: consecutive keyframes with the same gesture merge.

    Each: gesture (raise | wave | overhead), hand (left | right | both), rise_s, up_s, lower_s,
    down_s (seconds; see the module docstring) and held_s = lower_s - up_s.
    """
    out: list[dict[str, Any]] = []
    for n, key in enumerate(keys):
        g = gesture_kind(key.posture.hands)
        if g is None:
            continue
        prev = keys[n - 1] if n else None
        nxt = keys[n + 1] if n + 1 < len(keys) else None
        lower = key.t_s + key.hold_s
        down = nxt.t_s if nxt is not None else lower
        if out and prev is not None and gesture_kind(prev.posture.hands) == g and out[-1]["down_s"] == key.t_s:
            out[-1].update(lower_s=round(lower, 3), down_s=round(down, 3))
            out[-1]["held_s"] = round(out[-1]["lower_s"] - out[-1]["up_s"], 3)
            continue
        rise = prev.t_s + prev.hold_s if prev is not None else key.t_s
        out.append({"gesture": g[0], "hand": g[1], "rise_s": round(rise, 3), "up_s": round(key.t_s, 3),
                    "lower_s": round(lower, 3), "down_s": round(down, 3), "held_s": round(lower - key.t_s, 3)})
    return out


def gesture_truth(keys: Sequence[Any], per_frame: list[dict[str, Any]]) -> dict[str, Any]:
    """Label each frame record with `gesture` ("raise_left", ..., or None) and return the
    top-level truth keys ({"gestures": [...]}); {} and no labels when the clip has no gesture."""
    spans = gesture_intervals(keys)
    if not spans:
        return {}
    for row in per_frame:
        t = row["t_ms"] / 1000.0
        label = None
        for s in spans:
            if s["rise_s"] <= t < s["down_s"]:
                label = "overhead" if s["gesture"] == "overhead" else f"{s['gesture']}_{s['hand']}"
        row["gesture"] = label
    return {"gestures": spans}
