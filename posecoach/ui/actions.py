"""What a person can ask of a live session, however they ask it (a key today; a gesture or a
spoken word go through the same actions), and the keys that ask it.
"""
from __future__ import annotations

from dataclasses import dataclass

from posecoach.core.protocol import StrEnum


class Action(StrEnum):
    """A request to the live loop (summary.json `commands[].command`)."""
    PAUSE = "pause"            # pause, or go on when paused
    MUTE = "mute"              # voice off, or on again
    SWITCH_SIDE = "switch_side"
    NEXT_EXERCISE = "next_exercise"
    PAIN_STOP = "pain_stop"    # stop at once, with the advice to see a professional
    END = "end"


KEYS: dict[int, Action] = {
    ord(" "): Action.PAUSE, ord("m"): Action.MUTE, ord("s"): Action.SWITCH_SIDE,
    ord("n"): Action.NEXT_EXERCISE, ord("p"): Action.PAIN_STOP, ord("q"): Action.END, 27: Action.END,
}


@dataclass(frozen=True)
class Command:
    """One request as it happened: when (stream t_ms), what, and how it was given."""
    t_ms: int
    command: Action
    by: str  # "key" | "gesture" | "voice"

    def to_json(self) -> dict[str, object]:
        return {"t_ms": self.t_ms, "command": str(self.command), "by": self.by}
