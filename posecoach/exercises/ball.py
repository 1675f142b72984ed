"""Soft-ball release: lying face down on a soft ball placed just inside the bony front hip point,
forearms on the floor; on a tender spot, pause and breathe 30-60 s until it lets go; never press
harder. Seen from the side with the camera near floor height.

The camera cannot see the ball or the pressure, so the coach guides by posture and time:
`BallAnalyzer` steadies the prone posture; `BallCoach` runs a timer per tender spot and side,
reminds (sparsely) never to press harder, and stops on the pain key with the guidance to see a
professional. Measurements (degrees): trunk_elevation_deg (as in constructive rest; propped on
the forearms reads ~10-25) and elbow_support (elbows below the shoulders in trunk lengths: the
forearms carry part of the weight when it is > ~0.25).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posecoach.core.config import BALL_SPOT_S
from posecoach.core.pacing import CuePacer
from posecoach.core.protocol import Fault, Phase, View
from posecoach.core.types import Cue, Pose
from posecoach.exercises.floor_coach import (
    SETUP_COOLDOWN_S,
    FloorCoachBase,
    FloorCoachState,
)
from posecoach.exercises.judging import (
    FLOOR_FLAGS,
    FaultJudge,
    PostureVote,
    SmoothedMetrics,
    scene_flags,
)
from posecoach.exercises.lying import body_line, classify_posture
from posecoach.exercises.rest import UP_POSTURES
from posecoach.exercises.view import ViewHysteresis, parts_out_of_frame, view_angle

BALL_METRICS = ("trunk_elevation_deg", "elbow_support")


@dataclass
class BallState:
    """The analyzer's judgement at one frame."""
    person: bool
    posture: str
    raw_posture: str
    view: View
    out_of_frame: list[str]
    metrics: dict[str, float | None]
    interface_faults: list[str]
    view_angle_deg: float | None = None

    @property
    def prone(self) -> bool:
        return self.posture == "prone"


def ball_metrics(pose: Pose) -> tuple[str, dict[str, float | None]]:
    """(posture, measurements) of one frame (pure)."""
    posture, elevation = classify_posture(pose)
    b = body_line(pose)
    support = None
    if b is not None and np.isfinite(b.elbow).all():
        support = float(b.elbow[1] - b.shoulder[1]) / b.trunk_px
    return posture, {"trunk_elevation_deg": elevation, "elbow_support": support}


class BallAnalyzer:
    """`update(pose, t_ms)` -> BallState: steadied posture and view, smoothed measurements."""

    def __init__(self, smooth: bool = True) -> None:
        self._posture = PostureVote(9 if smooth else 1)
        self._metrics = SmoothedMetrics(BALL_METRICS, enabled=smooth)
        self._faults = FaultJudge({}, on_ms=0.0, off_ms=0.0, flags=FLOOR_FLAGS)
        self._view = ViewHysteresis()

    def update(self, pose: Pose, t_ms: int) -> BallState:
        raw, values = ball_metrics(pose)
        posture = self._posture.update(raw)
        angle = view_angle(pose) if pose.present else None
        view = self._view.update(angle) if pose.present else View.UNKNOWN
        metrics = self._metrics.update(values, t_ms) if pose.present else dict.fromkeys(BALL_METRICS)
        faults = self._faults.update({}, False, t_ms, flags=scene_flags(pose.present, view))
        return BallState(person=pose.present, posture=posture, raw_posture=raw, view=view,
                         out_of_frame=parts_out_of_frame(pose) if pose.present else [],
                         metrics=metrics, interface_faults=faults, view_angle_deg=angle)


@dataclass(frozen=True)
class BallConfig:
    """spot_s: seconds per tender spot (protocol: 30-60). spots_per_side: tender spots per side.
    settle_s: time given to ease off and move the ball between spots. remind_at_s: when, into each
    spot, to remind never to press harder (said once per spot)."""
    spot_s: float = 45.0
    spots_per_side: int = 1
    sides: tuple[str, ...] = ("left", "right")
    settle_s: float = 8.0
    remind_at_s: float = 15.0
    grace_s: float = 5.0
    setup_cue_after_s: float = 3.0

    def __post_init__(self) -> None:
        BALL_SPOT_S.check(self.spot_s, "ball spot_s")
        if not 1 <= self.spots_per_side <= 5:
            raise ValueError("ball spots_per_side must be between 1 and 5")
        if not self.sides or any(s not in ("left", "right") for s in self.sides):
            raise ValueError("ball sides must be left and/or right")


