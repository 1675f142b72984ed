"""Plane geometry on image points (pixels, x right, y down). Pure numpy; angles in degrees.

`facing` is +1 when the person faces image-right (+x) and -1 when they face image-left, so
"ahead" always means along the person's facing direction.
"""
from __future__ import annotations

import math

import numpy as np

Point = np.ndarray  # shape (2,), pixels


def interior_angle(a: Point, b: Point, c: Point) -> float:
    """Angle ABC at vertex b in degrees, 0..180 (180 = straight). NaN if a segment has no length."""
    u, v = np.asarray(a, float) - b, np.asarray(c, float) - b
    nu, nv = math.hypot(*u), math.hypot(*v)
    if nu == 0 or nv == 0 or not (np.isfinite(nu) and np.isfinite(nv)):
        return math.nan
    cos = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def tilt_from_vertical(lower: Point, upper: Point, facing: int) -> float:
    """Angle of the segment lower->upper from straight up, degrees in (-180, 180].

    Positive when `upper` lies ahead of `lower` along the facing direction.
    """
    dx = (float(upper[0]) - float(lower[0])) * facing
    up = float(lower[1]) - float(upper[1])  # image y grows downward
    if dx == 0 and up == 0:
        return math.nan
    return math.degrees(math.atan2(dx, up))


def ahead_offset(point: Point, ref: Point, facing: int) -> float:
    """How far `point` lies ahead of `ref` along the facing direction, pixels."""
    return (float(point[0]) - float(ref[0])) * facing


def distance(a: Point, b: Point) -> float:
    return float(math.hypot(float(a[0]) - float(b[0]), float(a[1]) - float(b[1])))


def midpoint(a: Point, b: Point) -> np.ndarray:
    return (np.asarray(a, float) + np.asarray(b, float)) / 2.0


def rotate_to_trunk(points: np.ndarray, origin: Point, trunk_up: Point, facing: int) -> np.ndarray:
    """Express image points in a trunk frame: u along the facing direction, v along the trunk (up).

    Returns (N, 2) [u, v] in pixels. Used to read the back outline independently of trunk lean.
    """
    up = np.asarray(trunk_up, float)
    up = up / (np.linalg.norm(up) or 1.0)
    fwd = np.array([-up[1], up[0]]) if facing > 0 else np.array([up[1], -up[0]])
    rel = np.asarray(points, float) - np.asarray(origin, float)
    return np.stack([rel @ fwd, rel @ up], axis=-1)
