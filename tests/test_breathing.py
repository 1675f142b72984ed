"""Breathing-rate estimation on synthetic signals (no model needed)."""
import math

import numpy as np
import pytest
from lying_builders import supine_pose

from posecoach.exercises.breathing import (
    BreathingRate,
    belly_height_px,
    rate_from_samples,
)
from posecoach.exercises.lying import body_line


def feed(bpm_at, seconds: float, fps: float = 30.0, noise: float = 0.5, amp: float = 3.0, seed: int = 0,
         drop: float = 0.0, drift: float = 0.0):
    """Feed a belly signal whose rate may change over time; returns (t_s, estimates)."""
    rng = np.random.default_rng(seed)
    br = BreathingRate()
    phase, out = 0.0, []
    for i in range(int(seconds * fps)):
        t = i / fps
        phase += 2 * math.pi * bpm_at(t) / 60.0 / fps
        x = amp * math.sin(phase) + rng.normal(0, noise) + drift * t
        jitter = rng.uniform(-8, 8)  # uneven frame timing, ms
        value = None if rng.random() < drop else x
        out.append((t, br.update(value, t * 1000.0 + jitter)))
    return out


@pytest.mark.parametrize("bpm", [6, 10, 14, 18, 24, 30])
def test_steady_rates_are_found_within_half_a_breath_per_minute(bpm):
    est = [r for t, r in feed(lambda t: bpm, 45.0) if t > 30]
    assert all(r is not None for r in est)
    assert max(abs(r - bpm) for r in est) < 0.5


def test_no_estimate_before_ten_seconds_and_none_from_pure_noise():
    out = feed(lambda t: 12, 30.0)
    assert all(r is None for t, r in out if t < 9.9)
    rng = np.random.default_rng(3)
    rate, conf = rate_from_samples(np.arange(0, 30, 1 / 30), rng.normal(0, 1, 900))
    assert rate is None and conf < 0.3


def test_missing_frames_drift_and_noise_are_tolerated():
    est = [r for t, r in feed(lambda t: 16, 40.0, noise=1.5, drop=0.3, drift=0.3) if t > 25]
    assert est and all(r is not None and abs(r - 16) < 1.0 for r in est)


def test_the_estimate_follows_a_slowing_breath_within_the_window():
    out = dict(feed(lambda t: 24 if t < 30 else 10, 75.0))
    assert abs(out[min(out, key=lambda t: abs(t - 29))] - 24) < 1
    assert abs(out[min(out, key=lambda t: abs(t - 74))] - 10) < 1


def test_a_long_gap_restarts_the_estimate():
    br = BreathingRate()
    for i in range(900):
        br.update(3 * math.sin(2 * math.pi * 0.25 * i / 30), i * 1000 / 30)
    assert br.rate_bpm == pytest.approx(15, abs=0.5)
    assert br.update(None, 30000 + 5000) is None


def test_belly_height_reads_the_mask_with_subpixel_precision():
    for h in (40.0, 40.25, 40.5):
        pose = supine_pose(belly_px=h)
        assert belly_height_px(pose.mask, body_line(pose)) == pytest.approx(h, abs=0.01)
    assert belly_height_px(None, body_line(supine_pose())) is None


def test_belly_height_from_a_mask_kept_at_detection_scale():
    pose = supine_pose(belly_px=40.0)
    small = pose.mask[::2, ::2]  # a frame twice the detection size: mask_scale 0.5
    assert belly_height_px(small, body_line(pose), scale=0.5) == pytest.approx(40.0, abs=1.0)


def test_a_slow_rhythm_is_not_misread_while_the_window_holds_under_two_breaths():
    out = feed(lambda t: 8, 25.0, noise=0.3, amp=2.0)
    shown = [(t, r) for t, r in out if r is not None]
    assert shown and all(abs(r - 8) < 1.0 for _, r in shown)
    assert shown[0][0] >= 14.0  # two 7.5 s breaths are needed first
