"""Checks on the picture rather than the form: too dark, washed out, more than one person, the
person too small to measure well; each steadied so one odd frame says nothing. numpy only.
"""
from __future__ import annotations

import numpy as np

from posecoach.core.filters import Debounce
from posecoach.core.types import Frame, Pose

DARK_LUMA, BRIGHT_LUMA = 35.0, 235.0
# Overexposed: at least this share of the picture is blown out (>= 250), and so is this share
# of the person's body, sampled along the limbs and trunk, when someone is seen (a white studio
# wall behind a well-lit person is fine: there the body is < 0.3 blown, a washed-out one > 0.3).
BLOWN_FRACTION, BLOWN_BODY_FRACTION = 0.5, 0.3
BODY_LINES = ((11, 23), (12, 24), (23, 25), (24, 26), (25, 27), (26, 28), (11, 13), (13, 15), (12, 14),
              (14, 16), (11, 12), (23, 24))
# Light and people codes are passed on once they have held this long (one odd frame says nothing).
SCENE_HOLD_MS = 500.0
STEADY_SCENE = ("TOO_DARK", "TOO_BRIGHT", "ONE_PERSON")
# A person whose landmarks span less of the frame height than this is too small to measure
# well (joint errors grow as the body shrinks in pixels): they are asked to come closer.
MIN_BODY_FRACTION = 0.40


def scene_guidance(frame: Frame, pose: Pose) -> list[str]:
    """Guidance about the scene rather than the form: too dark, more than one person, too small
    (COME_CLOSER; the coach uses it only while checking the setup)."""
    out = []
    small = np.ascontiguousarray(frame.image[::8, ::8])  # a contiguous copy: 5x faster to reduce
    if float(np.mean(small)) < DARK_LUMA:
        out.append("TOO_DARK")
    elif overexposed(frame.image, small, pose):
        out.append("TOO_BRIGHT")
    if pose.num_people > 1:
        out.append("ONE_PERSON")
    if pose.present:
        ys = pose.xy[:, 1][np.isfinite(pose.xy[:, 1])]
        if ys.size and (ys.max() - ys.min()) < MIN_BODY_FRACTION * frame.image.shape[0]:
            out.append("COME_CLOSER")
    return out


def blown(pixels: np.ndarray) -> np.ndarray:
    """Which BGR pixels (..., 3) have a channel at 250 or more (np.maximum: ~20x faster than
    pixels.max(axis=-1) on 3-channel images)."""
    return np.maximum(np.maximum(pixels[..., 0], pixels[..., 1]), pixels[..., 2]) >= 250


def overexposed(image: np.ndarray, small: np.ndarray, pose: Pose) -> bool:
    """The picture is washed out where it matters (see BLOWN_FRACTION); ~0.02 ms a frame."""
    if float(np.mean(blown(small))) < BLOWN_FRACTION:
        return False
    if not pose.present:
        return True
    t = np.linspace(0.0, 1.0, 9)[:, None]
    pts = np.concatenate([pose.xy[a] + (pose.xy[b] - pose.xy[a]) * t for a, b in BODY_LINES])
    pts = pts[np.isfinite(pts).all(axis=1)]
    if not len(pts):
        return True
    h, w = image.shape[:2]
    xs, ys = np.clip(pts[:, 0].astype(int), 0, w - 1), np.clip(pts[:, 1].astype(int), 0, h - 1)
    return float(np.mean(blown(image[ys, xs]))) >= BLOWN_BODY_FRACTION


class SteadyScene:
    """`update(frame, pose) -> codes`: scene_guidance, with the light and people codes passed on only
    once they have held SCENE_HOLD_MS."""

    def __init__(self) -> None:
        self._debounce = {code: Debounce(SCENE_HOLD_MS) for code in STEADY_SCENE}

    def update(self, frame: Frame, pose: Pose) -> list[str]:
        raw = scene_guidance(frame, pose)
        steady = [c for c in raw if c not in self._debounce]
        steady += [c for c, d in self._debounce.items() if d.update(c in raw, frame.t_ms)]
        return steady
