"""The short spoken confirmations of hands-free commands, and the list of every fixed text the coach
can say (what `voicegen` pre-renders in the natural voice).

Why here: the hands-free commands (issue 13) confirm each command by voice, and those lines must
be pre-rendered like the cues, so they live beside the clip bank instead of in the command code.
Wording is provisional: change a line, then `python -m voicegen render` re-renders what changed.
"""
from __future__ import annotations

import string
from collections.abc import Iterable

from posecoach.messages import CUES
from posecoach.messages_floor import FLOOR_CUES

# Confirmations and the setup hint of the hands-free commands. Short and kind: the person may be
# on the floor, in pain, 2-3 m from the laptop.
LINES: dict[str, str] = {
    "CMD_HOW": "Say pause, next, or stop, or raise your hand, any time.",
    "CMD_HOW_PAIN": "If anything hurts, say pain, and I will stop at once.",
    "CMD_START": "Let's begin.",
    "CMD_PAUSED": "Paused. Raise your hand to go on.",
    "CMD_PAUSED_SAY": "Paused. Say resume, or raise your hand, to go on.",
    "CMD_RESUMED": "Resuming.",
    "CMD_NEXT": "Moving on to the next exercise.",
    "CMD_SWITCH": "Switching sides.",
    "CMD_STOP": "Stopping now.",
    "CMD_END": "Ending the session. Well done.",
}

# Every {field} a fixed text may hold, with all the values the code fills in: the kneeling
# lunge's front leg (coach.py) and the ball's side (exercises/ball.py: BallConfig.sides).
FIELD_VALUES: dict[str, tuple[str, ...]] = {
    "front": ("left", "right"),
    "side": ("left", "right"),
}


def fields_of(text: str) -> list[str]:
    """The {field} names in a cue text, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def variants(text: str) -> list[str]:
    """`text` with its {fields} filled in every way the code can fill them.

    Raises KeyError for a field without known values, so a new field cannot slip past the
    pre-rendered voice unnoticed.
    """
    names = sorted(set(fields_of(text)))
    if not names:
        return [text]
    combos: list[dict[str, str]] = [{}]
    for name in names:
        if name not in FIELD_VALUES:
            raise KeyError(f"cue field {{{name}}} has no known values in FIELD_VALUES")
        combos = [{**c, name: value} for c in combos for value in FIELD_VALUES[name]]
    return [text.format(**c) for c in combos]


def fixed_texts(tables: Iterable[dict[str, str]] = (CUES, FLOOR_CUES, LINES)) -> list[str]:
    """Every text the product can say on its own (plans' strings aside), variants expanded,
    without duplicates, in table order."""
    seen: dict[str, None] = {}
    for table in tables:
        for text in table.values():
            for v in variants(text):
                seen.setdefault(v, None)
    return list(seen)
