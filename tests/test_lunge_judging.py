"""Judgement details tuned on the ground truth: what is spoken, when metrics are withheld, how a
stream starts, and the landmark -> joint-centre corrections (constructed poses, no model)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from builders import facing_camera_pose, feed, lunge_pose

from posecoach.core import geometry as g
from posecoach.core.config import Settings
from posecoach.core.types import Pose
from posecoach.exercises import joints as J
from posecoach.exercises.lunge import LungeAnalyzer


def test_a_fault_between_the_bands_is_shown_but_not_spoken() -> None:
    """Shin tilt 13 deg: past the decision point (mid-band) but short of the protocol's fault
    line (15): shown as a fault, never offered to the coach as a cue."""
    a = LungeAnalyzer(Settings(plain=False))
    states, _ = feed(a, lunge_pose(shin_tilt=13.0), 2.0)
    shown = [s for s in states if "KNEE_PAST_ANKLE" in s.faults]
    assert shown, "13 deg is past the band's decision point"
    assert all("KNEE_PAST_ANKLE" not in (s.cue_faults or []) for s in states)


def test_a_clear_fault_becomes_speakable_after_its_debounce() -> None:
    a = LungeAnalyzer(Settings())
    states, _ = feed(a, lunge_pose(shin_tilt=24.0), 1.5)
    first_shown = next(i for i, s in enumerate(states) if "KNEE_PAST_ANKLE" in s.faults)
    first_cue = next(i for i, s in enumerate(states) if "KNEE_PAST_ANKLE" in (s.cue_faults or []))
    assert first_cue >= first_shown
    assert (first_cue + 1) / 30.0 <= 0.6  # debounce (0.2 s) + the kneeling vote, well under the lag budget


def test_plain_baseline_lets_every_fault_be_cued() -> None:
    a = LungeAnalyzer(Settings(plain=True))
    states, _ = feed(a, lunge_pose(shin_tilt=13.0), 0.5)
    assert all(s.cue_faults is None for s in states)


def test_no_metrics_while_facing_the_camera() -> None:
    a = LungeAnalyzer(Settings())
    states, _ = feed(a, facing_camera_pose(), 1.0)
    assert states[-1].view == "front" and "NOT_SIDE_VIEW" in states[-1].faults
    assert states[-1].metrics.front_knee_angle_deg is None


def test_a_stream_that_starts_empty_says_so_at_the_first_frame() -> None:
    a = LungeAnalyzer(Settings())
    first = a.update(Pose.empty((640, 480)), 0)
    assert "NO_PERSON" in first.faults
    # ...but a later single dropout is still debounced
    b = LungeAnalyzer(Settings())
    feed(b, lunge_pose(), 1.0)
    assert "NO_PERSON" not in b.update(Pose.empty((640, 480)), 1000).faults


def test_offsets_move_joints_in_the_persons_frame_by_segment_lengths() -> None:
    off = J.Offsets(hip_front=(-0.1, 0.0), hip_back=(0.0, 0.0), knee_front=(0.0, 0.0), knee_back=(0.0, 0.0),
                    ankle=(0.0, -0.1), shoulder=(0.0, -0.1))
    for facing in (1, -1):
        pose = lunge_pose(knee_deg=90, shin_tilt=0, trunk_lean=0, facing=facing, scale=100.0)
        raw = J.joint_centres(pose, "left", facing, corrected=False)
        cor = J.joint_centres(pose, "left", facing, offsets=off)
        thigh = g.distance(raw.front_hip, raw.front_knee)
        shin = g.distance(raw.front_knee, raw.front_ankle)
        # hip 0.1 thigh backwards (against the facing direction), trunk upright
        assert cor.front_hip - raw.front_hip == pytest.approx([-facing * 0.1 * thigh, 0.0], abs=1e-6)
        # ankle 0.1 shin lower in the picture (y down)
        assert cor.front_ankle - raw.front_ankle == pytest.approx([0.0, 0.1 * shin], abs=1e-6)
        trunk = g.distance(raw.mid_hip, raw.mid_shoulder)
        assert cor.mid_shoulder[1] - raw.mid_shoulder[1] == pytest.approx(0.1 * trunk, rel=0.05)


def test_knee_offset_follows_the_bend_and_vanishes_on_a_straight_leg() -> None:
    hip, knee = np.array([0.0, 0.0]), np.array([100.0, 0.0])  # thigh horizontal, facing +x
    ankle = np.array([100.0, 100.0])                           # shin straight down: 90 deg knee
    out, across = J.knee_axes(hip, knee, ankle)
    assert out == pytest.approx([math.sqrt(0.5), -math.sqrt(0.5)])  # forward and up, out of the bend
    assert float(across @ (hip - knee)) > 0
    assert J.flexion_weight(hip, knee, ankle) == pytest.approx(1.0)
    assert J.flexion_weight(hip, knee, np.array([200.0, 0.0])) == pytest.approx(0.0, abs=1e-9)


def test_default_offsets_stay_small_and_physical() -> None:
    """Fitted corrections are a few percent of a segment: anything larger is a fitting error."""
    d = J.DEFAULT_OFFSETS
    for v in (d.hip_front, d.hip_back, d.knee_front, d.knee_back, d.ankle, d.shoulder):
        assert max(abs(v[0]), abs(v[1])) <= 0.15
    assert d.hip_front[0] < 0 and d.shoulder[1] < 0 and d.ankle[1] < 0  # hip ahead, shoulder and ankle high


def test_a_reading_withheld_for_a_few_frames_keeps_the_fault_and_a_longer_gap_resets_it() -> None:
    """FaultJudge(hold_missing_ms): a fault that is on stays on (and listed) through a gap in its
    measurement up to the hold; past it, or without a hold, the gap resets the fault."""
    from posecoach.core.config import default_bands
    from posecoach.exercises.judging import FaultJudge

    band = default_bands()["KNEE_PAST_ANKLE"]
    bands = {"KNEE_PAST_ANKLE": ("shin_tilt_deg", band)}
    fault = band.fault + 5.0

    def run(hold: float, gap_frames: int) -> list[list[str]]:
        judge = FaultJudge(bands, on_ms=200, off_ms=300, hold_missing_ms=hold)
        out = []
        for i in range(60):
            v = None if 30 <= i < 30 + gap_frames else fault
            out.append(judge.update({"shin_tilt_deg": v}, True, i * 33))
        return out

    held = run(500.0, 10)  # 330 ms withheld
    assert all("KNEE_PAST_ANKLE" in f for f in held[10:])
    long_gap = run(500.0, 20)  # 660 ms: past the hold
    assert "KNEE_PAST_ANKLE" not in long_gap[46] and "KNEE_PAST_ANKLE" in long_gap[59]
    no_hold = run(0.0, 10)
    assert not no_hold[30] and "KNEE_PAST_ANKLE" not in no_hold[40] and "KNEE_PAST_ANKLE" in no_hold[59]
