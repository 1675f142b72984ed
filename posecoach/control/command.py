"""The event every hands-free input produces, whatever heard or saw it."""
from __future__ import annotations

from dataclasses import dataclass

COMMANDS = ("start", "pause", "resume", "next", "switch", "stop", "pain")
SOURCES = ("voice", "gesture", "key")


@dataclass(frozen=True)
class Command:
    """`command` (one of COMMANDS) given at stream time `t_ms` (for speech: the audio time at
    which the word ended), `by` one of SOURCES. summary.json lists these as dicts."""
    t_ms: int
    command: str
    by: str = "voice"

    def as_dict(self) -> dict[str, object]:
        return {"t_ms": self.t_ms, "command": self.command, "by": self.by}
