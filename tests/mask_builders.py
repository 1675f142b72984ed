"""Person masks drawn with numpy for pelvis/outline tests: a side-view trunk whose back follows a
chosen profile, in a chosen pose of the trunk (lean, facing, scale, position)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class DrawnTrunk:
    mask: np.ndarray  # (H, W) float32
    hip: np.ndarray  # mid-hip joint centre, pixels
    shoulder: np.ndarray  # mid-shoulder, pixels
    facing: int


def back_depth(v: np.ndarray, hollow: float = 0.06, buttock: float = 0.22, upper: float = 0.20,
               buttock_v: float = -0.05, upper_v: float = 0.70, thigh: float = 0.0) -> np.ndarray:
    """A back profile (trunk lengths behind the axis): the buttock and upper-back apexes joined by
    a chord, with a sine-shaped hollow `hollow` deep below it; rounded off above and below. `thigh`
    > 0: below the gluteal fold the back of an extended thigh runs backward again (this slope)."""
    v = np.asarray(v, float)
    chord = buttock + (upper - buttock) * (v - buttock_v) / (upper_v - buttock_v)
    s = np.clip((v - buttock_v) / (upper_v - buttock_v), 0, 1)
    d = chord - hollow * np.sin(math.pi * s)
    below, above = v < buttock_v, v > upper_v
    d = np.where(below, buttock - 0.8 * (v - buttock_v) ** 2, d)
    d = np.where(above, upper - 0.8 * (v - upper_v) ** 2, d)
    fold = buttock_v - 0.2
    return np.where(v < fold, d + thigh * (fold - v), d) if thigh else d


@lru_cache(maxsize=64)
def draw_trunk(size: tuple[int, int] = (640, 480), trunk_px: float = 150.0, hip: tuple[float, float] = (320, 330),
               lean_deg: float = 0.0, facing: int = 1, front_depth: float = 0.18, blur_px: float = 0.0,
               **profile: float) -> DrawnTrunk:
    """A filled trunk (v from -0.6 to 1.3 trunk lengths) with the back at back_depth(v, **profile)
    and the front at front_depth; lean + tilts the trunk towards the facing direction."""
    w, h = size
    a = math.radians(lean_deg)
    up = np.array([facing * math.sin(a), -math.cos(a)])
    fwd = np.array([-up[1], up[0]]) if facing > 0 else np.array([up[1], -up[0]])
    hip_p = np.asarray(hip, float)
    # only the box around the trunk is computed: the rest of the picture stays empty
    r = int(1.5 * trunk_px)
    x0, x1 = max(0, int(hip_p[0]) - r), min(w, int(hip_p[0]) + r)
    y0, y1 = max(0, int(hip_p[1]) - r), min(h, int(hip_p[1]) + r)
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(float)
    rel = np.stack([xs - hip_p[0], ys - hip_p[1]], -1)
    u = rel @ fwd / trunk_px
    v = rel @ up / trunk_px
    inside = (v > -0.6) & (v < 1.3) & (u < front_depth) & (-u < back_depth(v, **profile))
    mask = np.zeros((h, w), np.float32)
    mask[y0:y1, x0:x1] = inside
    if blur_px > 0:
        k = int(3 * blur_px)
        x = np.arange(-k, k + 1)
        g = np.exp(-0.5 * (x / blur_px) ** 2)
        g /= g.sum()
        box = mask[y0:y1, x0:x1]
        box = np.apply_along_axis(lambda c: np.convolve(c, g, "same"), 0, box)
        mask[y0:y1, x0:x1] = np.apply_along_axis(lambda c: np.convolve(c, g, "same"), 1, box)
    return DrawnTrunk(mask, hip_p, hip_p + trunk_px * up, facing)


def add_blob(mask: np.ndarray, centre: tuple[float, float], radius: float) -> np.ndarray:
    """The mask with a filled disc added (an elbow or a hand behind the back)."""
    h, w = mask.shape
    ys, xs = np.mgrid[0:h, 0:w]
    disc = (xs - centre[0]) ** 2 + (ys - centre[1]) ** 2 <= radius ** 2
    return np.maximum(mask, disc.astype(np.float32))
