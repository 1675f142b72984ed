"""The low back in constructive rest, read from the person mask of a side view (issue 14).

Lying on the back, a neutral spine leaves a small hollow under the low back (its normal lordosis);
tipping the pelvis forward (anterior) lifts the lumbar spine further off the floor: an arched low
back. Two things show it from the side, both read from the person's silhouette (the soft mask) and
both in trunk (hip-shoulder landmark) lengths:

- the hollow (`hollow`): in each image column along the trunk, the lowest point of the silhouette;
  the line through the lowest points of the seat (around and behind the hip landmark) and of the
  upper back (near the shoulders) stands for the floor the body rests on; the hollow is how far
  the underside stands above that line over the low back. Seen only from near the floor, and only
  where the near elbow, resting on the floor beside the waist, does not cover it.
- the belly's rise (`rise`): the lifted lumbar spine carries the belly up with it, while the
  thighs keep their place: the highest point of the silhouette's top over the low back, against
  the top of the thigh just behind the hip. Seen from any low camera, but it also depends on the
  body's build.

`lumbar_arch` = hollow + RISE_WEIGHT * rise. Its level varies with build and camera height as much
as with the arch, so posecoach.exercises.rest judges it against the person's own flattest reading
(the weight and the bands were chosen on rendered clips of six bodies, cameras 0.22-0.5 m, and
checked on renders of three others; docs/accuracy.md). Pure numpy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecoach.exercises.lying import BodyLine


@dataclass(frozen=True)
class ArchSpan:
    """Where along the trunk (fractions of the hip -> shoulder landmark distance; 0 = hip) things
    are looked for, and the mask levels taken as the silhouette's edge (the underside needs a
    firm level: the mask bleeds into a narrow hollow under the back)."""
    seat: tuple[float, float] = (-0.30, 0.0)
    upper_back: tuple[float, float] = (0.70, 0.95)
    low_back: tuple[float, float] = (0.10, 0.60)
    thigh: tuple[float, float] = (-0.12, -0.08)
    belly: tuple[float, float] = (0.15, 0.45)
    under_level: float = 0.9
    top_level: float = 0.5


DEFAULT_SPAN = ArchSpan()
RISE_WEIGHT = 2.0


def underside_rows(mask: np.ndarray, x0: int, x1: int, level: float = 0.5) -> np.ndarray:
    """Per column x0..x1-1 of `mask` (H, W soft probabilities): the image row (sub-pixel, larger
    = lower) of the silhouette's lowest edge, NaN where the column holds no person."""
    return _edge_rows(mask, x0, x1, level, lowest=True)


def top_rows(mask: np.ndarray, x0: int, x1: int, level: float = 0.5) -> np.ndarray:
    """Per column x0..x1-1: the image row (sub-pixel) of the silhouette's top edge, NaN where the
    column holds no person."""
    return _edge_rows(mask, x0, x1, level, lowest=False)


def _edge_rows(mask: np.ndarray, x0: int, x1: int, level: float, lowest: bool) -> np.ndarray:
    cols = mask[:, x0:x1] >= level
    h = mask.shape[0]
    any_ = cols.any(axis=0)
    if lowest:
        rows = h - 1 - np.argmax(cols[::-1], axis=0)
    else:
        rows = np.argmax(cols, axis=0)
    out = np.full(cols.shape[1], np.nan)
    step = 1 if lowest else -1
    for i in np.nonzero(any_)[0]:
        r = int(rows[i])
        edge = r + 0.5 * step
        nxt = r + step
        if 0 <= nxt < h:
            a, b = float(mask[r, x0 + i]), float(mask[nxt, x0 + i])
            if a > b:
                edge = r + step * (a - level) / (a - b)
        out[i] = edge
    return out


@dataclass(frozen=True)
class ArchReading:
    """The two parts of one frame's reading, trunk lengths (None where not seen)."""
    hollow: float | None
    rise: float | None

    @property
    def arch(self) -> float | None:
        if self.hollow is None or self.rise is None:
            return None
        return self.hollow + RISE_WEIGHT * self.rise


def read_arch(mask: np.ndarray | None, b: BodyLine, scale: float = 1.0,
              span: ArchSpan = DEFAULT_SPAN) -> ArchReading:
    """The hollow under the low back and the belly's rise (see the module doc).
    `scale`: mask pixels per frame pixel (Pose.mask_scale)."""
    none = ArchReading(None, None)
    if mask is None or not (np.isfinite(b.hip).all() and np.isfinite(b.shoulder).all()):
        return none
    hip, sh = b.hip * scale, b.shoulder * scale
    dx = float(sh[0] - hip[0])
    trunk = b.trunk_px * scale
    if abs(dx) < 4 or trunk <= 0:
        return none
    w = mask.shape[1]
    lo = min(span.seat[0], span.low_back[0], span.thigh[0])
    hi = max(span.upper_back[1], span.low_back[1], span.belly[1])
    xa, xb = sorted((hip[0] + lo * dx, hip[0] + hi * dx))
    x0, x1 = max(0, int(math.floor(xa))), min(w, int(math.ceil(xb)) + 1)
    if x1 - x0 < 6:
        return none
    f = (np.arange(x0, x1) + 0.5 - hip[0]) / dx  # fraction along the trunk of each column
    return ArchReading(_hollow(underside_rows(mask, x0, x1, span.under_level), f, span, trunk),
                       _rise(top_rows(mask, x0, x1, span.top_level), f, span, trunk))


def _hollow(rows: np.ndarray, f: np.ndarray, span: ArchSpan, trunk: float) -> float | None:
    def lowest(lo: float, hi: float) -> tuple[float, float] | None:
        sel = (f >= lo) & (f <= hi) & np.isfinite(rows)
        if sel.sum() < 2:
            return None
        i = int(np.argmax(np.where(sel, rows, -np.inf)))
        return float(f[i]), float(rows[i])

    seat, back = lowest(*span.seat), lowest(*span.upper_back)
    if seat is None or back is None or back[0] <= seat[0]:
        return None
    sel = (f >= span.low_back[0]) & (f <= span.low_back[1]) & np.isfinite(rows)
    if sel.sum() < 2:
        return None
    floor = seat[1] + (f[sel] - seat[0]) * (back[1] - seat[1]) / (back[0] - seat[0])
    return float(np.max(floor - rows[sel])) / trunk


def _rise(rows: np.ndarray, f: np.ndarray, span: ArchSpan, trunk: float) -> float | None:
    thigh = (f >= span.thigh[0]) & (f <= span.thigh[1]) & np.isfinite(rows)
    belly = (f >= span.belly[0]) & (f <= span.belly[1]) & np.isfinite(rows)
    if thigh.sum() < 1 or belly.sum() < 2:
        return None
    return float(np.mean(rows[thigh]) - np.min(rows[belly])) / trunk


def lumbar_arch(mask: np.ndarray | None, b: BodyLine, scale: float = 1.0,
                span: ArchSpan = DEFAULT_SPAN) -> float | None:
    """hollow + RISE_WEIGHT * rise, trunk lengths (see the module doc); None without a mask or
    when a part cannot be read."""
    return read_arch(mask, b, scale, span).arch
