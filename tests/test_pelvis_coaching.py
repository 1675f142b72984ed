"""How pelvic tilt reaches the person: the ANTERIOR_TILT judgement with and without calibration,
the combined hips-forward-and-arched cue, the guided calibration, hands on the hips, two passes."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
from builders import lunge_pose
from mask_builders import draw_trunk
from session_builders import lunge_session
from test_coach import codes, play, state
from test_pelvis import ARCHED, NEUTRAL, TUCKED, posed

from posecoach.core.config import CoachConfig, Settings
from posecoach.core.cues import TEXTS as CUES
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Frame, FrameResult
from posecoach.exercises.lunge import LungeAnalyzer
from posecoach.exercises.lunge_coach import Coach
from posecoach.pelvis.calibration import STEPS, GuidedCalibration
from posecoach.pelvis.model import measure
from posecoach.pelvis.tilt import PelvisTilt
from posecoach.runner.two_pass import ReplayEstimator, first_pass


class FixedPelvis:
    """A stand-in estimator: always `value` degrees, calibrated or not."""

    def __init__(self, value: float, calibrated: bool) -> None:
        self.value, self.calibrated = value, calibrated

    @property
    def threshold_shift_deg(self) -> float:
        return 0.0 if self.calibrated else 7.0

    def update(self, pose, obs, t_ms):
        return self.value


def anterior_frames(pelvis: FixedPelvis, seconds: float = 2.0) -> int:
    an = LungeAnalyzer(Settings(), pelvis=pelvis)
    pose = lunge_pose()
    return sum("ANTERIOR_TILT" in an.update(pose, int(i * 1000 / 30)).faults for i in range(int(seconds * 30)))


def test_uncalibrated_anterior_tilt_needs_a_clearly_anterior_estimate():
    assert anterior_frames(FixedPelvis(8.0, calibrated=True)) > 40
    assert anterior_frames(FixedPelvis(8.0, calibrated=False)) == 0  # 8 deg rough is not clear
    assert anterior_frames(FixedPelvis(14.0, calibrated=False)) > 40


def test_hips_forward_with_an_arched_back_gets_one_combined_cue():
    coach = Coach(CoachConfig(cue_gap_s=2.5, cue_cooldown_s=8))
    cues, _, _ = play(coach, [(1, state("lunge")), (6, state("lunge", ("HIPS_FORWARD", "ANTERIOR_TILT")))])
    assert codes(cues).count("ANTERIOR_TILT") == 1 and "HIPS_FORWARD" not in codes(cues)
    coach2 = Coach(CoachConfig())
    coach2.update(state("lunge"), 0)
    cs = None
    for i in range(1, 40):
        cs = coach2.update(state("lunge", ("HIPS_FORWARD", "ANTERIOR_TILT")), i * 33)
        if cs.cue is not None and cs.cue.code == "ANTERIOR_TILT":
            break
    assert cs is not None and cs.cue is not None and cs.cue.text == CUES["HIPS_FORWARD_ARCHED"]


def test_the_hold_does_not_count_during_the_calibration_tuck_and_arch():
    coach = Coach(CoachConfig(hold_s=30))
    t = 0
    for i in range(90):  # 3 s in the lunge while the calibration asks for a tuck
        cs = coach.update(state("lunge"), t, extra=["CALIB_TUCK"])
        t += 33
    assert cs.hold_s["left"] == 0.0
    for i in range(60):
        cs = coach.update(state("lunge"), t)
        t += 33
    assert cs.hold_s["left"] > 1.5


def guided_run(g: GuidedCalibration, profiles: dict[str, dict], seconds: float = 40.0) -> list[str]:
    """Feed the calibration frames whose outline follows the step it asks for; returns prompts."""
    said: list[str] = []
    samples = {}
    for name, prof in profiles.items():
        t = draw_trunk(**prof)
        pose, _ = posed(t)
        samples[name] = measure(pose, t.hip, t.shoulder, t.facing, 5.0, 0)
    for i in range(int(seconds * 10)):
        t_ms = i * 100
        step = STEPS[g.step][0]
        code = g.update(replace(samples[step], t_ms=t_ms), t_ms)
        if code and (not said or said[-1] != code):
            said.append(code)
        if g.done:
            break
    return said


def test_guided_calibration_asks_for_neutral_tuck_arch_and_learns_a_scale():
    g = GuidedCalibration()
    said = guided_run(g, {"neutral": NEUTRAL, "tuck": TUCKED, "arch": ARCHED})
    assert said == ["CALIB_NEUTRAL", "CALIB_TUCK", "CALIB_ARCH"]
    assert g.done and g.result is not None and g.result.usable
    assert g.result.span_deg > 4 and 0.8 <= g.result.scale <= 1.25


def test_guided_calibration_finds_loose_clothing():
    g = GuidedCalibration()
    guided_run(g, {"neutral": NEUTRAL, "tuck": NEUTRAL, "arch": NEUTRAL})
    assert g.done and g.result is not None and not g.result.usable and g.result.reason == "loose_clothing"


def test_live_estimator_is_silent_while_calibrating_and_says_when_done():
    p = PelvisTilt(guided=True)
    prompts = set()
    for i in range(300):
        step = STEPS[p._guide.step][0] if p.calibrating else "neutral"
        prof = {"neutral": NEUTRAL, "tuck": TUCKED, "arch": ARCHED}[step]
        pose, obs = posed(draw_trunk(**prof))
        value = p.update(pose, obs, i * 100)
        prompts.update(c for c in p.guidance(i * 100, None) if c.startswith("CALIB"))
        if p.calibrating:
            assert value is None and p.last.reason == "calibrating"
        elif p.calibrated:
            break
    assert p.calibrated and prompts == {"CALIB_NEUTRAL", "CALIB_TUCK", "CALIB_ARCH", "CALIB_DONE"}


class DrawnSession:
    """Enough of a Session for first_pass: each frame's outline is drawn from a profile list."""

    def __init__(self, profiles, pelvis):
        self.profiles, self.pelvis = profiles, pelvis

    def process(self, frame: Frame) -> FrameResult:
        pose, obs = posed(draw_trunk(**self.profiles[frame.index]))
        self.pelvis.update(pose, obs, frame.t_ms)
        return SimpleNamespace(pose=pose)

    def close(self):
        pass