@dataclass
class _Progress:
    side_i: int = 0
    spot_i: int = 0
    spot_s: float = 0.0
    hold_s: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    spots_done: list[tuple[str, int, float]] = field(default_factory=list)


class BallCoach(FloorCoachBase):
    """`update(state, t_ms)` -> FloorCoachState. Phases: setup -> positioning (lie face down on
    the ball) -> releasing (the spot timer counts while prone) -> moving (ease off, move the ball)
    -> ... -> done; paused when the person gets up; stopped on the pain key."""
    config: BallConfig

    def __init__(self, config: BallConfig | None = None, strings: dict[str, str] | None = None) -> None:
        self.config = config or BallConfig()
        cooldown = {**SETUP_COOLDOWN_S, Fault.NOT_SIDE_VIEW: 30.0}
        self.pacer = CuePacer(strings, cooldown_s=cooldown, default_cooldown_s=30.0, gap_s=5.0)
        self.p = _Progress()
        self._start()
        self._moving_s = 0.0

    @property
    def side(self) -> str | None:
        return self.config.sides[self.p.side_i] if self.p.side_i < len(self.config.sides) else None

    def switch_side(self) -> None:
        """Key s: this spot is done; move on to the next spot or side now."""
        if self.side is not None and not self.stopped:
            self._finish_spot()

    def _finish_spot(self) -> str:
        c, p = self.config, self.p
        p.spots_done.append((self.side or "", p.spot_i + 1, round(p.spot_s, 1)))
        p.spot_s = 0.0
        p.spot_i += 1
        self._moving_s = 0.0
        self.pacer.allow_again("BALL_START", "BALL_NO_PRESS", "BALL_TEN_SECONDS")
        if p.spot_i < c.spots_per_side:
            self.phase = Phase.MOVING
            self.pacer.allow_again("BALL_NEXT_SPOT")
            return "BALL_NEXT_SPOT"
        p.spot_i = 0
        p.side_i += 1
        if self.side is None:
            self.phase = Phase.DONE
            return "BALL_COMPLETE"
        self.phase = Phase.MOVING
        self.pacer.allow_again("BALL_SWITCH_SIDE")
        return "BALL_SWITCH_SIDE"

    def update(self, st: BallState, t_ms: int) -> FloorCoachState:
        c, p = self.config, self.p
        dt, absent_s = self._tick(t_ms, st.person)
        if self.stopped:
            return self._state(None, False)
        wanted: list[str] = []
        good = False
        if self.phase == Phase.MOVING:
            self._moving_s += dt
        if self.side is None:
            self.phase = Phase.DONE
        elif self.phase == Phase.MOVING and self._moving_s < c.settle_s:
            wanted.append("BALL_NEXT_SPOT" if p.spot_i > 0 else "BALL_SWITCH_SIDE")
        elif not st.person and self.phase == Phase.RELEASING and absent_s <= c.grace_s:
            good = self._was_good
        elif not st.person or st.out_of_frame or st.view == View.FRONT:
            self.phase = Phase.SETUP
        elif st.prone:
            self.phase = Phase.RELEASING
        elif p.spot_s > 0 and st.posture in UP_POSTURES:
            self.phase = Phase.PAUSED
        else:
            self.phase = Phase.POSITIONING

        setup = self._setup_cue(t_ms, st.person, st.view)
        if setup is not None:
            wanted.append(setup)
        if self.phase == Phase.POSITIONING:
            wanted.append("BALL_GET_INTO_POSITION")
        elif self.phase == Phase.PAUSED:
            wanted.append("BALL_GOT_UP")
        elif self.phase == Phase.RELEASING:
            good = good or st.prone
            if good:
                p.spot_s += dt
                p.hold_s[self.side or "left"] += dt
                wanted.append("BALL_START")
                if c.remind_at_s <= p.spot_s < c.remind_at_s + 10:
                    wanted.append("BALL_NO_PRESS")
                if c.spot_s - 10 <= p.spot_s < c.spot_s - 5:
                    wanted.append("BALL_TEN_SECONDS")
                if p.spot_s >= c.spot_s:
                    wanted.append(self._finish_spot())
        self._was_good = good
        side = self.side or c.sides[-1]
        cue = self.pacer.choose(wanted, t_ms, side=side)
        return self._state(cue, good)

    def _state(self, cue: Cue | None, good: bool) -> FloorCoachState:
        p = self.p
        return FloorCoachState(
            phase=self.phase, cue=cue, timer_s=p.spot_s, target_s=self.config.spot_s, good=good,
            hold_s=dict(p.hold_s), ball_side=self.side, spot=p.spot_i + 1 if self.side else None)
