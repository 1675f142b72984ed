"""Typed settings: one frozen dataclass tree is the schema. Plans and CLI flags layer on top
(see posecoach.core.plan). Defaults follow protocol.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from posecoach.core.protocol import (
    FAULT_METRIC as FAULT_METRIC,  # re-exported: bands are judged on these
)
from posecoach.core.protocol import Fault


@dataclass(frozen=True)
class Limit:
    """The range a person, a plan or a flag may set a quantity to (inclusive), defined once here
    and checked wherever it is set."""
    lo: float
    hi: float
    unit: str = "seconds"

    def check(self, value: float, what: str) -> float:
        """`value`, or ValueError naming `what` and the range."""
        if not self.lo <= value <= self.hi:
            raise ValueError(f"{what} must be between {self.lo:g} and {self.hi:g} {self.unit}")
        return value


# Time limits (seconds). A lunge hold: protocol 30-45 s; short holds are allowed for practice and
# demos, long ones not (the stretch is meant to stay gentle). Constructive rest: protocol 5-10 min.
# A ball spot: protocol 30-60 s per tender spot.
LUNGE_HOLD_S = Limit(5.0, 120.0)
# The longest step a hold or rest timer takes between two judged frames (seconds): a longer gap is
# a pause (the person asked for one, or the machine stalled), not time held.
MAX_TIMER_STEP_S = 1.0
REST_S = Limit(30.0, 1200.0)
BALL_SPOT_S = Limit(30.0, 60.0)


@dataclass(frozen=True)
class Band:
    """A fault's bands from protocol.md: the value is a fault at or above `fault`, fine at or below
    `ok`; between is ambiguous. The live decision threshold sits between the two with hysteresis,
    so errors on either side cost the same.
    """
    fault: float
    ok: float

    @property
    def on(self) -> float:
        """Value above which the fault switches on."""
        return self.ok + 0.55 * (self.fault - self.ok)

    @property
    def off(self) -> float:
        """Value below which an active fault switches off."""
        return self.ok + 0.40 * (self.fault - self.ok)


def default_bands() -> dict[str, Band]:
    return {
        Fault.KNEE_PAST_ANKLE: Band(fault=15.0, ok=6.0),
        Fault.FOOT_TOO_FAR: Band(fault=115.0, ok=100.0),
        Fault.HIPS_FORWARD: Band(fault=22.0, ok=10.0),
        Fault.ANTERIOR_TILT: Band(fault=8.0, ok=0.0),
        Fault.LEANING_FORWARD: Band(fault=20.0, ok=8.0),
    }


@dataclass(frozen=True)
class SmoothingConfig:
    """One Euro filter settings for the metrics (degrees), and fault debouncing (ms)."""
    min_cutoff_hz: float = 1.0
    beta: float = 0.02
    fault_on_ms: float = 200.0
    fault_off_ms: float = 300.0
    enabled: bool = True


@dataclass(frozen=True)
class CoachConfig:
    """How the coach talks: hold target, cue pacing, voice."""
    hold_s: float = 30.0
    # The holds in order; a plan's repetitions repeat the sequence, e.g. ("left", "right") * 2.
    sides: tuple[str, ...] = ("left", "right")
    cue_cooldown_s: float = 8.0
    cue_gap_s: float = 2.5
    no_person_cue_after_s: float = 2.0
    voice: bool = True
    # eSpeak voice (language code) for the spoken cues; a plan sets it with its strings.
    language: str = "en"
    # Live: hold back coaching until the setup (in frame, side-on, big enough, lit) has been good
    # for setup_confirm_s, then say so. Off for recorded videos, which start mid-exercise.
    setup_check: bool = False
    setup_confirm_s: float = 1.0
    # If only soft problems remain (too small, light) for this long, coach anyway: a small room
    # or a bright window must not keep the session from ever starting.
    setup_patience_s: float = 15.0


@dataclass(frozen=True)
class Settings:
    bands: dict[str, Band] = field(default_factory=default_bands)
    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    coach: CoachConfig = field(default_factory=CoachConfig)
    # "plain": raw landmark angles, no joint-centre correction, no smoothing (the baseline).
    plain: bool = False
    # The learned oblique-camera correction of the lunge's sagittal angles (issue 12:
    # exercises/sagittal.py's sagittal_metrics with posecoach/data/sagittal_model.npz), with the
    # wider coachable view and kneeling test that go with it. docs/accuracy.md has what it measured.
    sagittal_model: bool = True
    # ... only on frames whose own view angle (view.view_angle, independent of the model) is at
    # least this far off the side view (0 = every kneeling frame the model can read; the model's
    # own gate still keeps the picture's back hip near the side view).
    sagittal_min_view_deg: float = 0.0
