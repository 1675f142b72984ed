"""The learned pelvic-tilt models (posecoach/pelvis/learned.py): the shipped weights on drawn masks
with a realistic lunge pose, the numpy network, the unusualness check, the session's own
reference, and how PelvisTilt uses them without calibration."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import lunge_pose
from mask_builders import add_blob, draw_trunk
from test_pelvis import ARCHED, NEUTRAL, TUCKED

from posecoach.core.errors import PosecoachError
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Pose
from posecoach.pelvis import learned as M
from posecoach.pelvis.model import UNCALIBRATED_MARGIN_DEG, Sample, calibrate, measure, tilt_from
from posecoach.pelvis.outline import trunk_axes
from posecoach.pelvis.tilt import PelvisTilt

MODELS = M.shipped()
needs_models = pytest.mark.skipif(MODELS is None, reason="no posecoach/data/pelvis_model.npz")


@pytest.fixture(autouse=True)
def learned_estimator(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the learned estimator, whichever one the product uses by default."""
    monkeypatch.setenv(M.ENV, "learned")


def drawn(prof: dict, facing: int = 1, lean: float = 0.0, **draw) -> tuple[Pose, np.ndarray, np.ndarray]:
    """A lunge pose (landmarks at the joint centres) whose mask is a drawn trunk with the back
    profile `prof`, on the pose's own hips and shoulders."""
    pose = lunge_pose(facing=facing, trunk_lean=lean)
    hip = (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2
    sh = (pose.xy[L.LEFT_SHOULDER] + pose.xy[L.RIGHT_SHOULDER]) / 2
    t = draw_trunk(size=pose.image_size, trunk_px=float(np.hypot(*(sh - hip))), hip=tuple(hip), lean_deg=lean,
                   facing=facing, **draw, **prof)
    return replace(pose, mask=t.mask), t.hip, t.shoulder


def sample(prof: dict, facing: int = 1, t_ms: int = 0, **draw) -> Sample:
    pose, hip, sh = drawn(prof, facing, **draw)
    return measure(pose, hip, sh, facing, 5.0, t_ms)


@needs_models
def test_the_shipped_model_orders_arched_neutral_tucked_the_same_whichever_way_one_faces():
    for facing in (1, -1):
        arched, neutral, tucked = (sample(p, facing) for p in (ARCHED, NEUTRAL, TUCKED))
        assert all(s.absolute is not None and s.inputs is not None for s in (arched, neutral, tucked))
        # drawn trunks are simpler than real masks: only the order and a clear arched-tucked gap
        assert arched.absolute > neutral.absolute > tucked.absolute and arched.absolute > tucked.absolute + 4.0
        assert MODELS.change(arched.inputs, neutral.inputs) > 3.0
        assert MODELS.change(tucked.inputs, neutral.inputs) < -2.0
    assert sample(ARCHED, 1).absolute == pytest.approx(sample(ARCHED, -1).absolute, abs=0.5)


@needs_models
def test_the_change_model_reads_no_change_as_zero_and_is_antisymmetric():
    a, b = sample(ARCHED).inputs, sample(TUCKED).inputs
    assert MODELS.change(a, a) == pytest.approx(0.0, abs=1e-9)
    assert MODELS.change(a, b) == pytest.approx(-MODELS.change(b, a), abs=1e-9)


@needs_models
def test_the_shipped_weights_say_how_they_were_made():
    info = MODELS.info
    assert info["made_by"].startswith("python -m benchmarks.pelvis_learn")
    assert info["bodies"] >= 50 and info["stills"] >= 1000
    assert len(info["inputs"]) == len(MODELS.absolute.w) == len(M.input_names())
    assert 0.0 <= info["threshold_shift_deg"] <= 15.0
    assert "cv_by_body" in info


@needs_models
def test_an_input_unlike_the_training_ones_gives_no_number_with_a_reason():
    s = sample(NEUTRAL)
    assert s.absolute is not None and s.absolute_reason is None
    far = s.inputs + 12.0 * MODELS.absolute.scale * np.sign(MODELS.pcs[:, -1])  # far along one direction
    assert MODELS.distance(s.inputs)[0] < MODELS.max_dist < MODELS.distance(far)[0]
    seen = M.Observed(np.zeros(len(M.V_GRID)), None, np.zeros(len(M.CUES)), 100.0)
    assert M.inputs(seen) is None
    assert MODELS.estimate(seen) == M.Estimate(None, np.inf, "outline_not_found")


def test_the_mask_crop_puts_the_back_on_the_left_whichever_way_one_faces():
    crops = []
    for facing in (1, -1):
        pose, hip, sh = drawn(NEUTRAL, facing)
        crops.append(M.trunk_crop(pose.mask, hip, sh, facing).astype(float))
    assert crops[0].shape == (len(M.CROP_V), len(M.CROP_U))
    assert np.abs(crops[0] - crops[1]).mean() < 2.0  # mirror images: the same crop
    behind, axis = crops[0][:, :5].mean(), crops[0][:, int(np.argmin(np.abs(M.CROP_U)))].mean()
    assert behind < 10 and axis > 245  # well behind the back: nobody; along the trunk axis: the person


def _naive_conv3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    out = np.zeros((w.shape[0], h, wd))
    for o in range(w.shape[0]):
        for i in range(h):
            for j in range(wd):
                out[o, i, j] = (xp[:, i:i + 3, j:j + 3] * w[o]).sum() + b[o]
    return out


def test_the_numpy_network_layers_compute_what_they_say():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 5, 4)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    assert np.allclose(M._conv3(x, w, b), _naive_conv3(x, w, b))
    y = np.arange(2 * 5 * 3, dtype=float).reshape(2, 5, 3)
    pooled = M._adaptive_avg(y, 4, 3)  # torch's bins over 5 rows: [0,2) [1,3) [2,4) [3,5)
    assert pooled[1, 2, 0] == pytest.approx(y[1, 2:4, 0].mean())
    assert M._maxpool2(y).shape == (2, 2, 1) and M._maxpool2(y)[0, 0, 0] == y[0, :2, :2].max()


