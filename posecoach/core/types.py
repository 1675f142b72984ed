"""Small value types passed between the pipeline's stages. No OpenCV or MediaPipe in here."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from posecoach.core.landmarks import NUM_LANDMARKS

METRIC_NAMES = ("front_knee_angle_deg", "shin_tilt_deg", "knee_ahead_of_ankle",
                "back_hip_extension_deg", "trunk_lean_deg", "pelvic_tilt_deg")


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


@dataclass(frozen=True)
class Cue:
    """An instruction issued at one moment: a fault or guidance code, and what the person is told."""
    code: str
    text: str
    t_ms: int
    priority: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "text": self.text}


@dataclass
class FrameResult:
    """Everything the analysis knows about one frame: what frames.jsonl records, plus the pose."""
    frame: int
    t_ms: int
    person: bool
    view: str
    front_side: str | None
    phase: str
    metrics: Metrics
    faults: list[str]
    cue: Cue | None
    hold_s: dict[str, float]
    pose: Pose | None = None
    notes: dict[str, object] = field(default_factory=dict)

    def to_record(self) -> dict[str, object]:
        rec: dict[str, object] = {
            "frame": self.frame, "t_ms": self.t_ms, "person": self.person, "view": self.view,
            "front_side": self.front_side, "phase": self.phase, "metrics": self.metrics.to_dict(),
            "faults": list(self.faults), "cue": self.cue.to_dict() if self.cue else None,
            "hold_s": {k: round(v, 2) for k, v in self.hold_s.items()},
        }
        rec.update(self.notes)
        return rec
