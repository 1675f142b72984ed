import numpy as np

from posecoach.core.filters import Debounce, OneEuro


def test_one_euro_reduces_jitter_on_a_still_signal():
    rng = np.random.default_rng(0)
    f = OneEuro(min_cutoff_hz=1.0, beta=0.0)
    raw = 90 + rng.normal(0, 2, 300)
    out = np.array([f.update(x, i * 33.3) for i, x in enumerate(raw)])
    assert np.std(out[30:]) < 0.4 * np.std(raw[30:])
    assert abs(np.mean(out[30:]) - 90) < 0.5


def test_one_euro_follows_a_step_within_half_a_second():
    f = OneEuro(min_cutoff_hz=1.0, beta=0.02)
    t = 0.0
    for _ in range(30):
        f.update(0.0, t)
        t += 33.3
    value = None
    for _ in range(15):  # 0.5 s after a 20-degree step
        value = f.update(20.0, t)
        t += 33.3
    assert value is not None and value > 15.0


def test_one_euro_passes_missing_input_and_restarts_after_a_gap():
    f = OneEuro()
    assert f.update(10.0, 0) == 10.0
    assert f.update(None, 33) is None
    assert f.update(float("nan"), 66) is None
    assert f.update(50.0, 2000) == 50.0  # gap > reset_after_ms: no lag from stale state


def test_debounce_needs_the_new_value_to_hold():
    d = Debounce(on_ms=200, off_ms=300)
    assert d.update(True, 0) is False
    assert d.update(True, 100) is False
    assert d.update(True, 200) is True
    assert d.update(False, 300) is True
    assert d.update(True, 350) is True  # a blip back resets the pending change
    assert d.update(False, 400) is True
    assert d.update(False, 699) is True
    assert d.update(False, 700) is False


def test_debounce_keeps_its_state_through_unknown_input_and_restarts_the_wait():
    d = Debounce(on_ms=100)
    d.update(True, 0)
    assert d.update(None, 50) is False
    assert d.update(True, 100) is False
    assert d.update(True, 200) is True
    assert d.update(None, 300) is True
