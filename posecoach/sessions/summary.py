"""Typed session summaries. `to_json()` writes summary.json's keys exactly as interface.md and the
reports read them; the runs (`live`, `analyze`) add where the frames came from and how the run
ended (posecoach.outputs.session_log).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from posecoach.core.types import CueEvent
from posecoach.sessions.protocol import Summary


def fraction(part: int, whole: int) -> float:
    """part / whole rounded for the summary; 0 when there is no whole."""
    return round(part / whole, 4) if whole else 0.0


def rounded(values: dict[str, float], nd: int = 2) -> dict[str, float]:
    return {k: round(v, nd) for k, v in values.items()}


@dataclass
class ExerciseSummary:
    """What every exercise reports: frames judged, the share with someone in view, good-form
    seconds per side (the lunge's holds, the ball's spots; both 0 for rest), the share of the time
    in position with good form, every cue, and the pain stop."""
    frames: int
    detected_fraction: float
    hold_s: dict[str, float]
    good_form_fraction: float
    cues: list[CueEvent] = field(default_factory=list)
    pain_stop: bool = False
    pain_stop_t_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"frames": self.frames, "detected_fraction": self.detected_fraction, "hold_s": dict(self.hold_s),
                "good_form_fraction": self.good_form_fraction, "cues": [c.to_json() for c in self.cues],
                "pain_stop": self.pain_stop, "pain_stop_t_ms": self.pain_stop_t_ms}


@dataclass
class LungeSummary(ExerciseSummary):
    """The kneeling lunge adds its frames in the lunge, the holds completed in order and the pelvis
    reader's summary (calibration, why readings were null)."""
    lunge_frames: int = 0
    sides_completed: list[str] = field(default_factory=list)
    pelvis: dict[str, object] | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"frames": self.frames, "detected_fraction": self.detected_fraction, "hold_s": dict(self.hold_s),
               "good_form_fraction": self.good_form_fraction, "lunge_frames": self.lunge_frames,
               "sides_completed": list(self.sides_completed), "cues": [c.to_json() for c in self.cues]}
        if self.pelvis is not None:
            out["pelvis"] = self.pelvis
        out.update(pain_stop=self.pain_stop, pain_stop_t_ms=self.pain_stop_t_ms)
        return out


@dataclass
class FloorSummary(ExerciseSummary):
    """A floor exercise adds its name, its frames in position, the share of frames per posture and
    per fault (of the frames in position), and whether it was completed."""
    exercise: str = ""
    in_position_frames: int = 0
    posture_fraction: dict[str, float] = field(default_factory=dict)
    fault_fraction: dict[str, float] = field(default_factory=dict)
    completed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "frames": self.frames, "detected_fraction": self.detected_fraction,
                "hold_s": dict(self.hold_s), "good_form_fraction": self.good_form_fraction,
                "in_position_frames": self.in_position_frames, "posture_fraction": dict(self.posture_fraction),
                "fault_fraction": dict(self.fault_fraction), "cues": [c.to_json() for c in self.cues],
                "completed": self.completed, "pain_stop": self.pain_stop, "pain_stop_t_ms": self.pain_stop_t_ms}


@dataclass
class RestSummary(FloorSummary):
    """Constructive rest adds the seconds rested of the target and the breathing rate (breaths a
    minute: mean, last, and the share of the time above the calm limit)."""
    rest_s: float = 0.0
    target_s: float = 0.0
    breathing_rate_bpm: dict[str, float | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "rest_s": self.rest_s, "target_s": self.target_s,
                "breathing_rate_bpm": dict(self.breathing_rate_bpm)}


@dataclass
class BallSummary(FloorSummary):
    """The soft-ball release adds the spots done (side, spot, seconds) and the seconds per spot."""
    spots_done: list[list[object]] = field(default_factory=list)
    spot_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "spots_done": [list(s) for s in self.spots_done], "spot_s": self.spot_s}


@dataclass
class StageSummary:
    """One exercise of the routine: its title, whether it ran, when it started and ended (t_ms) and
    why it ended; then its own summary, with the cues said during it."""
    title: str
    ran: bool
    start_t_ms: int | None
    end_t_ms: int | None
    end_reason: str | None
    summary: Summary | None = None
    cues: list[CueEvent] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "ran": self.ran, "start_t_ms": self.start_t_ms,
                               "end_t_ms": self.end_t_ms, "end_reason": self.end_reason}
        if self.summary is not None:
            inner = self.summary.to_json()
            inner.pop("cues")
            out.update(inner)
            out["cues"] = [c.to_json() for c in self.cues]
        return out


@dataclass
class RoutineSummary:
    """The routine: frames and detection over all of it, the lunge's holds and good form (the
    routine's headline), every cue, the order and how far it got, and a section per exercise."""
    frames: int
    detected_fraction: float
    hold_s: dict[str, float]
    good_form_fraction: float
    cues: list[CueEvent]
    order: list[str]
    completed: bool
    pain_stop: bool
    reached: str
    stages: dict[str, StageSummary]

    def to_json(self) -> dict[str, Any]:
        return {"frames": self.frames, "detected_fraction": self.detected_fraction, "hold_s": dict(self.hold_s),
                "good_form_fraction": self.good_form_fraction, "cues": [c.to_json() for c in self.cues],
                "routine": {"order": list(self.order), "completed": self.completed,
                            "stopped_for_pain": self.pain_stop, "reached": self.reached},
                "exercises": {name: st.to_json() for name, st in self.stages.items()},
                "pain_stop": self.pain_stop}
