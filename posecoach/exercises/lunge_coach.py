"""The coach: turns the analyzer's judgement into phases, a hold timer and one cue at a time.

Phases: setup (come into view, side-on, whole body) -> positioning (get into the lunge) ->
holding -> switch (other side, or rest before a repetition) -> done. With `setup_check` (live)
coaching waits until the setup has been right for a moment - whole body in frame, side-on, big
enough, lit enough - and says so; each problem is named meanwhile. The hold timer counts only
while form is good. Cues are chosen by the cue table's priority (core.pacing): each code has a
cooldown and there is a minimum gap between any two cues, so the person hears one clear
instruction at a time and is not nagged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from posecoach.core.config import MAX_TIMER_STEP_S, CoachConfig
from posecoach.core.cues import PRIORITY
from posecoach.core.pacing import CuePacer
from posecoach.core.protocol import FAULT_CODES, FORM_FAULTS, Fault, Phase, View
from posecoach.core.types import Cue
from posecoach.exercises.lunge import LungeState
from posecoach.exercises.view import PLACEMENT_GOOD_DEG

# The pelvis calibration's tuck and arch are deliberate: the hold does not count meanwhile.
CALIBRATING = frozenset(("CALIB_NEUTRAL", "CALIB_TUCK", "CALIB_ARCH"))
# Scene codes the caller may pass that only matter while the setup is being checked.
SETUP_ONLY = frozenset(("COME_CLOSER",))
# Setup problems the coach can live with after setup_patience_s (the person is seen, side-on).
SOFT_SETUP = frozenset(("COME_CLOSER", "TOO_DARK", "TOO_BRIGHT"))
LIGHT_CODES = frozenset(("TOO_DARK", "TOO_BRIGHT"))  # while these hold, NO_PERSON is not said


@dataclass
class CoachState:
    """What the coach says and shows at one frame."""
    phase: Phase
    cue: Cue | None
    hold_s: dict[str, float]
    side: str | None
    good_form: bool
    active: list[str] = field(default_factory=list)
    # While the setup is being checked: what is still wrong (codes), empty when it is fine.
    setup_issues: list[str] = field(default_factory=list)


class Coach:
    """`update(state, t_ms, ...)` once per analysed frame -> CoachState.

    strings: replacement cue texts (from a plan). The coach never reads a clock: `t_ms` is the
    frame's time, so a replayed video gives the same cues.
    """

    def __init__(self, config: CoachConfig | None = None, strings: dict[str, str] | None = None) -> None:
        self.config = config or CoachConfig()
        self.pacer = CuePacer(strings, default_cooldown_s=self.config.cue_cooldown_s, gap_s=self.config.cue_gap_s,
                              repeat_factor=2.0)  # the same cue back to back waits longer
        self.hold_s = {"left": 0.0, "right": 0.0}
        self.completed: list[str] = []
        self.phase = Phase.SETUP
        self.stopped = False
        self._last_t: int | None = None
        self._absent_since: int | None = None
        self._positioning_since: int | None = None
        self._preferred: str | None = None
        self.pain_t_ms: int | None = None
        self.setup_confirmed = not self.config.setup_check
        self._setup_ok_since: int | None = None
        self._soft_since: int | None = None
        self._setup_cue = "SETUP_OK"
        self._rep_hold = {"left": 0.0, "right": 0.0}  # good-form seconds in the current repetition
        self._rest_side: str | None = None  # just completed: ease out before it counts again
        self._both_hip_faults = False  # ANTERIOR_TILT with HIPS_FORWARD: one combined cue
        self._turn: str | None = None  # which way to turn to show the camera one's side (view.turn_cue)

    # -- user actions -------------------------------------------------------------------------
    def switch_side(self) -> None:
        """The person chose to move on to the other side (key s)."""
        current = self._preferred or "left"
        self._preferred = "right" if current == "left" else "left"

    def stop_for_pain(self, t_ms: int) -> Cue:
        """Pain key: stop at once; the caller shows the professional-help guidance."""
        self.stopped = True
        self.phase = Phase.STOPPED
        self.pain_t_ms = t_ms
        return self.pacer.issue("PAIN_STOP", t_ms, front=self._front())

    # -- per frame ----------------------------------------------------------------------------
    def remaining_sides(self) -> list[str]:
        """The holds still to do, in order (config.sides less the completed ones, as a multiset)."""
        left = list(self.config.sides)
        for s in self.completed:
            if s in left:
                left.remove(s)
        return left

    def setup_issues(self, st: LungeState, extra: list[str]) -> list[str]:
        """What stops a good view of the person, most important first (codes)."""
        light = [c for c in LIGHT_CODES if c in extra]
        issues: list[str]
        if not st.obs.person:
            issues = [] if light else [Fault.NO_PERSON]  # in the dark, "step into view" misleads
        elif st.obs.out_of_frame:
            feet_only = set(st.obs.out_of_frame) <= {"feet", "knees"}
            issues = ["LOWER_CAMERA" if feet_only and not st.obs.lying else "STEP_BACK"]
        else:
            issues = [c for c in ("COME_CLOSER",) if c in extra]
        oblique = st.view_angle_deg is not None and st.view_angle_deg > PLACEMENT_GOOD_DEG
        if st.obs.person and (st.view == View.FRONT or Fault.NOT_SIDE_VIEW in st.faults or oblique):
            issues.append(Fault.NOT_SIDE_VIEW)
        issues.extend(light)
        return sorted(issues, key=lambda c: -PRIORITY.get(c, 0))

    def update(self, st: LungeState, t_ms: int, extra: list[str] | None = None) -> CoachState:
        """extra: guidance codes seen by the caller this frame (e.g. TOO_DARK, ONE_PERSON)."""
        dt = 0.0 if self._last_t is None else min(MAX_TIMER_STEP_S, max(0.0, (t_ms - self._last_t) / 1000.0))
        self._last_t = t_ms
        if self.stopped:
            return CoachState(Phase.STOPPED, None, dict(self.hold_s), None, False)

        form = [f for f in st.faults if f in FORM_FAULTS]
        self._both_hip_faults = Fault.ANTERIOR_TILT in form and Fault.HIPS_FORWARD in form
        self._turn = st.turn
        side = st.front_side if st.in_lunge else None
        remaining = self.remaining_sides()
        extra = list(extra or [])
        self._absent_since = None if st.obs.person else (self._absent_since if self._absent_since is not None else t_ms)
        if not self.setup_confirmed and remaining:
            return self._check_setup(st, t_ms, extra)
        wanted: list[str] = [c for c in extra if c not in SETUP_ONLY]
        good = False
        if not st.in_lunge or side != self._rest_side:
            self._rest_side = None
        if self.config.setup_check and not self.pacer.said_once(self._setup_cue):
            wanted.append(self._setup_cue)  # confirmed on the previous frame; keep it until said
        self.phase = self._phase(st, side, remaining)

        if Fault.NO_PERSON in st.faults and self._absent_since is not None and not LIGHT_CODES & set(extra) \
                and t_ms - self._absent_since >= self.config.no_person_cue_after_s * 1000:
            wanted.append(Fault.NO_PERSON)
        if st.obs.person and st.obs.out_of_frame:
            feet_only = set(st.obs.out_of_frame) <= {"feet", "knees"}
            wanted.append("LOWER_CAMERA" if feet_only and not st.obs.lying else "STEP_BACK")
        if Fault.NOT_SIDE_VIEW in st.faults:
            wanted.append(Fault.NOT_SIDE_VIEW)

        if self.phase == Phase.HOLDING and side is not None:
            # speak only the faults the analyzer calls clear (past the fault line), if it says
            cueable = form if st.cue_faults is None else [f for f in form if f in st.cue_faults]
            wanted.extend(cueable)
            if Fault.ANTERIOR_TILT in cueable and Fault.HIPS_FORWARD in cueable:
                wanted.remove(Fault.HIPS_FORWARD)  # one cue for both: hips back and tailbone tucked
            good = not form and st.view == View.SIDE and not CALIBRATING & set(extra)
            if good:
                before = self._rep_hold[side]
                self._rep_hold[side] = before + dt
                self.hold_s[side] += dt
                held, target = self._rep_hold[side], self.config.hold_s
                # HOLD_START is wanted for the first seconds (said once), so a cue just before
                # (e.g. SETUP_OK) delays it rather than swallowing it.
                wanted.append("HOLD_START" if before < 4.0 else "GOOD_FORM")
                # Wanted over a window (said once), so a cue just before cannot swallow it.
                if target >= 15 and target - 10 <= held < target - 3:
                    wanted.append("TEN_SECONDS")
                if held >= target:
                    self.completed.append(side)
                    self._rep_hold[side] = 0.0
                    self._rest_side = side
                    wanted.append("HOLD_COMPLETE" if self.remaining_sides() else "ALL_DONE")
                    self.pacer.allow_again("HOLD_START", "TEN_SECONDS", "SWITCH_SIDES", "NEXT_REP")
        elif self.phase == Phase.SWITCH and (not st.in_lunge or self._rest_side is not None):
            nxt = remaining[0] if remaining else None
            same = nxt is not None and self.completed and nxt == self.completed[-1]
            if not st.in_lunge or not same:
                wanted.append("NEXT_REP" if same else "SWITCH_SIDES")
        elif self.phase == Phase.POSITIONING:
            self._positioning_since = self._positioning_since or t_ms
            if t_ms - self._positioning_since > 3000:
                wanted.append("GET_INTO_POSITION")
        if self.phase != Phase.POSITIONING:
            self._positioning_since = None
        if self.phase == Phase.DONE and not self.pacer.said_once("ALL_DONE"):
            wanted.append("ALL_DONE")

        cue = self._choose(wanted, t_ms)
        return CoachState(self.phase, cue, dict(self.hold_s), side, good, active=sorted(set(wanted)))

    def _check_setup(self, st: LungeState, t_ms: int, extra: list[str]) -> CoachState:
        """Before coaching (setup_check): name what to change until the view has been good for
        setup_confirm_s, then confirm it ("Good, I can see all of you") and start coaching."""
        self.phase = Phase.SETUP
        issues = self.setup_issues(st, extra)
        wanted = [c for c in extra if c not in SETUP_ONLY and c not in issues]
        # an oblique camera that can still be coached is a soft problem too
        seen = st.obs.person and all(c in SOFT_SETUP or (c == Fault.NOT_SIDE_VIEW and st.view == View.SIDE)
                                     for c in issues)
        soft_since = (t_ms if self._soft_since is None else self._soft_since) if seen else None
        self._soft_since = soft_since
        if issues and soft_since is not None and t_ms - soft_since >= self.config.setup_patience_s * 1000:
            self.setup_confirmed = True  # only soft problems, for long enough: coach anyway
            self._setup_cue = "SETUP_ANYWAY"
            wanted.append("SETUP_ANYWAY")
        elif issues:
            self._setup_ok_since = None
            if issues[0] != Fault.NO_PERSON or (self._absent_since is not None and t_ms - self._absent_since
                                             >= self.config.no_person_cue_after_s * 1000):
                wanted.append(issues[0])  # one thing to change at a time
        else:
            self._setup_ok_since = t_ms if self._setup_ok_since is None else self._setup_ok_since
            if t_ms - self._setup_ok_since >= self.config.setup_confirm_s * 1000:
                self.setup_confirmed = True
                wanted.append("SETUP_OK")
        cue = self._choose(wanted, t_ms)
        return CoachState(Phase.SETUP, cue, dict(self.hold_s), None, False, active=sorted(set(wanted)),
                          setup_issues=issues)

    def _phase(self, st: LungeState, side: str | None, remaining: list[str]) -> Phase:
        if not remaining:
            return Phase.DONE
        if not st.obs.person or st.obs.out_of_frame or st.view == View.FRONT:
            return Phase.SETUP
        if st.in_lunge and side in remaining and self._rest_side is None:
            return Phase.HOLDING
        return Phase.SWITCH if self.completed else Phase.POSITIONING

    # -- cue pacing ---------------------------------------------------------------------------
    def _front(self) -> str:
        """The leg to put forward next, for the texts that name it."""
        remaining = self.remaining_sides()
        if self._preferred in remaining:
            return str(self._preferred)
        return remaining[0] if remaining else "left"

    def _choose(self, wanted: list[str], t_ms: int) -> Cue | None:
        # ANTERIOR_TILT with HIPS_FORWARD is one message: pushing the hips forward is what arches
        # the back; saying it also counts as saying HIPS_FORWARD.
        texts: dict[str, str] = {Fault.ANTERIOR_TILT: "HIPS_FORWARD_ARCHED"} if self._both_hip_faults else {}
        if self._turn is not None:  # which way to turn, rather than only "turn sideways"
            texts[Fault.NOT_SIDE_VIEW] = self._turn
        cue = self.pacer.choose(wanted, t_ms, texts=texts, front=self._front())
        if cue is not None and cue.code == Fault.ANTERIOR_TILT and self._both_hip_faults:
            self.pacer.mark(Fault.HIPS_FORWARD, t_ms)
        if cue is not None and cue.code in ("SWITCH_SIDES", "NEXT_REP"):
            self.pacer.allow_again("HOLD_COMPLETE")
        return cue

    @staticmethod
    def is_fault_cue(code: str) -> bool:
        return code in FAULT_CODES
