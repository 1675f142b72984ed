"""The lying sample clips (sample_videos/lying/): their ground truth, and the floor exercises and
the routine run on them through the command line (MediaPipe, no renderer needed).

Each clip is analysed once per test session with `posecoach analyze --exercise ...`; the tests
read its frames.jsonl and summary.json.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SAMPLES, assert_interface_ok

from posecoach.commands.main import main
from posecoach.core.config import Band
from posecoach.exercises.judging import judge_truth
from posecoach.exercises.rest import rest_truth_bands

sys.path.insert(0, str(ROOT))  # samplegen is not in the runtime wheel
from samplegen.lying import load_lying_scenario  # noqa: E402

LYING = SAMPLES / "lying"
ARCHED, NEUTRAL_SPINE = "rest_arched_back_cam022", "rest_neutral_spine_cam022"
SCENARIOS = sorted((LYING / "scenarios").glob("*.toml"))
CLIPS = sorted(LYING.glob("*.mp4"))


def truth(stem: str) -> dict:
    return json.loads((LYING / f"{stem}.truth.json").read_text())


@pytest.fixture(scope="session")
def analysed(tmp_path_factory):
    """stem -> (frame records, summary) of `posecoach analyze --exercise` on that clip (cached)."""
    out = tmp_path_factory.mktemp("lying")
    cache: dict[str, tuple[list[dict], dict]] = {}

    def get(stem: str) -> tuple[list[dict], dict]:
        if stem not in cache:
            exercise = truth(stem)["exercise"]
            code = main(["analyze", str(LYING / f"{stem}.mp4"), "--exercise", exercise, "--out", str(out),
                         "--quiet", "--jobs", "1"])
            assert code == 0
            folder = out / stem
            assert_interface_ok(folder)
            records = [json.loads(x) for x in (folder / "frames.jsonl").read_text().splitlines() if x]
            cache[stem] = (records, json.loads((folder / "summary.json").read_text()))
        return cache[stem]

    return get


# -- the clips and their truth (no model) --------------------------------------------------------
def test_every_scenario_has_its_clip_and_the_clips_stay_small():
    assert {p.stem for p in SCENARIOS} == {p.stem for p in CLIPS} and len(CLIPS) >= 8
    size = sum(p.stat().st_size for p in LYING.glob("*.mp4")) + sum(p.stat().st_size for p in LYING.glob("*.json"))
    assert size <= 8 * 1024 * 1024
    tags = {t for p in SCENARIOS for t in load_lying_scenario(p).tags}
    assert {"knees_straight", "pelvis_lifted", "sitting_up", "ball", "breathing", "fast_breathing",
            "arched_back", "neutral_spine"} <= tags


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_truth_matches_its_scenario(scenario: Path):
    sc = load_lying_scenario(scenario)
    t = truth(sc.stem)
    assert t["frames"] == len(t["per_frame"]) == sc.frame_count
    assert (t["width"], t["height"], t["fps"]) == (640, 480, sc.fps)
    assert [r["frame"] for r in t["per_frame"]] == list(range(t["frames"]))
    assert t["exercise"] == sc.exercise and t["camera"]["height_m"] == sc.camera.height_m


def _from_pixels(joints_px: dict, head: str) -> tuple[float, float]:
    """(trunk elevation, mean knee angle) recomputed from the projected joint centres."""
    p = {k: np.array([v[0] * (1 if head == "right" else -1), -v[1]]) for k, v in joints_px.items()}
    hip = (p["left_hip"] + p["right_hip"]) / 2
    sh = (p["left_shoulder"] + p["right_shoulder"]) / 2
    elev = math.degrees(math.atan2(sh[1] - hip[1], abs(sh[0] - hip[0])))
    knees = []
    for s in ("left", "right"):
        u, w = p[f"{s}_hip"] - p[f"{s}_knee"], p[f"{s}_ankle"] - p[f"{s}_knee"]
        knees.append(math.degrees(math.acos(np.clip(u @ w / np.linalg.norm(u) / np.linalg.norm(w), -1, 1))))
    return elev, float(np.mean(knees))


@pytest.mark.parametrize("stem", [p.stem for p in CLIPS if p.stem.startswith("rest")])
def test_truth_metrics_agree_with_the_projected_joints_and_faults_with_the_bands(stem: str):
    t = truth(stem)
    bands = rest_truth_bands()
    for r in t["per_frame"]:
        if r["posture"] != "supine" or not r["person"]:
            continue
        elev, knee = _from_pixels(r["joints_px"], t["head"])
        tol = 2.0 + 6.0 * (t["camera"]["height_m"] >= 0.65)  # a higher camera foreshortens heights
        assert abs(elev - r["lying_metrics"]["trunk_elevation_deg"]) <= tol
        assert abs(knee - r["lying_metrics"]["knee_angle_deg"]) <= 3 * tol
        judging = r["whole_body_in_frame"] and r["view"] == "side"
        assert judge_truth(r["lying_metrics"], bands, judging) == (r["exercise_fault"], r["exercise_ambiguous"])


def test_the_fault_clips_really_show_their_fault():
    for stem, code in (("rest_knees_straight", "KNEES_STRAIGHT"), ("rest_pelvis_lifted", "PELVIS_LIFTED"),
                       (ARCHED, "ARCHED_BACK_LYING")):
        rows = truth(stem)["per_frame"]
        assert sum(code in r["exercise_fault"] for r in rows) >= 30
        assert sum(code not in r["exercise_fault"] + r["exercise_ambiguous"] for r in rows) >= 30


# -- the product on the clips (MediaPipe) -------------------------------------------------------
def _frame_pr(stem: str, code: str, records: list[dict]) -> tuple[float, float]:
    rows = truth(stem)["per_frame"]
    tp = fp = fn = 0
    change = None
    for i, (r, f) in enumerate(zip(rows, records)):
        state = "fault" if code in r["exercise_fault"] else "amb" if code in r["exercise_ambiguous"] else "ok"
        prev = None if i == 0 else ("fault" if code in rows[i - 1]["exercise_fault"] else
                                    "amb" if code in rows[i - 1]["exercise_ambiguous"] else "ok")
        if prev is not None and state != prev:
            change = r["t_ms"]
        if state == "amb" or (change is not None and r["t_ms"] - change < 500):
            continue
        pred = code in f["exercise_faults"]
        tp += pred and state == "fault"
        fp += pred and state == "ok"
        fn += (not pred) and state == "fault"
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


@pytest.mark.parametrize("stem,code", [("rest_knees_straight", "KNEES_STRAIGHT"),
                                       ("rest_pelvis_lifted", "PELVIS_LIFTED")])
def test_rest_faults_are_found_on_their_clips(analysed, stem, code):
    records, summary = analysed(stem)
    assert summary["detected_fraction"] >= 0.95 and summary["exercise"] == "rest"
    precision, recall = _frame_pr(stem, code, records)
    assert precision >= 0.9 and recall >= 0.8
    assert code in [c["code"] for c in summary["cues"]]
    others = {"KNEES_STRAIGHT", "PELVIS_LIFTED", "ARCHED_BACK_LYING"} - {code}
    assert not any(others & set(f["exercise_faults"]) for f in records)


def test_an_arched_low_back_is_found_and_gently_cued(analysed):
    """Issue 14: a held-out render (body and camera never used to set the bands), the pelvis
    tipped 13 deg forward for 2.5 s and back."""
    records, summary = analysed(ARCHED)
    assert summary["detected_fraction"] >= 0.95
    precision, recall = _frame_pr(ARCHED, "ARCHED_BACK_LYING", records)
    assert precision >= 0.8 and recall >= 0.9  # measured 0.86 / 0.98: the frames lost lag the back settling
    assert [c["code"] for c in summary["cues"]].count("ARCHED_BACK_LYING") == 1
    assert not any({"KNEES_STRAIGHT", "PELVIS_LIFTED"} & set(f["exercise_faults"]) for f in records)


@pytest.mark.parametrize("stem", [NEUTRAL_SPINE, "rest_good_floorcam", "rest_fast_breathing_cam065",
                                  "rest_slow_breathing_cam100", "rest_knees_straight", "rest_pelvis_lifted",
                                  "rest_sits_up"])
def test_the_normal_hollow_of_a_neutral_spine_is_never_cued(analysed, stem):
    records, summary = analysed(stem)
    assert not any("ARCHED_BACK_LYING" in f["exercise_faults"] for f in records)
    assert "ARCHED_BACK_LYING" not in [c["code"] for c in summary["cues"]]


def test_sitting_up_is_noticed_and_pauses_the_rest(analysed):
    records, summary = analysed("rest_sits_up")
    rows = truth("rest_sits_up")["per_frame"]
    # the truth is "transition" while the person comes up: sitting counts from a 50 deg trunk
    upright_from = next(r["t_ms"] for r in rows if r["lying_metrics"]["trunk_elevation_deg"] >= 50)
    seen = next(f["t_ms"] for f in records if f["posture"] == "sitting")
    assert abs(seen - upright_from) <= 1000
    assert all(f["posture"] == "supine" for f in records if f["t_ms"] < upright_from - 1000)
    last = records[-1]
    assert last["phase"] == "paused" and "GOT_UP" in [c["code"] for c in summary["cues"]]
    assert last["timer_s"] < rows[-1]["t_ms"] / 1000 - 2


def test_fast_breathing_is_measured_and_gets_a_gentle_suggestion(analysed):
    records, summary = analysed("rest_fast_breathing_cam065")
    t = truth("rest_fast_breathing_cam065")
    rates = [f["breathing_rate_bpm"] for f in records if f["breathing_rate_bpm"] is not None]
    assert len(rates) >= 0.3 * len(records)
    assert abs(np.mean(rates) - t["breathing_bpm"]) <= 1.5 and abs(rates[-1] - t["breathing_bpm"]) <= 1.5
    assert [c["code"] for c in summary["cues"]].count("BREATHE_SLOWER") == 1


@pytest.mark.parametrize("stem,side", [("ball_left_floorcam", "left")])
def test_ball_release_sees_the_prone_posture_and_times_the_spot(analysed, stem, side):
    records, summary = analysed(stem)
    prone = sum(f["posture"] == "prone" for f in records) / len(records)
    assert prone >= 0.9
    assert summary["hold_s"][side] >= 0.8 * len(records) / 15.0 - 1.0
    assert [c["code"] for c in summary["cues"]][:1] == ["BALL_START"]


def test_routine_cli_runs_a_clip_headless(tmp_path):
    folder = tmp_path / "session"
    proc = subprocess.run([sys.executable, "-m", "posecoach", "routine", "--video", str(LYING / "rest_sits_up.mp4"),
                           "--no-window", "--mute", "--no-history", "--speed", "2", "--session-dir", str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Constructive rest:" in proc.stdout and "Soft-ball release: not reached" in proc.stdout
    s = json.loads((folder / "summary.json").read_text())
    assert s["routine"]["order"] == ["rest", "lunge", "ball"] and s["exercises"]["rest"]["ran"]
    assert s["cues"][0]["code"] == "ROUTINE_START"
    assert_interface_ok(folder)
    assert "The routine" in (folder / "report.html").read_text()


def test_routine_cli_refuses_a_missing_video(capsys):
    assert main(["routine", "--video", "/nonexistent.mp4", "--no-window"]) == 2
    assert "video not found" in capsys.readouterr().err


def test_truth_bands_follow_the_protocol_convention():
    b = Band(fault=12.0, ok=5.0)
    assert judge_truth({"x": 12.0}, {"C": ("x", b)}, True) == (["C"], [])
    assert judge_truth({"x": 8.0}, {"C": ("x", b)}, True) == ([], ["C"])
    assert judge_truth({"x": 5.0}, {"C": ("x", b)}, True) == ([], [])
    assert judge_truth({"x": 20.0}, {"C": ("x", b)}, False) == ([], ["C"])


def test_a_recorded_routine_moves_on_by_posture(tmp_path):
    """Rest, then kneeling, then face down on the ball, in one video: the routine follows."""
    import cv2
    from session_builders import session

    from posecoach.vision.sources import open_source

    video = tmp_path / "routine.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 15.0, (640, 480))
    parts = [(LYING / "rest_good_floorcam.mp4", 1, 9.0), (SAMPLES / "lunge_good_left.mp4", 2, 6.0),
             (LYING / "ball_left_floorcam.mp4", 1, 6.0)]
    for path, step, seconds in parts:
        cap = cv2.VideoCapture(str(path))
        i = kept = 0
        while kept < seconds * 15:
            ok, img = cap.read()
            if not ok:
                break
            if i % step == 0:
                writer.write(img)
                kept += 1
            i += 1
        cap.release()
    writer.release()
    r = session("routine")  # the product's estimator: masks, quarter turns for lying people
    try:
        for frame in open_source(video):
            r.process(frame)
    finally:
        r.close()
    assert [(s.exercise, s.end_reason) for s in r.stages][:2] == [("rest", "posture"), ("lunge", "posture")]
    assert r.current.exercise == "ball"
    assert 9.0 <= r.stages[1].start_t_ms / 1000 <= 13.0 and 15.0 <= r.stages[2].start_t_ms / 1000 <= 19.0
    s = r.summary().to_json()
    assert s["exercises"]["rest"]["rest_s"] > 3 and s["exercises"]["ball"]["ran"]


def test_the_arched_clip_lifts_the_low_back_and_the_neutral_one_does_not():
    """Truth of issue 14's clips: the tipped pelvis really lifts the lumbar spine off the floor
    (samplegen.lying_arch measures the gap on the body's own surface), the buttocks stay down."""
    def gap(stem, pick):
        rows = [r for r in truth(stem)["per_frame"] if r["posture"] == "supine"]
        return [r["lying_metrics"]["lumbar_gap_cm"] for r in rows if pick(r["lying_metrics"]["pelvic_tilt_lying_deg"])]
    neutral, arched = gap(ARCHED, lambda t: t == 0.0), gap(ARCHED, lambda t: t >= 12.5)
    assert min(arched) >= max(neutral) + 1.5
    flat = gap(NEUTRAL_SPINE, lambda t: t <= -4.5)
    assert max(flat) <= min(gap(NEUTRAL_SPINE, lambda t: t == 0.0))
    hips = [r["lying_metrics"]["hip_height_m"] for r in truth(ARCHED)["per_frame"] if r["posture"] == "supine"]
    assert max(hips) - min(hips) <= 0.02


def test_a_pelvic_tilt_is_for_lying_on_the_back_only(tmp_path):
    from samplegen.scenario import ScenarioError

    path = tmp_path / "x.toml"
    path.write_text('exercise = "ball"\nduration_s = 2.0\n[[keyframes]]\nt = 0.0\nkind = "prone"\n'
                    'pelvic_tilt_deg = 10.0\n')
    with pytest.raises(ScenarioError, match="supine"):
        load_lying_scenario(path)
