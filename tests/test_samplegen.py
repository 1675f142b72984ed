"""Committed sample clips agree with their scenarios and ground truth (no renderer needed).

If the renderer's dependencies are importable, a tiny clip is also rendered end to end.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import sys

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # samplegen is not in the runtime wheel
from samplegen.metrics import (ALL_CODES, BANDS, FORM_CODES, camera_angles_deg, judge, picture_metrics, pixels_to_sagittal,
                               sagittal_metrics, view_label)
from samplegen.scenario import ScenarioError, load_scenario, parse_scenario

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
CLIPS = sorted(SAMPLES.glob("*.mp4"))
METRICS = ("front_knee_angle_deg", "shin_tilt_deg", "knee_ahead_of_ankle", "back_hip_extension_deg",
           "trunk_lean_deg", "pelvic_tilt_deg")
# joints_px vs 3-D truth: perspective and camera pitch bend projected angles a little
TOLERANCE_DEG = {"front_knee_angle_deg": 4.0, "shin_tilt_deg": 4.0, "back_hip_extension_deg": 4.0, "trunk_lean_deg": 4.0}


def _truth(clip: Path) -> dict:
    return json.loads(clip.with_name(clip.stem + ".truth.json").read_text())


def test_there_are_enough_clips() -> None:
    assert len(CLIPS) >= 14
    total = sum(p.stat().st_size for p in SAMPLES.glob("*.mp4"))
    assert total <= 30 * 1024 * 1024


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_clip_has_scenario_and_truth(clip: Path) -> None:
    scenario = load_scenario(SAMPLES / "scenarios" / f"{clip.stem}.toml")
    truth = _truth(clip)
    assert truth["video"] == clip.name
    assert truth["frames"] == len(truth["per_frame"]) == scenario.frame_count
    assert (truth["width"], truth["height"]) == scenario.size in ((640, 480), (1280, 720))  # webcam sizes
    assert truth["fps"] == scenario.fps == 30.0
    assert 2.0 <= scenario.duration_s <= 12.0
    assert (truth["neutral_s"] is None) == (scenario.neutral_s is None)
    assert [r["frame"] for r in truth["per_frame"]] == list(range(truth["frames"]))


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_video_frame_count_matches_truth(clip: Path) -> None:
    cv2 = pytest.importorskip("cv2")
    cap = cv2.VideoCapture(str(clip))
    frames = 0
    while cap.read()[0]:
        frames += 1
    width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    cap.release()
    truth = _truth(clip)
    assert frames == truth["frames"]
    assert (width, height) == (truth["width"], truth["height"])


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_metrics_agree_with_projected_joints(clip: Path) -> None:
    """In near-square side views from about hip height the 2-D joints reproduce the 3-D
    joint-centre metrics within a few degrees. A camera looking down on the person (elevation
    >= 8 deg, recorded since issue 12) does not: the sweep measures by how much."""
    checked = 0

    def near_square(row: dict) -> bool:
        level = row.get("camera_elevation_deg") is None or row["camera_elevation_deg"] < 8
        return bool(row["in_lunge"] and row["view"] == "side" and row["view_deg"] < 12 and level)

    for row in _truth(clip)["per_frame"]:
        if not (near_square(row) and row["whole_body_in_frame"]):
            continue
        sign = 1.0 if row["facing"] == "right" else -1.0
        again = sagittal_metrics(pixels_to_sagittal(row["joints_px"], sign), row["front_side"], None)
        for name, tol in TOLERANCE_DEG.items():
            assert abs(again[name] - row["metrics"][name]) <= tol, (row["frame"], name, again[name], row["metrics"][name])
        checked += 1
    truth = _truth(clip)
    if any(near_square(r) for r in truth["per_frame"]):
        assert checked > 0


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_fault_lists_obey_the_bands(clip: Path) -> None:
    for row in _truth(clip)["per_frame"]:
        assert set(row["metrics"]) == set(METRICS)
        assert set(row["fault"]).isdisjoint(row["ambiguous"])
        assert set(row["fault"]) | set(row["ambiguous"]) <= set(ALL_CODES)
        fault, ambiguous = judge(row["metrics"], row["in_lunge"], row["view"], row["person"], row["whole_body_in_frame"])
        assert sorted(fault) == sorted(row["fault"]) and sorted(ambiguous) == sorted(row["ambiguous"]), row["frame"]
        if row["in_lunge"] and row["view"] == "side":
            for code, (name, ok_max, fault_min) in BANDS.items():
                value = row["metrics"][name]
                assert (code in row["fault"]) == (value >= fault_min)
                assert (code in row["ambiguous"]) == (ok_max < value < fault_min)
        else:
            assert set(FORM_CODES) <= set(row["ambiguous"])
        if not row["person"]:
            assert "NO_PERSON" in row["fault"] and all(v is None for v in row["metrics"].values())
        if row["person"]:
            assert row["view"] == view_label(row["view_deg"])


@pytest.mark.parametrize("clip", CLIPS, ids=lambda p: p.stem)
def test_neutral_hold_has_a_neutral_pelvis(clip: Path) -> None:
    truth = _truth(clip)
    if truth["neutral_s"] is None:
        return
    start, end = truth["neutral_s"]
    rows = [r for r in truth["per_frame"] if start * 1000 <= r["t_ms"] <= end * 1000]
    # near the standing pelvis (a scenario may model a person whose "neutral" is a little off)
    assert rows and all(abs(r["metrics"]["pelvic_tilt_deg"]) <= 3.0 for r in rows)


def test_coverage_of_faults_views_and_people() -> None:
    rows = [(c.stem, r) for c in CLIPS for r in _truth(c)["per_frame"]]
    for code in ALL_CODES:
        assert any(code in r["fault"] for _, r in rows), f"no clip shows {code}"
    assert {r["front_side"] for _, r in rows} >= {"left", "right"}
    assert any(r["view"] == "front" for _, r in rows)


def test_sagittal_metrics_of_a_textbook_lunge() -> None:
    # facing +x: hip above the knee of a vertical shin, thigh horizontal, back thigh vertical
    joints = {"left_hip": (0.0, 0.5), "left_knee": (0.4, 0.5), "left_ankle": (0.4, 0.08),
              "right_hip": (0.0, 0.5), "right_knee": (0.0, 0.08), "right_ankle": (-0.4, 0.1),
              "left_shoulder": (0.0, 1.0), "right_shoulder": (0.0, 1.0)}
    m = sagittal_metrics({k: __import__("numpy").array(v) for k, v in joints.items()}, "left", -2.0)
    assert math.isclose(m["front_knee_angle_deg"], 90.0, abs_tol=1e-6)
    assert math.isclose(m["shin_tilt_deg"], 0.0, abs_tol=1e-6)
    assert math.isclose(m["back_hip_extension_deg"], 0.0, abs_tol=1e-6)
    assert math.isclose(m["trunk_lean_deg"], 0.0, abs_tol=1e-6)


def test_camera_azimuth_sign_and_elevation() -> None:
    """+ when the camera stands in front of the person, - behind; |azimuth| is the view angle."""
    np = __import__("numpy")
    left = np.array([0.0, -1.0, 0.0])  # body left towards world -Y; forward is then world -X
    pelvis = np.array([0.0, 0.0, 0.6])
    for az in (0.0, 30.0, -40.0):
        a = math.radians(az)
        eye = pelvis + 3.0 * np.array([-math.sin(a), -math.cos(a), 0.0]) + np.array([0.0, 0.0, 3.0 * math.tan(math.radians(10))])
        got_az, got_el = camera_angles_deg(left, pelvis, eye)
        assert math.isclose(got_az, az, abs_tol=1e-9) and math.isclose(got_el, 10.0, abs_tol=1e-9)


def test_picture_metrics_match_the_sagittal_ones_side_on() -> None:
    np = __import__("numpy")
    sag = {"left_hip": (0.0, 0.5), "left_knee": (0.4, 0.5), "left_ankle": (0.45, 0.08), "right_hip": (0.0, 0.5),
           "right_knee": (-0.1, 0.08), "right_ankle": (-0.5, 0.1), "left_shoulder": (0.05, 1.0), "right_shoulder": (0.05, 1.0)}
    # the same joints as image pixels of a person facing image-left (forward = -x, up = -y)
    px = {k: np.array([300.0 - 200.0 * f, 400.0 - 200.0 * u]) for k, (f, u) in sag.items()}
    pelvis_up = (np.array([300.0, 300.0]), np.array([300.0 - 200.0 * math.sin(math.radians(5)), 300.0 - 200.0 * math.cos(math.radians(5))]))
    want = sagittal_metrics({k: np.array(v) for k, v in sag.items()}, "left", 5.0)
    got = picture_metrics(px, "left", "left", pelvis_up)
    for name, value in want.items():
        assert math.isclose(got[name], value, abs_tol=1e-6), name
    assert picture_metrics(px, "left", "left", None)["pelvic_tilt_deg"] is None


def test_sweep_clips_record_the_picture_and_the_camera() -> None:
    """Truth files written for issue 12 carry metrics_2d and the signed camera azimuth; side-on
    the picture's angles agree with the body's (the oblique ones are what the sweep measures)."""
    rows = [(c.stem, r) for c in CLIPS for r in _truth(c)["per_frame"] if "camera_azimuth_deg" in r and r["in_lunge"]]
    if not rows:
        pytest.skip("no clip rendered with the issue-12 truth keys")
    for stem, r in rows:
        assert set(r["metrics_2d"]) == set(METRICS)
        assert math.isclose(abs(r["camera_azimuth_deg"]), r["view_deg"], abs_tol=0.11), stem
        if r["view_deg"] < 5 and r["camera_elevation_deg"] < 8:
            for name in TOLERANCE_DEG:
                assert abs(r["metrics_2d"][name] - r["metrics"][name]) <= TOLERANCE_DEG[name], (stem, r["frame"], name)


def test_scenario_rejects_unknown_keys() -> None:
    base = {"duration_s": 4.0, "keyframes": [{"t": 0.0, "posture": "lunge"}]}
    assert parse_scenario(base, "x").frame_count == 120
    with pytest.raises(ScenarioError, match="colour"):
        parse_scenario({**base, "body": {"colour": [1, 2, 3]}}, "x")
    with pytest.raises(ScenarioError, match="knee_deg"):
        parse_scenario({**base, "keyframes": [{"t": 0.0, "knee_deg": 10}]}, "x")


def test_tiny_render(tmp_path: Path) -> None:
    """End to end: a 4-frame 160x120 clip renders with a truth file (only with the renderer)."""
    pytest.importorskip("anny")
    pytest.importorskip("pyrender")
    try:
        from samplegen.render import render_clip
    except Exception as exc:  # no EGL/OSMesa on this machine
        pytest.skip(f"renderer unavailable: {exc}")
    scenario = parse_scenario({"duration_s": 4 / 30, "size": [160, 120],
                               "keyframes": [{"t": 0.0, "posture": "lunge", "knee_deg": 90, "shin_tilt_deg": "auto"}]}, "tiny")
    result = render_clip(scenario, tmp_path, log=lambda _: None)
    truth = json.loads(result.truth.read_text())
    assert truth["frames"] == 4 and truth["per_frame"][0]["person"]
    assert 80 <= truth["per_frame"][0]["metrics"]["front_knee_angle_deg"] <= 100
