"""The kneeling lunge as a session: pose -> lunge judgement (exercises.lunge) -> coach
(exercises.lunge_coach), with the pelvic-tilt reader and the picture checks (vision.scene).
"""
from __future__ import annotations

from posecoach.control.commands import END, SWITCH_SIDE
from posecoach.core.protocol import FORM_FAULTS, Phase
from posecoach.core.types import Cue, CueEvent, Frame, FrameResult, LungeNotes, Pose
from posecoach.exercises.lunge import LungeAnalyzer, LungeState
from posecoach.exercises.lunge_coach import Coach, CoachState
from posecoach.sessions.protocol import SessionContext, SingleExercise
from posecoach.sessions.summary import LungeSummary, fraction, rounded
from posecoach.vision.scene import SteadyScene


class LungeSession(SingleExercise):
    """One kneeling lunge over a stream of frames: `process(frame)`, or `ctx.estimator.detect(frame)`
    then `judge(frame, pose)` (analyze judges on another thread while the next frame is detected)."""
    exercise = "lunge"
    coach: Coach

    def __init__(self, ctx: SessionContext) -> None:
        self.ctx = ctx
        self.pelvis = ctx.make_pelvis()
        self.analyzer = LungeAnalyzer(ctx.settings, pelvis=self.pelvis)
        self.coach = Coach(ctx.settings.coach, ctx.strings)
        self.frames = 0
        self.detected = 0
        self.good_frames = 0
        self.lunge_frames = 0
        self.cues: list[CueEvent] = []
        self._scene = SteadyScene()

    def judge(self, frame: Frame, pose: Pose) -> FrameResult:
        st: LungeState = self.analyzer.update(pose, frame.t_ms)
        extra = self._scene.update(frame, pose)
        # calibration prompts, "hands on your front thigh"
        extra += self.pelvis.guidance(frame.t_ms, self.cues[-1].code if self.cues else None)
        cs: CoachState = self.coach.update(st, frame.t_ms, extra=extra)
        self.frames += 1
        self.detected += int(pose.present)
        if st.in_lunge:
            self.lunge_frames += 1
            self.good_frames += int(not any(f in FORM_FAULTS for f in st.faults))
        if cs.cue is not None:
            self.cues.append(CueEvent.of(cs.cue))
        self.ctx.judged()
        setup = cs.phase == Phase.SETUP and not self.coach.setup_confirmed
        notes = LungeNotes(in_lunge=st.in_lunge, good_form=cs.good_form, people=pose.num_people,
                           pelvis=self.pelvis.note(frame.t_ms), setup_issues=cs.setup_issues if setup else None,
                           camera_azimuth_deg=st.camera_azimuth_deg)
        return FrameResult(frame=frame.index, t_ms=frame.t_ms, person=pose.present, view=st.view,
                           front_side=st.front_side, phase=cs.phase, metrics=st.metrics, faults=st.faults,
                           cue=cs.cue, hold_s=cs.hold_s, pose=pose, notes=notes, view_angle_deg=st.view_angle_deg)

    def summary(self) -> LungeSummary:
        return LungeSummary(
            frames=self.frames, detected_fraction=fraction(self.detected, self.frames),
            hold_s=rounded(self.coach.hold_s), good_form_fraction=fraction(self.good_frames, self.lunge_frames),
            cues=list(self.cues), pain_stop=self.coach.pain_t_ms is not None, pain_stop_t_ms=self.coach.pain_t_ms,
            lunge_frames=self.lunge_frames, sides_completed=list(self.coach.completed),
            pelvis=self.pelvis.summary())

    def move_on(self) -> str:
        """The other side while holds remain after this one, else the end."""
        return SWITCH_SIDE if len(self.coach.remaining_sides()) > 1 else END

    def stop_for_pain(self, t_ms: int) -> Cue:
        """The pain stop: the coach stops at once; the stop is recorded with its time."""
        cue = self.coach.stop_for_pain(t_ms)
        self.cues.append(CueEvent.of(cue))
        return cue


class PlacementSession(LungeSession):
    """`posecoach setup`: only the setup check of a live lunge session (whole body in view, side-on
    within the placement angle, close enough, lit), said by voice one thing at a time; done once the
    coach has confirmed the setup."""
    exercise = "setup"

    @property
    def phase(self) -> Phase:
        confirmed = self.coach.setup_confirmed and any(c.code in ("SETUP_OK", "SETUP_ANYWAY") for c in self.cues)
        return Phase.DONE if confirmed else self.coach.phase
