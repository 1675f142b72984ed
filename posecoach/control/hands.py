"""Reading the hands in one frame for the gesture commands: is one hand raised above the head?

Two kinds of evidence, both body-relative (heights in torso lengths above the shoulder line,
image pixels, y down):
- the landmarks: a wrist high above the shoulders and the head, its elbow up, inside the picture
  (or over its top edge with the elbow inside and high);
- the person's outline (the segmentation mask, when the estimator gives one): how far the
  silhouette reaches up, without a break, above the shoulders. A raised far arm in a side view
  is often hidden from the landmark model, which then guesses the wrist near the face, but the
  hand and forearm still stand out above the head. The outline cannot tell one arm from two, so
  it only counts with a landmark wrist clearly down and no landmark wrist up.
MediaPipe's visibility stays ~0.99 for hidden joints, so it only rejects landmarks the model
itself doubts (< VISIBILITY_MIN); in-frame checks are geometric. numpy only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Pose

VISIBILITY_MIN = 0.5
HEAD = (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EAR, L.RIGHT_EAR)
ARMS = {"left": (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST), "right": (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST)}
OUTLINE = 2
"""The `source` of a raise seen only in the outline (0 = left wrist, 1 = right wrist)."""
SOURCES = ("left", "right", "unseen")


@dataclass(frozen=True)
class GestureSettings:
    """Thresholds: times in ms, lengths in torso lengths (mid-shoulder to mid-hip)."""
    hold_ms: int = 1000  # a still raised hand held this long: start / pause / resume
    long_hold_ms: int = 4000  # kept up this long since raised: move on
    rearm_ms: int = 400  # both hands seen down this long before a raise counts
    gap_ms: int = 300  # frames without a clear reading tolerated inside a raise
    both_ms: int = 250  # both wrists up this long: both arms up (shorter: the model's passing guess)
    raise_up: float = 0.6  # wrist this far above the shoulder line to count as raised ...
    raise_keep: float = 0.5  # ... and to stay raised (hysteresis)
    above_head: float = 0.1  # wrist above the highest head landmark by this much
    elbow_up: float = 0.15  # elbow above the shoulder line by this much
    elbow_up_off_top: float = 0.35  # ... when the wrist is above the picture's top edge
    other_down: float = 0.45  # the other wrist no higher than this above the shoulder line
    outline_up: float = 1.0  # the outline reaching this high above the shoulders: a raised hand ...
    outline_keep: float = 0.88  # ... and still raised
    outline_half_width: float = 0.6  # the outline is looked for this far either side of the shoulders
    wave_amp: float = 0.25  # one swing of a wave: the hand across by at least this much
    wave_swings: int = 3
    wave_window_ms: int = 2000
    wave_min_swing_ms: int = 150  # swings closer than this are jitter
    min_torso: float = 0.06  # torso length at least this fraction of the picture's height
    torso_window_ms: int = 1000  # the torso length is the median over this window


@dataclass(frozen=True)
class HandReading:
    """One frame, read: per wrist (left, right) its height above the torso's top (the higher of
    the mid-shoulder and mid-hip points, so a bridge lifting the hands on the belly is no raise)
    and position across the mid-shoulder (torso lengths, NaN when missing), whether it counts as
    raised strictly (`up`) or loosely (`keep`); the outline's height above the torso's top and
    the across position of its top (None without a mask); whether the trunk lies nearer
    horizontal than vertical; the wrists' visibility."""
    height: tuple[float, float]
    across: tuple[float, float]
    up: tuple[bool, bool]
    keep: tuple[bool, bool]
    outline: float | None = None
    outline_x: float | None = None
    lying: bool = False
    visibility: tuple[float, float] = (1.0, 1.0)


@dataclass(frozen=True)
class Observation:
    """What a frame shows: "rest" (both hands down), "one" (one hand raised: `source` 0 left
    wrist, 1 right wrist, OUTLINE; `strict` when high enough to start a raise; `across` its
    position), "both" (both arms up) or "unclear"."""
    kind: str
    source: int | None = None
    strict: bool = False
    across: float = float("nan")


def _ok(p: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(p)))


def torso_length(pose: Pose, min_frac: float) -> float | None:
    """Mid-shoulder to mid-hip (px) when the shoulders are in the picture, the hips at most a
    little outside it, and the torso at least `min_frac` of the picture's height."""
    w, h = pose.image_size
    xy = pose.xy
    sh = (xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER])
    hips = (xy[L.LEFT_HIP], xy[L.RIGHT_HIP])
    if not all(_ok(p) for p in (*sh, *hips)):
        return None
    if not all(0 <= p[0] < w and 0 <= p[1] < h for p in sh):
        return None
    if not all(-0.1 * w <= p[0] < 1.1 * w and -0.1 * h <= p[1] < 1.1 * h for p in hips):
        return None
    t = float(np.linalg.norm(0.5 * (sh[0] + sh[1]) - 0.5 * (hips[0] + hips[1])))
    return t if t >= min_frac * h else None


