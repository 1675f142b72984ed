"""The back outline read from drawn masks whose profile is known."""
from __future__ import annotations

import math

import numpy as np
import pytest
from mask_builders import add_blob, back_depth, draw_trunk

from posecoach.pelvis.outline import V_GRID, back_profile, outline_features, trunk_axes


def features(t, lean=0.0):
    prof = back_profile(t.mask, t.hip, t.shoulder, t.facing)
    f, reason = outline_features(prof, lean)
    assert reason is None, reason
    return f, prof


def test_profile_follows_the_drawn_back():
    t = draw_trunk(trunk_px=160)
    _, prof = features(t)
    want = back_depth(V_GRID)
    ok = np.isfinite(prof.depth) & (V_GRID > -0.55) & (V_GRID < 1.05)
    assert ok.sum() > 50
    # within ~one pixel of the drawn edge everywhere
    assert np.max(np.abs(prof.depth[ok] - want[ok])) * 160 < 1.2


@pytest.mark.parametrize("hollow", [0.0, 0.03, 0.08])
def test_hollow_depth_is_measured(hollow):
    f, _ = features(draw_trunk(hollow=hollow))
    assert f.hollow == pytest.approx(hollow, abs=0.008)
    if hollow > 0:  # the straightedge touches the drawn apexes (rounded: within a few samples)
        assert f.buttock_v == pytest.approx(-0.05, abs=0.1)
        assert f.upper_v == pytest.approx(0.70, abs=0.1)


def test_deeper_hollow_and_further_back_buttocks_raise_the_features():
    flat, _ = features(draw_trunk(hollow=0.02, buttock=0.20))
    arched, _ = features(draw_trunk(hollow=0.08, buttock=0.26))
    assert arched.hollow > flat.hollow + 0.04
    assert arched.protrusion > flat.protrusion + 0.04
    assert arched.chord_deg > flat.chord_deg
    assert arched.sacral_deg > flat.sacral_deg


def test_an_extended_back_thigh_is_not_taken_for_the_buttocks():
    """Pushing the hips forward swings the back thigh backward under the buttocks; the buttock apex
    stays above the gluteal fold and the hollow is the same."""
    plain, _ = features(draw_trunk())
    extended, _ = features(draw_trunk(thigh=1.5))  # at the range bottom it stands further back
    assert extended.buttock_v > -0.2
    assert extended.hollow == pytest.approx(plain.hollow, abs=0.006)
    assert extended.protrusion == pytest.approx(plain.protrusion, abs=0.01)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("lean", [-10.0, 0.0, 15.0])
def test_features_do_not_depend_on_facing_lean_or_scale(facing, lean):
    ref, _ = features(draw_trunk(trunk_px=150))
    for px in (110.0, 190.0):
        f, _ = features(draw_trunk(trunk_px=px, facing=facing, lean_deg=lean, hip=(330, 400)))
        one_px = 1.0 / px  # the mask is pixels: allow about one pixel
        assert f.hollow == pytest.approx(ref.hollow, abs=one_px + 0.002)
        assert f.protrusion == pytest.approx(ref.protrusion, abs=0.01)
        assert f.sacral_deg == pytest.approx(ref.sacral_deg, abs=3.0)


def test_an_arm_behind_the_low_back_makes_a_bump():
    t = draw_trunk()
    fwd, up, trunk = trunk_axes(t.hip, t.shoulder, t.facing)
    elbow = t.hip + 0.35 * trunk * up - 0.2 * trunk * fwd
    clean, _ = features(t)
    f, _ = features(type(t)(add_blob(t.mask, tuple(elbow), 0.08 * trunk), t.hip, t.shoulder, t.facing))
    assert clean.bump < 0.005
    assert f.bump > 0.03


def test_soft_mask_edges_are_measured():
    sharp, _ = features(draw_trunk())
    soft, _ = features(draw_trunk(blur_px=4.0))
    assert sharp.edge_px < 2.0
    assert soft.edge_px > 5.0
    assert soft.hollow == pytest.approx(sharp.hollow, abs=0.01)


def test_no_outline_gives_a_reason():
    t = draw_trunk()
    prof = back_profile(np.zeros_like(t.mask), t.hip, t.shoulder, t.facing)
    f, reason = outline_features(prof, 0.0)
    assert f is None and reason == "outline_not_found"
    small = draw_trunk(trunk_px=30)
    f, reason = outline_features(back_profile(small.mask, small.hip, small.shoulder, small.facing), 0.0)
    assert f is None and reason == "person_too_small"


def test_features_round_trip_through_an_array():
    f, _ = features(draw_trunk())
    again = type(f).from_array(f.as_array())
    assert again == f
    assert math.isfinite(f.edge_px)