def test_the_network_forward_pass_runs_on_a_crop():
    rng = np.random.default_rng(0)
    n_cues = len(M.CUES)
    p = {"c0w": rng.normal(size=(8, 1, 3, 3)), "c0b": np.zeros(8), "c1w": rng.normal(size=(16, 8, 3, 3)),
         "c1b": np.zeros(16), "c2w": rng.normal(size=(16, 16, 3, 3)), "c2b": np.zeros(16),
         "h0w": np.zeros((16 * 12 + n_cues, 32)), "h0b": np.zeros(32), "h1w": np.zeros(32), "h1b": np.array([4.5]),
         "cue_mean": np.zeros(n_cues), "cue_scale": np.ones(n_cues)}
    crop = M.trunk_crop(drawn(NEUTRAL)[0].mask, *drawn(NEUTRAL)[1:], 1)
    assert M.conv_forward(crop, np.zeros(n_cues), p) == pytest.approx(4.5)  # zero head: the bias
    p["h1w"] = np.ones(32)
    p["h0b"] = np.full(32, 0.5)
    assert M.conv_forward(crop, np.zeros(n_cues), p) == pytest.approx(4.5 + 32 * np.tanh(0.5))


def toy_models(max_dist: float = 1e9, shift: float = 2.0) -> M.Models:
    """Models that read 100 x the outline's hollow (absolute and change): what PelvisTilt does
    with them can be checked by hand."""
    k = len(M.input_names())
    w = np.zeros(k)
    w[M.input_names().index("hollow")] = 100.0
    one = np.ones(k)
    lin = M.Linear(np.zeros(k), one, w, 0.0)
    return M.Models(lin, lin, np.eye(k), one, max_dist, 3.0, info={"threshold_shift_deg": shift})


def test_without_calibration_pelvis_tilt_reads_the_learned_model_and_its_margin(monkeypatch):
    models = toy_models()
    monkeypatch.setattr(M, "shipped", lambda: models)
    p = PelvisTilt()
    pose, hip, sh = drawn(ARCHED)
    obs = type("Obs", (), {"joints": type("J", (), {"mid_hip": hip, "mid_shoulder": sh})(), "facing": 1,
                           "view_angle_deg": 5.0})()
    r = p.update(pose, obs, 0)
    s = measure(pose, hip, sh, 1, 5.0, 0)
    assert r == pytest.approx(100.0 * s.features.hollow) == pytest.approx(s.absolute)
    assert p.last.quality == "rough" and p.last.reason == "uncalibrated" and not p.last.calibrated
    assert p.threshold_shift_deg == 2.0
    monkeypatch.setattr(M, "shipped", lambda: toy_models(max_dist=1e-6))
    q = PelvisTilt()
    assert q.update(pose, obs, 0) is None and q.last.reason == "outline_unusual" and q.last.quality == "none"