def read_hands(pose: Pose, torso: float, s: GestureSettings) -> HandReading | None:
    """The hands of `pose` measured against a torso length `torso` (px); None when unreadable."""
    w, h = pose.image_size
    xy = pose.xy
    mid_sh = 0.5 * (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER])
    mid_hip = 0.5 * (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP])
    heads = [xy[i][1] for i in HEAD if _ok(xy[i])]
    if not heads or not _ok(mid_sh) or not _ok(mid_hip):
        return None
    base = np.array([mid_sh[0], min(mid_sh[1], mid_hip[1])])
    head_y = min(heads)
    height: list[float] = []
    across: list[float] = []
    up: list[bool] = []
    keep: list[bool] = []
    for side in ("left", "right"):
        _, elbow, wrist = (xy[i] for i in ARMS[side])
        if not (_ok(elbow) and _ok(wrist)):
            height.append(np.nan)
            across.append(np.nan)
            up.append(False)
            keep.append(False)
            continue
        hw = (base[1] - wrist[1]) / torso
        he = (base[1] - elbow[1]) / torso
        above = wrist[1] < head_y - s.above_head * torso and he >= s.elbow_up and _seen(pose, side, w, h, he, s)
        height.append(float(hw))
        across.append(float((wrist[0] - mid_sh[0]) / torso))
        up.append(bool(above and hw >= s.raise_up))
        keep.append(bool(above and hw >= s.raise_keep))
    top = outline_top(pose, base, torso, s.outline_half_width)
    trunk = mid_sh - mid_hip
    vis = (float(pose.visibility[L.LEFT_WRIST]), float(pose.visibility[L.RIGHT_WRIST]))
    outline, outline_x = top if top is not None else (None, None)
    return HandReading((height[0], height[1]), (across[0], across[1]), (up[0], up[1]), (keep[0], keep[1]),
                       outline, outline_x, lying=bool(abs(trunk[0]) > abs(trunk[1])), visibility=vis)


def _seen(pose: Pose, side: str, w: int, h: int, elbow_height: float, s: GestureSettings) -> bool:
    """The raised arm is really in the picture: the wrist inside it, or gone over the top edge
    with the elbow inside and high; and the model does not itself doubt the landmarks."""
    _, elbow, wrist = ARMS[side]
    ex, ey = pose.xy[elbow]
    wx, wy = pose.xy[wrist]
    if not (0 <= ex < w and 0 <= ey < h) or pose.visibility[elbow] < VISIBILITY_MIN:
        return False
    if not 0 <= wx < w:
        return False
    if wy >= 0:
        return wy < h and pose.visibility[wrist] >= VISIBILITY_MIN
    return elbow_height >= s.elbow_up_off_top


def outline_top(pose: Pose, base: np.ndarray, torso: float, half_width: float) -> tuple[float, float] | None:
    """(height, across) of the top of the person's outline above `base` (px: the mid-shoulder's x,
    the torso top's y), in torso lengths: the highest row reached without a break from the base
    row, in the band `half_width` torso lengths either side of it, and the mean across position
    of its top rows. None without a mask. Reaching the picture's top edge gives a lower bound."""
    m = pose.mask
    if m is None:
        return None
    sc = pose.mask_scale
    mh, mw = m.shape[:2]
    x0 = max(0, int((base[0] - half_width * torso) * sc))
    x1 = min(mw, int((base[0] + half_width * torso) * sc) + 1)
    y_sh = min(mh, int(base[1] * sc))
    if x1 <= x0 or y_sh <= 0:
        return None
    band = m[:y_sh, x0:x1] > 0.5
    empty = np.nonzero(~band.any(axis=1))[0]
    top = int(empty.max()) + 1 if len(empty) else 0
    if top >= y_sh:
        return 0.0, 0.0
    rows = band[top:top + max(1, int(0.1 * torso * sc))]
    cols = np.nonzero(rows)[1]
    x = (x0 + float(cols.mean())) / sc if len(cols) else base[0]
    return (y_sh - top) / sc / torso, (x - base[0]) / torso


def observe(r: HandReading, s: GestureSettings) -> Observation:
    """Turn a reading into what the frame shows (see Observation).

    Upright, both wrists above the rest line is "both" (never a command: the arms-overhead yoga
    lunge, or one raised arm hiding the other from a side-on camera, which the landmark model
    then often guesses raised too). Lying down (trunk nearer horizontal than vertical) there is no
    such veto: that guess is common there too (seen from the side a raised near arm hides the far
    one, and the guess wanders), and no posture of the floor exercises raises both arms; the wrist
    the model is surer of is taken."""
    low = [bool(h <= s.other_down) for h in r.height]  # NaN (missing) is not low
    high = [bool(h > s.other_down) for h in r.height]
    if r.lying and (r.keep[0] or r.keep[1]):
        i = max((j for j in (0, 1) if r.keep[j]), key=lambda j: r.visibility[j])
        return Observation("one", i, r.up[i], r.across[i])
    if high[0] and high[1]:
        return Observation("both")  # both up, or one up and the other half up: maybe both arms overhead
    for i in (0, 1):
        if r.keep[i]:
            if low[1 - i]:
                return Observation("one", i, r.up[i], r.across[i])
            return Observation("unclear")  # the other wrist missing
    if r.outline is not None and r.outline_x is not None and r.outline >= s.outline_keep and (low[0] or low[1]):
        return Observation("one", OUTLINE, r.outline >= s.outline_up, float(r.outline_x))
    if low[0] and low[1]:
        return Observation("rest")
    return Observation("unclear")
