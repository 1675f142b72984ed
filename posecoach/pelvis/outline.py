"""The back's outline from the person segmentation mask, read in a frame aligned with the trunk.

Pelvic tilt is invisible to the 33 landmarks but visible in the silhouette: an anterior tilt deepens
the low-back hollow, turns the sacrum towards horizontal and pushes the buttocks back; a tuck
flattens all three. The back edge is found along rays cast backward from the trunk axis (mid-hip
joint centre -> mid-shoulder), one ray per height, so the profile does not depend on trunk lean or
on which way the person faces. Lengths are in trunk lengths (hip centre to shoulder centre), so
they do not depend on the camera distance either. Pure numpy: no OpenCV.
"""
from __future__ import annotations

import math
from dataclasses import astuple, dataclass

import numpy as np

# Heights along the trunk axis, trunk lengths above the mid-hip joint centre (negative = below).
V_GRID = np.round(np.arange(-0.45, 1.1001, 0.025), 4)
BUTTOCK_RANGE = (-0.28, 0.20)
LUMBAR_RANGE = (0.20, 0.60)
UPPER_BACK_RANGE = (0.60, 1.00)
SACRUM_SPAN = (0.05, 0.20)  # above the buttock apex, trunk lengths
MIN_TRUNK_PX = 40.0
RAY_START = 0.12  # trunk lengths ahead of the axis


@dataclass(frozen=True)
class BackProfile:
    """The back edge at each height `v` (trunk lengths): `depth` = how far behind the trunk axis,
    trunk lengths (NaN where no edge was found); `edge_px` = the width of the mask's 0.2-0.8
    transition across the edge, pixels (soft, unsure masks have wide transitions)."""
    v: np.ndarray
    depth: np.ndarray
    edge_px: np.ndarray
    trunk_px: float


@dataclass(frozen=True)
class OutlineFeatures:
    """What the back's outline says about the pelvis in one frame (trunk lengths and degrees).

    hollow: depth of the lumbar hollow below the chord from the buttock apex to the upper-back apex.
    sacral_deg: slope of the contour just above the buttock apex, from the trunk axis; + when it
        runs forward going up (the sacrum turning towards horizontal in an anterior tilt).
    protrusion: the buttock apex behind the trunk axis.
    chord_deg: the chord's angle from the trunk axis; + when the buttocks stand further back than
        the upper back.
    lumbar: the deepest point of the low back relative to the trunk axis (small or negative when
        arched: the hollow comes forward).
    lean_deg: the landmark trunk lean (+ forward); the hollow also changes with lean.
    bump: the largest bulge beyond the chord between the apexes (an arm, hair or an object over
        the back makes one; a back never does).
    edge_px: median mask transition width along the low back, pixels.
    """
    hollow: float
    sacral_deg: float
    protrusion: float
    chord_deg: float
    lumbar: float
    lean_deg: float
    buttock_v: float
    upper_v: float
    hollow_v: float
    bump: float
    edge_px: float
    trunk_px: float

    def as_array(self) -> np.ndarray:
        return np.array(astuple(self), float)

    @classmethod
    def from_array(cls, values: np.ndarray) -> "OutlineFeatures":
        return cls(*(float(x) for x in values))