def test_two_pass_calibrates_the_frames_before_a_late_neutral_window():
    profiles = [ARCHED] * 10 + [NEUTRAL] * 12 + [TUCKED] * 5
    frames = [Frame(np.zeros((480, 640, 3), np.uint8), i * 100, i) for i in range(len(profiles))]
    pelvis, est = first_pass(frames, lambda pelvis: DrawnSession(profiles, pelvis), (1.0, 2.1))
    assert pelvis.calibrated and isinstance(est, ReplayEstimator)
    assert est.detect(frames[3]).mask is None  # no masks kept
    readings = []
    for i, prof in enumerate(profiles):  # second pass: no mask, the replayed sample is used
        pose, obs = posed(draw_trunk(**prof))
        readings.append(pelvis.update(replace(pose, mask=None), obs, i * 100))
    assert readings[0] > 4 and abs(readings[15]) < 0.5 and readings[-1] < -2


def test_a_session_tells_hands_on_hips_and_records_why_there_is_no_number():
    pose = lunge_pose(facing=-1)
    xy = pose.xy.copy()
    hip = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    for wrist in (L.LEFT_WRIST, L.RIGHT_WRIST):
        xy[wrist] = hip + [5.0, -40.0]  # on the hip, at the waist
    pose = replace(pose, xy=xy, mask=np.zeros((480, 640), np.float32))

    class Still:
        def detect(self, frame):
            return pose

        def close(self):
            pass

    session = lunge_session(Still(), pelvis=PelvisTilt())
    cues, results = [], []
    for i in range(90):
        r = session.process(Frame(np.full((480, 640, 3), 128, np.uint8), i * 33, i))
        results.append(r)
        if r.cue is not None:
            cues.append(r.cue.code)
    assert "HANDS_ON_THIGH" in cues
    last = results[-1]
    assert last.metrics.pelvic_tilt_deg is None
    assert last.to_record()["pelvis"] == {"calibrated": False, "quality": "none", "reason": "hands_on_hips"}
    assert session.summary().pelvis["frames"].get("hands_on_hips", 0) > 60
