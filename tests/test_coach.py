"""The coach as table-driven frame sequences: phases, hold timer, cue priority and pacing."""
from __future__ import annotations

from posecoach.core.config import CoachConfig
from posecoach.core.types import Metrics
from posecoach.exercises.lunge import LungeState, Observation
from posecoach.exercises.lunge_coach import Coach

FPS = 30


def state(kind: str, faults: tuple[str, ...] = (), side: str = "left") -> LungeState:
    """kind: 'absent', 'front', 'standing', 'lunge', 'partial'."""
    if kind == "absent":
        return LungeState(Observation(person=False), "unknown", 0, None, False, Metrics(), ["NO_PERSON"])
    obs = Observation(person=True, out_of_frame=["feet"] if kind == "partial" else [])
    view = "front" if kind == "front" else "side"
    in_lunge = kind == "lunge"
    flist = list(faults) + (["NOT_SIDE_VIEW"] if kind == "front" else [])
    return LungeState(obs, view, 1, side if in_lunge else None, in_lunge, Metrics(), flist)


def play(coach: Coach, script: list[tuple[float, LungeState]], t0: int = 0):
    """Feed (seconds, state) segments at 30 fps; returns (cues [(t_s, code)], last CoachState, t)."""
    cues, t, last = [], t0, None
    for seconds, st in script:
        for _ in range(int(seconds * FPS)):
            last = coach.update(st, t)
            if last.cue is not None:
                cues.append((t / 1000.0, last.cue.code))
            t += 1000 // FPS
    return cues, last, t


def codes(cues):
    return [c for _, c in cues]


def test_hold_counts_only_while_form_is_good():
    coach = Coach(CoachConfig(hold_s=30))
    _, cs, _ = play(coach, [(5, state("lunge")), (4, state("lunge", ("HIPS_FORWARD",))), (5, state("lunge"))])
    assert cs.phase == "holding"
    assert 9.5 <= cs.hold_s["left"] <= 10.1 and cs.hold_s["right"] == 0


def test_a_fault_is_cued_once_then_after_its_cooldown_not_every_frame():
    coach = Coach(CoachConfig(cue_cooldown_s=8))
    cues, _, _ = play(coach, [(1, state("lunge")), (20, state("lunge", ("KNEE_PAST_ANKLE",)))])
    times = [t for t, c in cues if c == "KNEE_PAST_ANKLE"]
    assert times and times[0] <= 1.1
    assert len(times) == 2 and times[1] - times[0] >= 16  # back to back the cooldown doubles


def test_one_cue_at_a_time_by_priority_with_a_gap():
    coach = Coach(CoachConfig(cue_gap_s=2.5))
    cues, _, _ = play(coach, [(1, state("lunge")), (6, state("lunge", ("LEANING_FORWARD", "ANTERIOR_TILT")))])
    faults = [(t, c) for t, c in cues if c in ("LEANING_FORWARD", "ANTERIOR_TILT")]
    assert [c for _, c in faults] == ["ANTERIOR_TILT", "LEANING_FORWARD"]
    assert faults[1][0] - faults[0][0] >= 2.5


def test_both_sides_then_done():
    coach = Coach(CoachConfig(hold_s=10))
    script = [(2, state("standing")), (11, state("lunge", side="left")), (3, state("standing")),
              (11, state("lunge", side="right")), (1, state("standing"))]
    cues, cs, _ = play(coach, script)
    c = codes(cues)
    assert c.index("HOLD_COMPLETE") < c.index("SWITCH_SIDES") < c.index("ALL_DONE")
    assert cs.phase == "done" and coach.completed == ["left", "right"]


def test_nobody_in_view_is_cued_only_after_a_grace_period():
    coach = Coach(CoachConfig(no_person_cue_after_s=2.0))
    cues, cs, _ = play(coach, [(1.5, state("absent"))])
    assert cues == [] and cs.phase == "setup"
    cues, _, _ = play(coach, [(1.0, state("absent"))], t0=1500)
    assert codes(cues) == ["NO_PERSON"]


def test_setup_guidance_for_feet_out_of_frame_and_front_view():
    coach = Coach()
    cues, cs, _ = play(coach, [(1, state("partial"))])
    assert codes(cues)[:1] == ["LOWER_CAMERA"] and cs.phase == "setup"
    coach = Coach()
    cues, _, _ = play(coach, [(1, state("front"))])
    assert codes(cues)[:1] == ["NOT_SIDE_VIEW"]


def test_pain_stops_everything():
    coach = Coach()
    play(coach, [(2, state("lunge"))])
    cue = coach.stop_for_pain(5000)
    assert cue.code == "PAIN_STOP"
    _, cs, _ = play(coach, [(2, state("lunge"))], t0=5000)
    assert cs.phase == "stopped" and cs.cue is None


def test_plan_strings_replace_cue_texts():
    coach = Coach(strings={"KNEE_PAST_ANKLE": "Knie zurück über den Knöchel."})
    cues, _, _ = play(coach, [(1, state("lunge", ("KNEE_PAST_ANKLE",)))])
    assert coach.pacer.last is not None and coach.pacer.last.text == "Knie zurück über den Knöchel."
