"""The routine's flow as table-driven sequences of constructed poses (no model needed)."""
from dataclasses import replace

import numpy as np
import pytest
from builders import lunge_pose
from lying_builders import prone_pose, supine_pose, upright_pose
from session_builders import NoEstimator, session

from posecoach.core.config import Settings
from posecoach.core.types import Frame, Pose
from posecoach.exercises.ball import BallConfig
from posecoach.exercises.rest_coach import RestConfig
from posecoach.sessions.routine import RoutineSession

SUPINE, PRONE, SIT = supine_pose(), prone_pose(), upright_pose("sitting")
LEFT, RIGHT = lunge_pose(front="left"), lunge_pose(front="right")
GONE = Pose.empty((640, 480))
IMAGE = np.full((480, 640, 3), 128, np.uint8)


def routine(**kw) -> RoutineSession:
    settings = Settings()
    settings = replace(settings, coach=replace(settings.coach, hold_s=10.0))
    configs = {"rest": RestConfig(target_s=30.0), "ball": BallConfig(spot_s=30.0, sides=("left",))}
    return session("routine", NoEstimator(), settings, configs, **kw)


def play(r: RoutineSession, steps, fps: float = 10.0, t0: int = 0):
    """steps: [(pose, seconds)] or [(pose, seconds, key at the start)] -> (t_ms, [(t_s, stage, code)])."""
    t, cues, i = t0, [], 0
    for step in steps:
        pose, seconds, *key = step
        if key == ["n"]:
            r.next_exercise(t)
        elif key == ["p"]:
            cue = r.stop_for_pain(t)
            cues.append((t / 1000, r.current.exercise, cue.code))
        for _ in range(int(seconds * fps)):
            res = r.judge(Frame(IMAGE, t, i), pose)
            if res.cue:
                cues.append((t / 1000, res.notes.exercise, res.cue.code))
            t += int(1000 / fps)
            i += 1
    return t, cues


def stages(r):
    return [(s.exercise, s.end_reason) for s in r.stages]


def test_the_whole_routine_runs_in_order_with_transitions():
    r = routine()
    _, cues = play(r, [(SUPINE, 34), (SIT, 3), (LEFT, 13), (RIGHT, 13), (PRONE, 33)])
    assert stages(r) == [("rest", "completed"), ("lunge", "completed"), ("ball", "completed")]
    codes = [c for _, _, c in cues]
    assert codes[0] == "ROUTINE_START"
    for a, b in (("REST_COMPLETE", "NEXT_LUNGE"), ("NEXT_LUNGE", "NEXT_BALL"), ("NEXT_BALL", "ROUTINE_COMPLETE")):
        assert codes.index(a) < codes.index(b)
    assert r.done and r.phase == "done"
    s = r.summary().to_json()
    assert s["routine"]["completed"] and set(s["exercises"]) == {"rest", "lunge", "ball"}
    assert s["exercises"]["rest"]["rest_s"] == pytest.approx(30.0, abs=0.5)
    assert s["exercises"]["lunge"]["sides_completed"] == ["left", "right"]
    assert s["exercises"]["ball"]["hold_s"]["left"] == pytest.approx(30.0, abs=0.5)
    assert s["hold_s"] == s["exercises"]["lunge"]["hold_s"]


@pytest.mark.parametrize("steps,expected", [
    # kneeling into the lunge during rest moves on after ~3 s
    ([(SUPINE, 5), (LEFT, 3.5)], [("rest", "posture"), ("lunge", None), ("ball", None)]),
    # a brief kneel (2 s) does not
    ([(SUPINE, 5), (LEFT, 2), (SUPINE, 2)], [("rest", None), ("lunge", None), ("ball", None)]),
    # lying face down during the lunge moves on to the ball
    ([(SUPINE, 5, "n"), (LEFT, 5), (PRONE, 3.5)], [("rest", "key"), ("lunge", "posture"), ("ball", None)]),
    # the key skips through everything
    ([(SUPINE, 1, "n"), (GONE, 1, "n"), (GONE, 1, "n")], [("rest", "key"), ("lunge", "key"), ("ball", "key")]),
])
def test_moving_on_by_posture_or_key(steps, expected):
    r = routine()
    play(r, steps)
    assert stages(r) == expected


def test_pain_stops_the_whole_routine():
    r = routine()
    _, cues = play(r, [(SUPINE, 5, "n"), (LEFT, 5), (LEFT, 2, "p"), (PRONE, 5)])
    assert r.stopped and r.phase == "stopped" and r.current.exercise == "lunge"
    assert stages(r)[1] == ("lunge", "pain")
    assert [c for c in cues if c[2] == "PAIN_STOP"]
    s = r.summary().to_json()
    assert s["pain_stop"] and not s["routine"]["completed"] and not s["exercises"]["ball"]["ran"]


def test_a_plan_order_is_followed():
    r = routine(order=("lunge", "ball"))
    play(r, [(LEFT, 15), (RIGHT, 12)])
    assert stages(r)[0] == ("lunge", "completed") and r.current.exercise == "ball"
    with pytest.raises(ValueError):
        routine(order=("yoga",))


def test_a_plan_chooses_the_exercises_their_order_and_times(tmp_path):
    from posecoach.commands.routine import routine_plan
    plan = tmp_path / "plan.toml"
    plan.write_text('[[exercises]]\nname = "ball_release"\nhold_s = 40\nsides = ["right"]\nrepetitions = 2\n\n'
                    '[[exercises]]\nname = "constructive_rest"\nhold_s = 120\n')
    _, _, order, configs = routine_plan(plan)
    assert order == ["ball", "rest"]
    assert configs["rest"].target_s == 120.0
    ball = configs["ball"]
    assert (ball.spot_s, ball.sides, ball.spots_per_side) == (40.0, ("right",), 2)
    _, _, order, configs = routine_plan(None, rest_minutes=7)
    assert order == ["rest", "lunge", "ball"] and configs["rest"].target_s == 420.0
