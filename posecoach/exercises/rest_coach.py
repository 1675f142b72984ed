"""The constructive-rest coach: a 5-10 minute timer and a few calm words.

Phases: setup (camera and view) -> positioning (lie down on the back) -> resting (timer counts
while the position is good) -> paused (the person sat or stood up after starting) -> done; or
stopped (pain key). Corrections come at most every 30 s per code, a gentle prompt every ~90 s of
rest, "breathe slower" at most every 90 s while the rate stays above `fast_bpm`.

Lying people are detected less reliably than upright ones, so a short detection gap (`grace_s`)
while resting neither stops the timer nor triggers "step into view".
"""
from __future__ import annotations

from dataclasses import dataclass

from posecoach.core.config import REST_S
from posecoach.core.pacing import CuePacer
from posecoach.core.protocol import Fault, Phase, View
from posecoach.core.types import Cue
from posecoach.exercises.floor_coach import (
    SETUP_COOLDOWN_S,
    FloorCoachBase,
    FloorCoachState,
)
from posecoach.exercises.rest import REST_FAULTS, UP_POSTURES, RestState

PROMPTS = ("REST_PROMPT_1", "REST_PROMPT_2", "REST_PROMPT_3", "REST_PROMPT_4")


@dataclass(frozen=True)
class RestConfig:
    """target_s: rest time (protocol: 5-10 min). prompt_every_s: seconds of rest between gentle
    prompts. fast_bpm: breaths per minute above which slower breathing is suggested."""
    target_s: float = 300.0
    prompt_every_s: float = 90.0
    fast_bpm: float = 20.0
    correction_cooldown_s: float = 30.0
    breathe_cooldown_s: float = 90.0
    gap_s: float = 6.0
    grace_s: float = 5.0
    setup_cue_after_s: float = 3.0

    def __post_init__(self) -> None:
        REST_S.check(self.target_s, "rest target_s")


class RestCoach(FloorCoachBase):
    """`update(state, t_ms)` once per analysed frame -> FloorCoachState. Never reads a clock."""
    config: RestConfig

    def __init__(self, config: RestConfig | None = None, strings: dict[str, str] | None = None) -> None:
        self.config = c = config or RestConfig()
        cooldown = {code: c.correction_cooldown_s for code in (*REST_FAULTS, "GOT_UP", Fault.NOT_SIDE_VIEW)}
        cooldown.update(SETUP_COOLDOWN_S, BREATHE_SLOWER=c.breathe_cooldown_s)
        self.pacer = CuePacer(strings, cooldown_s=cooldown, default_cooldown_s=c.prompt_every_s, gap_s=c.gap_s)
        self.timer_s = 0.0
        self._start()
        self.completed: list[str] = []
        self.fast_breathing_s = 0.0
        self._next_prompt_s = c.prompt_every_s
        self._prompt_i = 0

    # -- per frame --------------------------------------------------------------------------
    def update(self, st: RestState, t_ms: int) -> FloorCoachState:
        c = self.config
        person = st.obs.person
        dt, absent_s = self._tick(t_ms, person)
        if self.stopped:
            return self._state(None, False)
        wanted: list[str] = []
        good = False

        if self.timer_s >= c.target_s:
            self.phase = Phase.DONE
        elif not person and self.phase == Phase.RESTING and absent_s <= c.grace_s:
            good = self._was_good  # a detection gap while resting: keep going as before
        elif not person or st.obs.out_of_frame or st.view == View.FRONT:
            self.phase = Phase.SETUP
        elif st.posture == "supine":
            self.phase = Phase.RESTING
        elif self.timer_s > 0 and st.posture in UP_POSTURES:
            self.phase = Phase.PAUSED
        else:
            self.phase = Phase.POSITIONING

        setup = self._setup_cue(t_ms, person, st.view)
        if setup is not None:
            wanted.append(setup)
        if self.phase == Phase.POSITIONING:
            wanted.append("REST_GET_INTO_POSITION")
        elif self.phase == Phase.PAUSED:
            wanted.append("GOT_UP")
        elif self.phase == Phase.RESTING:
            if person:
                wanted.extend(st.faults)
                good = not st.faults
            if good:
                before = self.timer_s
                self.timer_s += dt
                wanted.extend(self._milestones(before))
            rate = st.breathing_rate_bpm
            if rate is not None and rate > c.fast_bpm:
                self.fast_breathing_s += dt
                wanted.append("BREATHE_SLOWER")
        if self.phase == Phase.DONE and "REST_COMPLETE" not in self.completed:
            self.completed.append("REST_COMPLETE")
            wanted.append("REST_COMPLETE")
        self._was_good = good
        cue = self.pacer.choose(wanted, t_ms)
        if cue is not None and cue.code in PROMPTS:
            self._prompt_i += 1
            self._next_prompt_s = self.timer_s + c.prompt_every_s
        return self._state(cue, good)

    def _milestones(self, before: float) -> list[str]:
        c, now = self.config, self.timer_s
        out = ["REST_START"]
        if before < c.target_s / 2 <= now and c.target_s >= 180:
            out.append("REST_HALFWAY")
        if before < c.target_s - 60 <= now and c.target_s >= 180:
            out.append("REST_ONE_MINUTE")
        if now >= c.target_s:
            out.append("REST_COMPLETE")
            self.completed.append("REST_COMPLETE")
            self.phase = Phase.DONE
        elif now >= self._next_prompt_s:
            out.append(PROMPTS[self._prompt_i % len(PROMPTS)])
        return out

    def _state(self, cue: Cue | None, good: bool) -> FloorCoachState:
        return FloorCoachState(phase=self.phase, cue=cue, timer_s=self.timer_s, target_s=self.config.target_s,
                               good=good)
