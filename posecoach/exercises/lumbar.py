"""The low back in constructive rest, read from the person mask of a side view (issue 14).

Lying on the back, a neutral spine leaves a small hollow under the low back (its normal lordosis);
tipping the pelvis forward (anterior) lifts the lumbar spine further off the floor: an arched low
back. From the side, at floor level, that hollow is the background seen between the floor and the
body's underside, between where the buttocks and the shoulder blades rest.

`lumbar_arch(mask, body)` measures it: in each image column along the trunk, the lowest point of
the person's silhouette (sub-pixel, from the soft mask); the line through the lowest points of the
seat (around and behind the hip landmark) and of the upper back (near the shoulders) stands for the
floor the body rests on; the arch is how far the underside stands above that line over the low
back, in trunk (hip-shoulder landmark) lengths. Pure numpy.

Only a camera near the floor sees under the back: from higher up the near flank hides the hollow,
so the measure reads small (no cue), never large.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecoach.exercises.lying import BodyLine


@dataclass(frozen=True)
class ArchSpan:
    """Where along the trunk (fractions of the hip -> shoulder landmark distance; 0 = hip) the
    floor contacts and the low back are looked for."""
    seat: tuple[float, float] = (-0.30, 0.0)
    upper_back: tuple[float, float] = (0.70, 0.95)
    low_back: tuple[float, float] = (0.10, 0.60)
    level: float = 0.5  # mask probability taken as the silhouette's edge


DEFAULT_SPAN = ArchSpan()


def underside_rows(mask: np.ndarray, x0: int, x1: int, level: float = 0.5) -> np.ndarray:
    """Per column x0..x1-1 of `mask` (H, W soft probabilities): the image row (sub-pixel, larger
    = lower) of the silhouette's lowest edge, NaN where the column holds no person."""
    cols = mask[:, x0:x1] >= level
    h = mask.shape[0]
    any_ = cols.any(axis=0)
    last = h - 1 - np.argmax(cols[::-1], axis=0)  # lowest row at or above the level
    out = np.full(cols.shape[1], np.nan)
    for i in np.nonzero(any_)[0]:
        r = int(last[i])
        edge = float(r) + 0.5
        if r + 1 < h:
            a, b = float(mask[r, x0 + i]), float(mask[r + 1, x0 + i])
            if a > b:
                edge = r + (a - level) / (a - b)
        out[i] = edge
    return out


def lumbar_arch(mask: np.ndarray | None, b: BodyLine, scale: float = 1.0,
                span: ArchSpan = DEFAULT_SPAN) -> float | None:
    """Height of the hollow under the low back above the seat-to-upper-back line, in trunk
    lengths (see the module doc); None without a mask or when the contacts cannot be found.
    `scale`: mask pixels per frame pixel (Pose.mask_scale)."""
    if mask is None or not (np.isfinite(b.hip).all() and np.isfinite(b.shoulder).all()):
        return None
    hip, sh = b.hip * scale, b.shoulder * scale
    dx = float(sh[0] - hip[0])
    trunk = b.trunk_px * scale
    if abs(dx) < 4 or trunk <= 0:
        return None
    w = mask.shape[1]
    fr = (min(span.seat[0], span.low_back[0]), max(span.upper_back[1], span.low_back[1]))
    xa, xb = sorted((hip[0] + fr[0] * dx, hip[0] + fr[1] * dx))
    x0, x1 = max(0, int(math.floor(xa))), min(w, int(math.ceil(xb)) + 1)
    if x1 - x0 < 6:
        return None
    rows = underside_rows(mask, x0, x1, span.level)
    f = (np.arange(x0, x1) + 0.5 - hip[0]) / dx  # fraction along the trunk of each column

    def lowest(lo: float, hi: float) -> tuple[float, float] | None:
        sel = (f >= lo) & (f <= hi) & np.isfinite(rows)
        if sel.sum() < 2:
            return None
        i = int(np.nanargmax(np.where(sel, rows, -np.inf)))
        return float(f[i]), float(rows[i])

    seat, back = lowest(*span.seat), lowest(*span.upper_back)
    if seat is None or back is None or back[0] <= seat[0]:
        return None
    sel = (f >= span.low_back[0]) & (f <= span.low_back[1]) & np.isfinite(rows)
    if sel.sum() < 2:
        return None
    floor = seat[1] + (f[sel] - seat[0]) * (back[1] - seat[1]) / (back[0] - seat[0])
    gap = floor - rows[sel]
    return float(np.max(gap)) / trunk
