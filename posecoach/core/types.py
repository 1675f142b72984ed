"""Small value types passed between the pipeline's stages. No OpenCV or MediaPipe in here."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from posecoach.core.landmarks import NUM_LANDMARKS
from posecoach.core.protocol import (
    METRIC_NAMES as METRIC_NAMES,  # re-exported: Metrics' fields
)
from posecoach.core.protocol import Phase, View


@dataclass(frozen=True)
class Frame:
    """One decoded picture. `image` is BGR uint8 (H, W, 3); `t_ms` comes from the source's own clock.

    captured_s: when a live source captured it (time.monotonic() seconds), for measuring the
    capture-to-cue latency; None for files read as fast as they decode.
    """
    image: np.ndarray
    t_ms: int
    index: int
    captured_s: float | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.image.shape[1], self.image.shape[0]


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame, in the frame's pixel coordinates.

    xy: (33, 2) pixels, x right, y down. visibility, presence: (33,) in [0, 1].
    world: (33, 3) metres about the hips (MediaPipe world landmarks), or None.
    mask: (h, w) float32 person probability at detection scale, or None when not requested:
    frame pixel (x, y) is mask pixel (x * mask_scale, y * mask_scale). mask_scale is 1 for frames
    no larger than the estimator's max_side; large frames (1080p, 4K) keep the small mask, since
    resizing it back costs ~8 ms and 33 MB a frame at 4K. `frame_mask()` gives it at frame size.
    num_people: people seen in the frame (the pose is the one followed over time).
    seen: the pose model saw this frame; False when the pose was interpolated between the frames it
    saw (`analyze` runs the model on a subset of a recording's frames: runner.sampling).
    "Nobody" is `Pose.empty(size)`, whose `present` is False.
    """
    xy: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray | None
    mask: np.ndarray | None
    image_size: tuple[int, int]
    present: bool = True
    num_people: int = 1
    mask_scale: float = 1.0
    seen: bool = True

    def frame_mask(self) -> np.ndarray | None:
        """The mask resized to the frame's pixels (nearest neighbour; costly for large frames)."""
        if self.mask is None or self.mask_scale == 1.0:
            return self.mask
        (w, h), (mh, mw) = self.image_size, self.mask.shape[:2]
        ys = np.minimum((np.arange(h) * mh / h).astype(int), mh - 1)
        xs = np.minimum((np.arange(w) * mw / w).astype(int), mw - 1)
        return self.mask[np.ix_(ys, xs)]

    @classmethod
    def empty(cls, image_size: tuple[int, int]) -> "Pose":
        nan = np.full((NUM_LANDMARKS, 2), np.nan)
        zeros = np.zeros(NUM_LANDMARKS)
        return cls(nan, zeros, zeros, None, None, image_size, present=False, num_people=0)