def test_calibrated_readings_use_the_change_model_from_the_neutral_inputs(monkeypatch):
    models = toy_models()
    monkeypatch.setattr(M, "shipped", lambda: models)
    neutral = [sample(NEUTRAL, t_ms=100 * i) for i in range(10)]
    cal = calibrate(neutral)
    assert cal is not None and cal.neutral_inputs is not None
    arched = sample(ARCHED)
    want = 100.0 * (arched.features.hollow - neutral[0].features.hollow)
    assert tilt_from(arched, cal) == pytest.approx(want)


def fake(t_ms: int, absolute: float, x: float, facing: int = 1, trunk: float = 100.0,
         hip: tuple[float, float] = (300.0, 300.0)) -> Sample:
    inputs = np.zeros(len(M.input_names()))
    inputs[M.input_names().index("hollow")] = x
    return Sample(t_ms, None, None, trunk, hip, absolute=absolute, inputs=inputs, facing=facing)


def test_the_session_reference_keeps_frame_to_frame_changes_on_the_median_level():
    ref = M.SelfReference(toy_models(), window=5)
    # the absolute model is noisy (+-3) around 2 deg; the change model sees no change
    out = [ref.update(fake(33 * i, 2.0 + (3.0 if i % 2 else -3.0), 0.0)) for i in range(9)]
    assert out[-1] == pytest.approx(-1.0)  # median of the last 5 (-1, 5, -1, 5, -1)
    # an arch of 10 deg in the change model comes through at once, on the same level
    arched = ref.update(fake(330, 9.0, 0.10))
    assert arched == pytest.approx(-1.0 + 10.0)
    assert ref.update(fake(363, None, 0.0)) is None  # no absolute: no reading


def test_the_session_reference_starts_again_on_a_new_stretch():
    for change in (dict(facing=-1), dict(trunk=130.0), dict(hip=(400.0, 300.0))):
        ref = M.SelfReference(toy_models())
        for i in range(5):
            ref.update(fake(33 * i, 0.0, 0.0))
        assert ref.update(fake(200, 7.0, 0.05, **change)) == pytest.approx(7.0)  # new level, not 0 + 5
    ref = M.SelfReference(toy_models())
    ref.update(fake(0, 0.0, 0.0))
    assert ref.update(fake(0 + M.GAP_MS + 1, 7.0, 0.05)) == pytest.approx(7.0)


def test_something_over_the_back_is_still_caught_before_the_model():
    pose, hip, sh = drawn(NEUTRAL)
    fwd, up, trunk = trunk_axes(hip, sh, 1)
    blob = hip + 0.4 * trunk * up - 0.17 * trunk * fwd
    covered = replace(pose, mask=add_blob(pose.mask, tuple(blob), 0.09 * trunk))
    s = measure(covered, hip, sh, 1, 5.0, 0)
    assert s.features is None and s.reason == "something_over_back" and s.absolute is None


@needs_models
def test_the_estimator_can_be_switched_back_to_the_outline_models(monkeypatch):
    monkeypatch.setenv(M.ENV, "outline")
    assert M.estimator() == "outline" and M.active() is None
    s = sample(ARCHED)
    assert s.features is not None and s.absolute is None and s.inputs is None
    assert PelvisTilt().threshold_shift_deg == UNCALIBRATED_MARGIN_DEG  # the old margin
    monkeypatch.setenv(M.ENV, "learned")
    assert M.active() is MODELS and sample(ARCHED).absolute is not None
    monkeypatch.setenv(M.ENV, "neural")
    with pytest.raises(PosecoachError, match="POSECOACH_PELVIS_MODEL"):
        M.estimator()


def test_unreadable_weights_fall_back_to_the_outline_models_once(monkeypatch, tmp_path, capsys):
    bad = tmp_path / "pelvis_model.npz"
    bad.write_bytes(b"not a zip")
    monkeypatch.setattr(M, "WEIGHTS_FILE", bad)
    M.shipped.cache_clear()
    try:
        assert M.shipped() is None and M.shipped() is None and M.active() is None
        assert capsys.readouterr().err.count("cannot be read") == 1  # said once, not per frame
        assert sample(ARCHED).features is not None  # the outline estimate goes on
    finally:
        M.shipped.cache_clear()
