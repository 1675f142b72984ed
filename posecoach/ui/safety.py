"""What posecoach tells people about safety, and whether it has been shown on this machine.

The facts come from the routine's home-care guide (shared docs, protocol.md), in our own words.
The first-run screen is shown once per data folder (posecoach.core.paths.data_dir(), overridable with
$POSECOACH_HOME); it stays reachable with `posecoach live --safety`.
"""
from __future__ import annotations

import json
import time

from posecoach.core.paths import data_dir

SAFETY_VERSION = 1  # bump when the text changes in substance: everyone sees it again
MARKER = "safety_shown.json"

SAFETY_TITLE = "Before you start"
SAFETY_LINES: tuple[str, ...] = (
    "posecoach gives form guidance, not diagnosis. It watches how you hold the stretch; "
    "it cannot tell what is wrong with your body.",
    "The stretch should feel mild, at the front of the back leg's hip. It must never be sharp, "
    "stabbing or strongly painful: if it is, stop. Press P, or wave a raised hand, at any time to stop.",
    "Kneel on something soft, and do not push deeper into the lunge to feel more.",
    "Never press or knead hard into your belly: large blood vessels, nerves and organs lie close "
    "under the skin there.",
    "See a physiotherapist or doctor, rather than stretching on, if you have sharp, shooting or "
    "electric pain, pain that does not ease with gentle stretching, strong pelvic pain or "
    "pelvic-floor problems, are recovering after giving birth, or feel numbness or weakness in a leg.",
)
SAFETY_FOOTER = "Press SPACE or ENTER to agree and start.  Q quits."

PAIN_TITLE = "Stopped"
PAIN_LINES: tuple[str, ...] = (
    "A stretch should never feel sharp or painful. Ease out of the position slowly and rest.",
    "See a physiotherapist or doctor if the pain was sharp, shooting or electric, if it does not "
    "settle, or if your leg feels numb or weak or your pelvis hurts.",
    "posecoach gives form guidance, not diagnosis.",
)
PAIN_FOOTER = "Press any key to close."


def safety_text() -> str:
    """The first-run screen as plain text (printed in --no-window mode)."""
    body = "\n".join(f"  - {line}" for line in SAFETY_LINES)
    return f"{SAFETY_TITLE}:\n{body}\n"


def pain_text() -> str:
    body = "\n".join(f"  - {line}" for line in PAIN_LINES)
    return f"{PAIN_TITLE}.\n{body}\n"


def safety_shown() -> bool:
    """True once the current safety text has been acknowledged in this data folder."""
    path = data_dir(create=False) / MARKER
    try:
        return int(json.loads(path.read_text(encoding="utf-8")).get("version", 0)) >= SAFETY_VERSION
    except (OSError, ValueError, AttributeError):
        return False


def mark_safety_shown(now: float | None = None) -> None:
    """Remember (a tiny JSON file in the data folder) that the safety screen was acknowledged."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now))
    (data_dir() / MARKER).write_text(json.dumps({"version": SAFETY_VERSION, "shown_at": stamp}),
                                     encoding="utf-8")