@dataclass
class Metrics:
    """The six kneeling-lunge measurements of protocol.md, anatomical degrees; None = not measurable."""
    front_knee_angle_deg: float | None = None
    shin_tilt_deg: float | None = None
    knee_ahead_of_ankle: float | None = None
    back_hip_extension_deg: float | None = None
    trunk_lean_deg: float | None = None
    pelvic_tilt_deg: float | None = None

    def to_dict(self, ndigits: int = 2) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = None if v is None or not np.isfinite(v) else round(float(v), ndigits)
        return out

    def to_values(self) -> dict[str, float | None]:
        """name -> value as measured (unrounded), for judging."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Cue:
    """An instruction issued at one moment: a fault or guidance code, and what the person is told."""
    code: str
    text: str
    t_ms: int
    priority: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class CueEvent:
    """A cue as a session's log keeps it (summary.json `cues`): when, which code, the words said,
    and in which exercise (the floor exercises and the routine name it; the lunge alone does not)."""
    t_ms: int
    code: str
    text: str
    exercise: str | None = None

    @classmethod
    def of(cls, cue: Cue, exercise: str | None = None) -> "CueEvent":
        return cls(cue.t_ms, cue.code, cue.text, exercise)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"t_ms": self.t_ms, "code": self.code, "text": self.text}
        if self.exercise is not None:
            out["exercise"] = self.exercise
        return out


@dataclass
class FrameNotes:
    """What a frame record holds beside interface.md's keys (each exercise adds its own, below).

    exercise: which exercise judged the frame (written by the floor exercises and the routine).
    routine_stage: (stage, stages) within a routine, 1-based. good_form: the frame counts towards
    the hold or timer.
    """
    exercise: str | None = None
    good_form: bool = False
    routine_stage: tuple[int, int] | None = None

    def own_json(self) -> dict[str, object]:
        return {}

    def to_json(self) -> dict[str, object]:
        out = self.own_json()
        if self.exercise is not None:
            out.setdefault("exercise", self.exercise)
        if self.routine_stage is not None:
            out["routine_stage"], out["routine_stages"] = self.routine_stage
        return out


@dataclass
class LungeNotes(FrameNotes):
    """The kneeling lunge's extras: in the lunge now, people in view, the pelvis reading's quality,
    and what is still wrong while the setup is being checked."""
    in_lunge: bool = False
    people: int = 0
    pelvis: dict[str, object] | None = None
    setup_issues: list[str] | None = None
    camera_azimuth_deg: float | None = None  # the view angle signed: + camera in front of the person

    def own_json(self) -> dict[str, object]:
        azimuth = None if self.camera_azimuth_deg is None else round(self.camera_azimuth_deg, 1)
        out: dict[str, object] = {"in_lunge": self.in_lunge, "good_form": self.good_form, "people": self.people,
                                  "camera_azimuth_deg": azimuth}
        if self.pelvis is not None:
            out["pelvis"] = self.pelvis
        if self.setup_issues is not None:
            out["setup_issues"] = list(self.setup_issues)
        return out


@dataclass
class FloorNotes(FrameNotes):
    """A floor exercise's extras: the steadied posture, in position, its own faults and metrics,
    and the timer towards the target (seconds)."""
    posture: str = "none"
    in_position: bool = False
    exercise_faults: list[str] = field(default_factory=list)
    timer_s: float = 0.0
    target_s: float = 0.0
    exercise_metrics: dict[str, float | None] = field(default_factory=dict)

    def own_json(self) -> dict[str, object]:
        return {"exercise": self.exercise, "posture": self.posture, "in_position": self.in_position,
                "good_form": self.good_form, "exercise_faults": list(self.exercise_faults),
                "timer_s": round(self.timer_s, 2), "target_s": self.target_s,
                "exercise_metrics": dict(self.exercise_metrics)}


@dataclass
class RestNotes(FloorNotes):
    """Constructive rest adds the breathing rate (breaths a minute, or None while unknown)."""
    breathing_rate_bpm: float | None = None

    def own_json(self) -> dict[str, object]:
        rate = self.breathing_rate_bpm
        return {**super().own_json(), "breathing_rate_bpm": None if rate is None else round(rate, 2)}


@dataclass
class BallNotes(FloorNotes):
    """The soft-ball release adds which side the ball is on and which tender spot (1-based)."""
    ball_side: str | None = None
    spot: int | None = None

    def own_json(self) -> dict[str, object]:
        return {**super().own_json(), "ball_side": self.ball_side, "spot": self.spot}


@dataclass
class FrameResult:
    """Everything the analysis knows about one frame: what frames.jsonl records, plus the pose."""
    frame: int
    t_ms: int
    person: bool
    view: View
    front_side: str | None
    phase: Phase
    metrics: Metrics
    faults: list[str]
    cue: Cue | None
    hold_s: dict[str, float]
    pose: Pose | None = None
    notes: FrameNotes = field(default_factory=FrameNotes)
    # The camera's angle off the person's side view (0 = square-on, 90 = facing the camera or
    # facing away), degrees; None without a person.
    view_angle_deg: float | None = None

    def to_record(self) -> dict[str, object]:
        angle = None if self.view_angle_deg is None else round(self.view_angle_deg, 1)
        rec: dict[str, object] = {
            "frame": self.frame, "t_ms": self.t_ms, "person": self.person, "view": self.view,
            "view_angle_deg": angle,
            "front_side": self.front_side, "phase": self.phase, "metrics": self.metrics.to_dict(),
            "faults": list(self.faults), "cue": self.cue.to_dict() if self.cue else None,
            "hold_s": {k: round(v, 2) for k, v in self.hold_s.items()},
            "model": self.pose.seen if self.pose is not None else True,
        }
        rec.update(self.notes.to_json())
        return rec


@dataclass(frozen=True)
class EstimatorSpec:
    """The pose estimator a session needs, said by the session's registry and built by the commands
    (posecoach.vision.estimator.open_estimator): `rotating` also tries the picture turned a quarter
    turn when nobody is found (lying people); `masks` asks for the person's segmentation mask (the
    pelvis outline, the breathing)."""
    rotating: bool = False
    masks: bool = True
