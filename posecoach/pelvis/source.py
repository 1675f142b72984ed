"""What the kneeling lunge asks of a pelvic-tilt reader, written down: `PelvisSource`, with a null
object for runs that do not read the pelvis (the plain baseline), and the one place that builds
the right reader for a run.
"""
from __future__ import annotations

from typing import Protocol

from posecoach.core.config import Settings
from posecoach.core.types import Pose
from posecoach.pelvis.model import BodyObservation
from posecoach.pelvis.tilt import PelvisTilt


class PelvisSource(Protocol):
    """A pelvic-tilt reader, called by the lunge for frames in the lunge seen side-on.

    update: degrees (+ anterior) or None. threshold_shift_deg: how much later ANTERIOR_TILT should
    switch on given how rough the reading is. guidance: cue codes it wants said this frame
    (calibration prompts, "hands on your thigh"), given the code of the session's latest cue.
    note / summary: what frames.jsonl and summary.json say about it (None: say nothing).
    """
    @property
    def threshold_shift_deg(self) -> float: ...
    def update(self, pose: Pose, obs: BodyObservation, t_ms: int) -> float | None: ...
    def guidance(self, t_ms: int, last_cue: str | None) -> list[str]: ...
    def note(self, t_ms: int) -> dict[str, object] | None: ...
    def summary(self) -> dict[str, object] | None: ...


class NullPelvis:
    """Reads nothing: no pelvic tilt, no guidance, nothing in the logs."""
    threshold_shift_deg = 0.0

    def update(self, pose: Pose, obs: BodyObservation, t_ms: int) -> float | None:
        return None

    def guidance(self, t_ms: int, last_cue: str | None) -> list[str]:
        return []

    def note(self, t_ms: int) -> dict[str, object] | None:
        return None

    def summary(self) -> dict[str, object] | None:
        return None


def pelvis_for(settings: Settings, *, neutral_s: tuple[float, float] | None = None,
               guided: bool = False) -> PelvisTilt | NullPelvis:
    """The reader for a run: none for the plain baseline; else the outline reader, calibrated from
    `neutral_s` (a recording's neutral window, seconds) or by the guided capture (a live camera,
    whose person can follow the prompts)."""
    if settings.plain:
        return NullPelvis()
    return PelvisTilt(neutral_s=neutral_s, guided=guided)
