"""The facts of protocol.md that every layer names: fault and cue codes, the six kneeling-lunge
measurements, which measurement judges which fault, the exercises of the routine and their titles,
and the phases and views a frame can be in. No behaviour here, only names.
"""
from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10
    class StrEnum(str, Enum):
        """A str whose value is its name in JSON, f-strings and comparisons (enum.StrEnum, 3.11)."""

        def __str__(self) -> str:
            return str(self.value)


class Fault(StrEnum):
    """The fault codes of protocol.md (and the floor exercises' own). Members compare equal to
    their strings, so `"NO_PERSON" in faults` and `Fault.NO_PERSON in faults` agree."""
    KNEE_PAST_ANKLE = "KNEE_PAST_ANKLE"
    FOOT_TOO_FAR = "FOOT_TOO_FAR"
    HIPS_FORWARD = "HIPS_FORWARD"
    ANTERIOR_TILT = "ANTERIOR_TILT"
    LEANING_FORWARD = "LEANING_FORWARD"
    NOT_SIDE_VIEW = "NOT_SIDE_VIEW"
    NO_PERSON = "NO_PERSON"
    # constructive rest
    PELVIS_LIFTED = "PELVIS_LIFTED"
    KNEES_STRAIGHT = "KNEES_STRAIGHT"
    FEET_NOT_FLAT = "FEET_NOT_FLAT"
    ARCHED_BACK_LYING = "ARCHED_BACK_LYING"


# The kneeling lunge's form faults, in the order they are judged and listed.
FORM_FAULTS: tuple[Fault, ...] = (Fault.ANTERIOR_TILT, Fault.HIPS_FORWARD, Fault.KNEE_PAST_ANKLE,
                                  Fault.FOOT_TOO_FAR, Fault.LEANING_FORWARD)
# Faults about the setup rather than the stretch: every exercise judges them; they have no side.
SETUP_FAULTS: tuple[Fault, ...] = (Fault.NOT_SIDE_VIEW, Fault.NO_PERSON)
# What a cue must be to count as a fault cue (false-cue scoring, interface.md).
FAULT_CODES = frozenset((*FORM_FAULTS, *SETUP_FAULTS))

METRIC_NAMES = ("front_knee_angle_deg", "shin_tilt_deg", "knee_ahead_of_ankle",
                "back_hip_extension_deg", "trunk_lean_deg", "pelvic_tilt_deg")
FAULT_METRIC: dict[str, str] = {
    Fault.KNEE_PAST_ANKLE: "shin_tilt_deg",
    Fault.FOOT_TOO_FAR: "front_knee_angle_deg",
    Fault.HIPS_FORWARD: "back_hip_extension_deg",
    Fault.ANTERIOR_TILT: "pelvic_tilt_deg",
    Fault.LEANING_FORWARD: "trunk_lean_deg",
}
# What each fault is called in reports and the history (plain words, not codes).
FAULT_NAMES: dict[str, str] = {
    Fault.ANTERIOR_TILT: "low back arched (tailbone not tucked)",
    Fault.HIPS_FORWARD: "hips pushed forward (lunging too deep)",
    Fault.KNEE_PAST_ANKLE: "front knee past the ankle",
    Fault.FOOT_TOO_FAR: "front foot too far forward",
    Fault.LEANING_FORWARD: "leaning forward",
    Fault.NOT_SIDE_VIEW: "not side-on to the camera",
    Fault.NO_PERSON: "out of the camera's view",
}

SIDES = ("left", "right")
# The routine's exercises in the clinic's order; plan names (TOML) -> these; titles for people.
EXERCISES = ("rest", "lunge", "ball")
PLAN_NAMES = {"constructive_rest": "rest", "kneeling_lunge": "lunge", "ball_release": "ball"}
TITLES = {"rest": "Constructive rest", "lunge": "Kneeling lunge", "ball": "Soft-ball release"}


class View(StrEnum):
    """Which way the camera sees the person (frames.jsonl `view`)."""
    SIDE = "side"
    FRONT = "front"
    UNKNOWN = "unknown"


class Phase(StrEnum):
    """Where a session is (frames.jsonl `phase`). The lunge: setup -> positioning -> holding ->
    switch -> done; rest: ... resting / paused; the ball: ... releasing / moving; the routine adds
    transition between exercises; a pain stop is `stopped`."""
    SETUP = "setup"
    POSITIONING = "positioning"
    HOLDING = "holding"
    SWITCH = "switch"
    RESTING = "resting"
    PAUSED = "paused"
    RELEASING = "releasing"
    MOVING = "moving"
    TRANSITION = "transition"
    WAITING = "waiting"  # live: waiting for the person to start (a raised hand, a key)
    DONE = "done"
    STOPPED = "stopped"
