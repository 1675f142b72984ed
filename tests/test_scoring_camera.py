"""Scoring by camera azimuth and height (issue 12), on hand-made truth and output."""
from __future__ import annotations

import pytest

from benchmarks import by_camera
from benchmarks.scoring import align, judge_form_3d, score_clip, score_picture_gap, score_view_angle

BANDS = {"KNEE_PAST_ANKLE": ("shin_tilt_deg", 6.0, 15.0), "LEANING_FORWARD": ("trunk_lean_deg", 8.0, 20.0)}
STEP = 100


def truth(i: int, *, shin: float | None = 2.0, trunk: float | None = 0.0, in_lunge: bool = True,
          az: float | None = 30.0, view: float | None = 30.0, shin_2d: float | None = None) -> dict:
    rec = {"frame": i, "t_ms": i * STEP, "person": True, "in_lunge": in_lunge, "view": "oblique",
           "view_deg": view, "camera_azimuth_deg": az,
           "metrics": {"shin_tilt_deg": shin, "trunk_lean_deg": trunk},
           # an oblique truth frame: the file judges form codes only side-on, so they are ambiguous
           "fault": [], "ambiguous": ["KNEE_PAST_ANKLE", "LEANING_FORWARD", "NOT_SIDE_VIEW"]}
    if shin_2d is not None:
        rec["metrics_2d"] = {"shin_tilt_deg": shin_2d, "trunk_lean_deg": trunk}
    return rec


def test_judge_form_3d_judges_every_lunge_frame_by_the_bands() -> None:
    t = [truth(0, shin=20.0, trunk=12.0), truth(1, shin=3.0, trunk=25.0), truth(2, shin=20.0, in_lunge=False),
         truth(3, shin=None)]
    j = judge_form_3d(t, BANDS)
    assert j[0]["fault"] == ["KNEE_PAST_ANKLE"] and "LEANING_FORWARD" in j[0]["ambiguous"]
    assert j[1]["fault"] == ["LEANING_FORWARD"] and "KNEE_PAST_ANKLE" not in j[1]["ambiguous"]
    assert j[2]["fault"] == [] and {"KNEE_PAST_ANKLE", "LEANING_FORWARD"} <= set(j[2]["ambiguous"])
    assert "KNEE_PAST_ANKLE" in j[3]["ambiguous"]
    # codes outside the bands keep their truth; the input is not modified
    assert all("NOT_SIDE_VIEW" in r["ambiguous"] for r in j)
    assert t[0]["fault"] == []


def test_faults_scored_on_the_3d_truth_at_an_oblique_camera() -> None:
    t = [truth(i, shin=20.0 if i >= 10 else 2.0) for i in range(20)]
    out = [{"frame": i, "t_ms": i * STEP, "person": True, "metrics": {},
            "faults": ["KNEE_PAST_ANKLE"] if i >= 12 else [], "cue": None} for i in range(20)]
    assert score_clip("c", t, out).faults["KNEE_PAST_ANKLE"].tp == 0  # file truth: all ambiguous
    f = score_clip("c", judge_form_3d(t, BANDS), out).faults["KNEE_PAST_ANKLE"]
    # frames 10-14 are within 0.5 s of the change: skipped; 15-19 true positives; 0-9 true negatives
    assert (f.tp, f.fn, f.fp, f.tn) == (5, 0, 0, 10)


def test_picture_gap_is_the_2d_truth_against_the_3d_truth() -> None:
    t = [truth(0, shin=2.0, shin_2d=5.0), truth(1, shin=4.0, shin_2d=3.0), truth(2, shin=None, shin_2d=1.0)]
    gap = score_picture_gap(t)["shin_tilt_deg"]
    assert gap.n_truth == 2 and gap.mae == pytest.approx(2.0) and gap.bias == pytest.approx(1.0)
    old = score_picture_gap([truth(0)])  # a truth file written before metrics_2d existed
    assert old["shin_tilt_deg"].n_truth == 0 and old["shin_tilt_deg"].mae is None


def test_view_angle_is_compared_unsigned_with_coverage() -> None:
    t = [truth(0, view=30.0), truth(1, view=30.0), truth(2, view=10.0)]
    frames = [{"frame": 0, "view_angle_deg": -27.0}, {"frame": 1, "view_angle_deg": None}, {"frame": 2, "view_angle_deg": 14.0}]
    s = score_view_angle(align(t, frames))
    assert s.n_truth == 3 and s.n_both == 2
    assert s.mae == pytest.approx(3.5) and s.bias == pytest.approx(0.5)


def test_clip_camera_and_bins() -> None:
    rows = [truth(0, az=29.0), truth(1, az=31.0), truth(2, az=33.0), truth(3, az=-80.0, in_lunge=False)]
    assert by_camera.clip_camera({"per_frame": rows, "camera": {"height_m": 1.2}}) == (31.0, 1.2)
    old = [{"in_lunge": True, "view_deg": 2.0}]  # no camera_azimuth_deg: a square-on old clip
    assert by_camera.clip_camera({"per_frame": old, "camera": {"height_m": 0.65}}) == (0.0, 0.65)
    assert by_camera.clip_camera({"per_frame": [{"in_lunge": True, "view_deg": 12.0}]}) == (None, None)
    assert [by_camera.azimuth_bin(a) for a in (0.4, -4.9, 24.9, 25.0, -35.2, None)] == ["0", "0", "+20", "+30", "-40", "?"]
    assert [by_camera.height_bin(h) for h in (0.3, 0.75, 1.2, None)] == ["low <0.5 m", "mid 0.5-0.95 m", "high >=0.95 m", "?"]


def _clip(name: str, az: float, h: float, err: float) -> by_camera.CameraClip:
    t = [truth(i, shin=2.0, shin_2d=2.0 + err / 2) for i in range(10)]
    out = [{"frame": i, "t_ms": i * STEP, "person": True, "metrics": {"shin_tilt_deg": 2.0 + err}, "faults": [], "cue": None}
           for i in range(10)]
    pc = score_clip(name, judge_form_3d(t, BANDS), out)
    return by_camera.CameraClip(name, az, h, pc, None, score_picture_gap(t))


def test_groups_and_tables_pool_clips_by_azimuth_and_height() -> None:
    clips = [_clip("a", 0.0, 0.3, 1.0), _clip("b", 19.0, 0.75, 2.0), _clip("c", -31.0, 1.2, 6.0), _clip("d", 42.0, 1.2, 8.0)]
    rows = by_camera.groups(clips)
    assert list(rows) == ["az -30", "az 0", "az +20", "az +40", "az +-0-10", "az +-20", "az +-30", "az +-40",
                          "az within 20", "az within 40", "h low <0.5 m", "h mid 0.5-0.95 m", "h high >=0.95 m"]
    assert [c.name for c in rows["az +-30"]] == ["c"] and [c.name for c in rows["az +-0-10"]] == ["a"]
    assert [c.name for c in rows["az within 20"]] == ["a", "b"] and len(rows["az within 40"]) == 4
    table = by_camera.metric_table(rows, ["shin_tilt_deg"])
    line = next(r for r in table if r.startswith("| h high"))
    # c and d pooled: posecoach MAE (6 + 8) / 2 = 7.0, no plain run, picture gap (3 + 4) / 2 = 3.5
    assert "| 2 |" in line and "7.0 / - / 3.5 (1.00/-)" in line
    faults = by_camera.fault_table(rows, ["KNEE_PAST_ANKLE"])
    assert faults[2].startswith("| az -30 | 1 | . \\| -")