def _bilinear(mask: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Mask values at sub-pixel points (..., 2) as (x, y); 0 outside the image."""
    h, w = mask.shape
    x, y = pts[..., 0], pts[..., 1]
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    x = np.clip(x, 0, w - 1.001)
    y = np.clip(y, 0, h - 1.001)
    x0, y0 = np.floor(x).astype(np.intp), np.floor(y).astype(np.intp)
    fx, fy = x - x0, y - y0
    top = mask[y0, x0] * (1 - fx) + mask[y0, x0 + 1] * fx
    bottom = mask[y0 + 1, x0] * (1 - fx) + mask[y0 + 1, x0 + 1] * fx
    return np.where(inside, top * (1 - fy) + bottom * fy, 0.0)


def _crossing(row: np.ndarray, start: int, level: float, step: float) -> float:
    """Distance (in units of `step` samples) where `row` first falls below `level` at or after
    `start`, linearly interpolated; NaN if it never does."""
    below = np.nonzero(row[start:] < level)[0]
    if len(below) == 0:
        return math.nan
    k = start + int(below[0])
    if k == 0:
        return 0.0
    a, b = row[k - 1], row[k]
    return (k - 1 + (a - level) / (a - b)) * step


def trunk_axes(hip: np.ndarray, shoulder: np.ndarray, facing: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Unit vectors (forward, up) of the trunk frame in image pixels, and the trunk length (px)."""
    up = np.asarray(shoulder, float) - np.asarray(hip, float)
    length = float(np.hypot(*up))
    up = up / (length or 1.0)
    fwd = np.array([-up[1], up[0]]) if facing > 0 else np.array([up[1], -up[0]])
    return fwd, up, length


def back_profile(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: int,
                 v: np.ndarray = V_GRID, reach: float = 0.8, step_px: float = 0.5,
                 start: float = RAY_START) -> BackProfile:
    """The back edge at each height: rays start `start` trunk lengths ahead of the trunk axis
    (inside the body even when an arched low back comes forward of the axis) and go backward until
    the mask first drops below 0.5 (the nearest edge, so a gap between an elbow and the back is not
    crossed). Depth is measured from the axis (negative = ahead of it); a ray that starts outside
    the person gives NaN.
    """
    fwd, up, trunk = trunk_axes(hip, shoulder, facing)
    n = len(v)
    if trunk < 1 or not np.isfinite(trunk):
        return BackProfile(np.asarray(v), np.full(n, np.nan), np.full(n, np.nan), trunk)
    rs = np.arange(0.0, (reach + start) * trunk, step_px)
    starts = np.asarray(hip, float)[None] + (np.asarray(v) * trunk)[:, None] * up[None] + start * trunk * fwd
    pts = starts[:, None, :] - rs[None, :, None] * fwd[None, None, :]
    vals = _bilinear(np.asarray(mask, np.float32), pts)
    depth = np.full(n, np.nan)
    edge = np.full(n, np.nan)
    for i in range(n):
        row = vals[i]
        if row[0] < 0.5:
            continue
        d = _crossing(row, 0, 0.5, step_px)
        if not np.isfinite(d):
            continue
        depth[i] = d / trunk - start
        k = int(d / step_px)
        # the 0.8 crossing going outward ends where the mask leaves 0.8 before the edge
        hi_idx = np.nonzero(row[:k + 1] >= 0.8)[0]
        inner = hi_idx[-1] * step_px if len(hi_idx) else 0.0
        outer = _crossing(row, k, 0.2, step_px)
        edge[i] = (outer - inner) if np.isfinite(outer) else np.nan
    return BackProfile(np.asarray(v), depth, edge, trunk)


def _apex(v: np.ndarray, depth: np.ndarray, lo: float, hi: float) -> int | None:
    """Index of the most posterior point with lo <= v <= hi, or None when none was found."""
    sel = np.nonzero((v >= lo) & (v <= hi) & np.isfinite(depth))[0]
    if len(sel) < 3:
        return None
    return int(sel[np.argmax(depth[sel])])


def _buttock_apex(v: np.ndarray, depth: np.ndarray, lo: float, hi: float, drop: float = 0.02) -> int | None:
    """The buttocks' most posterior point: going down from `hi`, the furthest-back point before the
    outline turns forward by `drop` (the gluteal fold). Below the fold an extended back thigh can
    stand further back than the buttocks; it is not the buttocks. Falls back to the maximum."""
    sel = np.nonzero((v >= lo) & (v <= hi) & np.isfinite(depth))[0][::-1]
    if len(sel) < 3:
        return None
    best = sel[0]
    for i in sel[1:]:
        if depth[i] > depth[best]:
            best = i
        elif depth[best] - depth[i] > drop:
            return int(best)
    return int(best)


def _upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the upper convex hull of points sorted by x (Andrew's monotone chain)."""
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (x[b] - x[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (x[i] - x[a]) >= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    return np.array(hull, int)


def outline_features(profile: BackProfile, lean_deg: float) -> tuple[OutlineFeatures | None, str | None]:
    """Features of one profile, or (None, reason) when the outline cannot be read.

    The hollow is measured like a straightedge laid on the back: the profile's convex hull over
    the buttock-to-upper-back span touches the buttocks and the upper back, and the hollow is the
    largest gap below it. This does not depend on exactly where the rounded apexes lie.
    """
    v, d = profile.v, profile.depth
    if profile.trunk_px < MIN_TRUNK_PX:
        return None, "person_too_small"
    ib = _buttock_apex(v, d, *BUTTOCK_RANGE)
    iu = _apex(v, d, *UPPER_BACK_RANGE)
    if ib is None or iu is None:
        return None, "outline_not_found"
    span = np.nonzero((v >= v[ib]) & (v <= UPPER_BACK_RANGE[1]))[0]
    if np.isnan(d[span]).mean() > 0.15:
        return None, "outline_not_found"
    span = span[np.isfinite(d[span])]
    sv, sd = v[span], d[span]
    hull = _upper_hull(sv, sd)
    gap = np.interp(sv, sv[hull], sd[hull]) - sd
    inner = (sv > v[ib]) & (sv < v[iu])
    if inner.sum() < 4:
        return None, "outline_not_found"
    k = int(np.argmax(np.where(inner, gap, -1.0)))
    lo = hull[hull <= k].max(initial=0)
    hi = hull[hull >= k].min(initial=len(sv) - 1)
    vb, db, vu, du = sv[lo], sd[lo], sv[hi], sd[hi]
    # something over the back: the profile bulges beyond the chord joining the two apexes
    chord = d[ib] + (d[iu] - d[ib]) * (sv - v[ib]) / (v[iu] - v[ib])
    bump = float(max(0.0, np.max(np.where(inner, sd - chord, 0.0))))
    sac = (v >= v[ib] + SACRUM_SPAN[0]) & (v <= v[ib] + SACRUM_SPAN[1]) & np.isfinite(d)
    if sac.sum() < 3:
        return None, "outline_not_found"
    slope = np.polyfit(v[sac], d[sac], 1)[0]  # d(depth)/dv: negative when the contour runs forward
    low = (v >= v[ib]) & (v <= v[ib] + 0.5) & np.isfinite(profile.edge_px)
    edge = float(np.median(profile.edge_px[low])) if low.any() else math.nan
    return OutlineFeatures(
        hollow=float(gap[k]) if inner[k] else 0.0,
        sacral_deg=float(math.degrees(math.atan(-slope))),
        protrusion=float(d[ib]),
        chord_deg=float(math.degrees(math.atan2(db - du, max(vu - vb, 1e-6)))),
        lumbar=float(np.nanmin(np.where((v >= LUMBAR_RANGE[0]) & (v <= LUMBAR_RANGE[1]), d, np.nan))),
        lean_deg=float(lean_deg),
        buttock_v=float(vb), upper_v=float(vu), hollow_v=float(sv[k]),
        bump=bump,
        edge_px=edge,
        trunk_px=float(profile.trunk_px),
    ), None
