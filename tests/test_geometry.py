import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from posecoach.core import geometry as g

coord = st.floats(-1000, 1000, allow_nan=False)
angle = st.floats(-170, 170)


@given(coord, coord, st.floats(1, 500), angle, st.sampled_from([1, -1]))
def test_tilt_from_vertical_recovers_the_angle(x, y, length, deg, facing):
    lower = np.array([x, y])
    a = math.radians(deg)
    upper = lower + length * np.array([facing * math.sin(a), -math.cos(a)])
    assert math.isclose(g.tilt_from_vertical(lower, upper, facing), deg, abs_tol=1e-6)


@given(coord, coord, st.floats(1, 500), st.floats(1, 500), st.floats(0.5, 179.5), st.floats(-180, 180))
def test_interior_angle_is_rotation_invariant(x, y, la, lc, deg, rot):
    b = np.array([x, y])
    r = math.radians(rot)
    a = b + la * np.array([math.cos(r), math.sin(r)])
    c = b + lc * np.array([math.cos(r + math.radians(deg)), math.sin(r + math.radians(deg))])
    assert math.isclose(g.interior_angle(a, b, c), deg, abs_tol=1e-5)


def test_interior_angle_of_a_degenerate_segment_is_nan():
    p = np.array([1.0, 1.0])
    assert math.isnan(g.interior_angle(p, p, np.array([2.0, 2.0])))


def test_ahead_offset_follows_the_facing_direction():
    assert g.ahead_offset(np.array([10, 0]), np.array([0, 0]), 1) == 10
    assert g.ahead_offset(np.array([10, 0]), np.array([0, 0]), -1) == -10


def test_rotate_to_trunk_puts_the_trunk_on_the_v_axis():
    uv = g.rotate_to_trunk(np.array([[0.0, -10.0], [5.0, 0.0]]), np.zeros(2), np.array([0.0, -1.0]), 1)
    assert np.allclose(uv[0], [0, 10])
    assert np.allclose(uv[1], [5, 0])  # ahead (image-right when facing right)
