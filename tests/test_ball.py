"""Soft-ball release: prone detection and the spot/side timer as table-driven sequences."""
import pytest
from lying_builders import (
    cue_codes,
    prone_pose,
    run_floor_coach,
    supine_pose,
    upright_pose,
)

from posecoach.core.types import Pose
from posecoach.exercises.ball import BallAnalyzer, BallCoach, BallConfig

PRONE, SUPINE, UP, GONE = prone_pose(), supine_pose(), upright_pose("standing"), Pose.empty((640, 480))


def coach_run(steps, config=BallConfig(spot_s=30.0), fps=10.0, keys=None):
    """steps: [(pose, seconds)]; keys: {t_s: 's'|'p'} -> (coach, [(t_s, phase, code)], state)."""
    c = BallCoach(config)
    return (c, *run_floor_coach(BallAnalyzer(), c, steps, fps, keys))


codes = cue_codes


def test_prone_is_detected_and_supine_is_not():
    a = BallAnalyzer()
    for i in range(15):
        st = a.update(PRONE, i * 33)
    assert st.prone and st.view == "side" and st.interface_faults == []
    for i in range(15, 30):
        st = a.update(SUPINE, i * 33)
    assert not st.prone and st.posture == "supine"


def test_both_sides_are_timed_with_a_pause_between_and_one_reminder_each():
    c, cues, cs = coach_run([(PRONE, 30.5), (PRONE, 9.0), (PRONE, 31.0)])
    assert cs.phase == "done"
    assert c.p.hold_s["left"] == pytest.approx(30.0, abs=0.3)
    assert c.p.hold_s["right"] == pytest.approx(30.0, abs=0.3)
    assert codes(cues) == ["BALL_START", "BALL_NO_PRESS", "BALL_TEN_SECONDS", "BALL_SWITCH_SIDE",
                           "BALL_START", "BALL_NO_PRESS", "BALL_TEN_SECONDS", "BALL_COMPLETE"]
    assert c.p.spots_done == [("left", 1, 30.0), ("right", 1, 30.0)]


def test_two_spots_per_side_and_the_key_moves_on_early():
    cfg = BallConfig(spot_s=30.0, spots_per_side=2, sides=("right",))
    c, cues, cs = coach_run([(PRONE, 45.0)], cfg, keys={10.0: "s"})
    assert codes(cues)[:2] == ["BALL_START", "BALL_NEXT_SPOT"] and "BALL_GET_INTO_POSITION" not in codes(cues)
    assert cs.phase == "releasing" and [s[:2] for s in c.p.spots_done] == [("right", 1)]
    assert c.p.spots_done[0][2] == pytest.approx(10.0, abs=0.3)
    assert c.p.spot_s == pytest.approx(45.0 - 10.0 - cfg.settle_s, abs=0.3)


def test_timer_stops_when_the_person_gets_up_and_the_pain_key_stops_everything():
    c, cues, cs = coach_run([(PRONE, 10.0), (UP, 5.0)])
    assert cs.phase == "paused" and "BALL_GOT_UP" in codes(cues)
    assert c.p.spot_s == pytest.approx(10.0, abs=0.5)
    c, cues, cs = coach_run([(PRONE, 10.0), (PRONE, 5.0)], keys={12.0: "p"})
    assert codes(cues)[-1] == "PAIN_STOP" and cs.phase == "stopped"
    assert c.p.spot_s == pytest.approx(12.0, abs=0.3)


def test_lying_on_the_back_is_asked_to_turn_face_down_and_nobody_gets_the_setup_hint():
    c, cues, cs = coach_run([(SUPINE, 4.0)])
    assert cs.phase == "positioning" and codes(cues) == ["BALL_GET_INTO_POSITION"]
    assert "left front hip bone" in c.pacer.last.text
    c, cues, cs = coach_run([(GONE, 5.0)])
    assert codes(cues) == ["LYING_SETUP"]


@pytest.mark.parametrize("kwargs", [dict(spot_s=20), dict(spot_s=90), dict(spots_per_side=0), dict(sides=("up",))])
def test_config_outside_the_protocol_is_refused(kwargs):
    with pytest.raises(ValueError):
        BallConfig(**kwargs)
