"""Every fixed text the coach can say, with its {fields} filled in every way the code fills them:
what `voicegen` pre-renders in the natural voice. The texts are the cue table's (core/cues.py,
the hands-free confirmations included): change a row, then `python -m voicegen render` re-renders
what changed.
"""
from __future__ import annotations

import string
from collections.abc import Iterable

from posecoach.core.cues import TEXTS

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


def fixed_texts(tables: Iterable[dict[str, str]] = (TEXTS,)) -> list[str]:
    """Every text the product can say on its own (plans' strings aside), variants expanded,
    without duplicates, in table order."""
    seen: dict[str, None] = {}
    for table in tables:
        for text in table.values():
            for v in variants(text):
                seen.setdefault(v, None)
    return list(seen)
