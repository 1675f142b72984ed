"""The keys of the live window, as the same commands a gesture or a spoken word gives
(posecoach.control.commands), plus mute, which is the screen's own."""
from __future__ import annotations

from posecoach.control.commands import END, NEXT_EXERCISE, PAIN_STOP, PAUSE, SWITCH_SIDE

MUTE = "mute"
# Space pauses, or goes on when paused, or starts when waiting (ui.hands_free.concrete says which).
KEYS: dict[int, str] = {
    ord(" "): PAUSE, ord("m"): MUTE, ord("s"): SWITCH_SIDE, ord("n"): NEXT_EXERCISE, ord("p"): PAIN_STOP,
    ord("q"): END, 27: END,
}
