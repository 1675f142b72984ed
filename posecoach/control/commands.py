"""The event every hands-free input produces (a key, a gesture, a spoken word), and its names.

summary.json lists them as `"commands": [{"t_ms", "command", "by"}]` (shared/docs/interface.md).
"""
from __future__ import annotations

from dataclasses import dataclass

START = "start"
PAUSE = "pause"
RESUME = "resume"
SWITCH_SIDE = "switch_side"
NEXT_EXERCISE = "next_exercise"
PAIN_STOP = "pain_stop"
END = "end"
# "Move on" as the person asks for it (the word "next", the long hand raise): the live loop makes it
# switch_side, next_exercise or end, whichever comes next in the session.
MOVE_ON = "move_on"
COMMANDS = (START, PAUSE, RESUME, SWITCH_SIDE, NEXT_EXERCISE, PAIN_STOP, END, MOVE_ON)
SOURCES = ("key", "gesture", "voice")


@dataclass(frozen=True)
class Command:
    """`command` (one of COMMANDS) given at stream time `t_ms` (ms, the source's own clock: the
    frame that completed a gesture, the audio time a word ended), `by` one of SOURCES."""
    t_ms: int
    command: str
    by: str

    def __post_init__(self) -> None:
        if self.command not in COMMANDS:
            raise ValueError(f"unknown command {self.command!r}; one of {COMMANDS}")
        if self.by not in SOURCES:
            raise ValueError(f"unknown command source {self.by!r}; one of {SOURCES}")

    def as_dict(self) -> dict[str, object]:
        return {"t_ms": self.t_ms, "command": self.command, "by": self.by}
