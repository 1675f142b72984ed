"""The pelvic-tilt estimator the lunge analyzer calls, over a stream of frames: calibrated from a
neutral window (recordings) or a guided capture (live), noticing a moved camera, and saying why a
frame has no reading. The measurement itself is posecoach.pelvis.model.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from posecoach.core.protocol import Fault
from posecoach.core.types import Pose
from posecoach.pelvis import learned
from posecoach.pelvis.calibration import GuidedCalibration
from posecoach.pelvis.model import (
    DELTA_WEIGHTS,
    HANDS_HOLD_MS,
    MAX_EDGE_TRUNK,
    MAX_JITTER_DEG,
    RECENT,
    RUNNING_MIN_SAMPLES,
    UNCALIBRATED_MARGIN_DEG,
    BodyObservation,
    Calibration,
    PelvisReading,
    Sample,
    calibrate,
    camera_moved,
    measure,
    tilt_from,
)

# A frame the model did not see repeats the outline of the last one it saw, if that is this recent
# (a frame or two of a sampled recording); an older one (before a side switch, a stand-up) is not
# this moment's back: the frame is measured as it is.
HELD_MAX_MS = 250


@dataclass
class PelvisTilt:
    """The pelvic-tilt estimator the lunge analyzer calls: `update(pose, obs, t_ms) -> degrees | None`.

    neutral_s: seconds (start, end) of a neutral hold in a recording; samples inside it calibrate
        (a running neutral while inside it), and from then on readings are changes from it.
    guided: live: run the guided capture (neutral, tuck, arch on cue; posecoach.pelvis.calibration) and
        redo it when the camera moves; `prompt()` gives the code to say.
    calibration: a ready calibration (the second pass of a two-pass analysis).
    replay: t_ms -> Sample measured earlier (second pass: no masks needed).
    record: keep every frame's Sample in `samples` (first pass of a two-pass analysis).
    `last` is the latest PelvisReading; `threshold_shift_deg` is how much later ANTERIOR_TILT
    should switch on given the calibration state (the uncalibrated estimate is rough).
    A pose the model did not see (`Pose.seen` False: interpolated between model frames) repeats the
    outline measured last instead of reading a held mask again (~3 ms a frame saved).
    """
    neutral_s: tuple[float, float] | None = None
    guided: bool = False
    calibration: Calibration | None = None
    replay: dict[int, Sample] | None = None
    record: bool = False
    samples: list[Sample] = field(default_factory=list)
    last: PelvisReading | None = None
    stale: bool = False
    # why a requested calibration did not happen ("too_few_neutral_frames"), for the summary
    calibration_note: str | None = None

    def __post_init__(self) -> None:
        self._window: list[Sample] = []
        self._recent: list[Sample] = []
        self._guide: GuidedCalibration | None = GuidedCalibration() if self.guided else None
        self._prompt: str | None = None
        self._prompt_until = -1
        self._hands_since: int | None = None
        self._told_uncalibrated = False
        self._counts: dict[str, int] = {}
        self._quality: deque[tuple[float, float]] = deque(maxlen=RECENT)  # (edge / trunk, tilt change)
        self._held: Sample | None = None  # the last sample measured on a frame the model saw
        models = learned.active()  # uncalibrated readings steadied by the session's own frames
        self._selfref = learned.SelfReference(models) if models is not None else None

    @property
    def calibrated(self) -> bool:
        return self.calibration is not None and self.calibration.usable and not self.stale

    @property
    def threshold_shift_deg(self) -> float:
        if self.calibrated:
            return 0.0
        if self._selfref is not None:  # the learned model's own margin (posecoach/data/pelvis_model.json)
            return float(self._selfref.models.info.get("threshold_shift_deg", UNCALIBRATED_MARGIN_DEG))
        return UNCALIBRATED_MARGIN_DEG

    @property
    def calibrating(self) -> bool:
        return self._guide is not None and not self._guide.done

    def prompt(self, t_ms: int) -> str | None:
        """Live: the calibration prompt code to say at this frame, if any."""
        return self._prompt if t_ms <= self._prompt_until else None

    def sample(self, pose: Pose, obs: BodyObservation, t_ms: int) -> Sample:
        if self.replay is not None:
            return self.replay.get(t_ms, Sample(t_ms, None, "no_mask"))
        jc = obs.joints
        if jc is None:
            return Sample(t_ms, None, "no_person")
        return measure(pose, jc.mid_hip, jc.mid_shoulder, int(obs.facing or 1), obs.view_angle_deg, t_ms)

    def _steady(self, s: Sample) -> Sample:
        """The sample, or why not, judged over the recent ones: a soft mask edge or an outline
        that jumps from frame to frame carries no tilt."""
        if s.features is None:
            return s
        f = s.features
        self._quality.append((f.edge_px / max(f.trunk_px, 1.0), float(s.vector() @ DELTA_WEIGHTS)))
        edges = [e for e, _ in self._quality]
        tilts = [t for _, t in self._quality]
        if float(np.median(edges)) > MAX_EDGE_TRUNK:
            return replace(s, features=None, reason="outline_unclear")
        if len(tilts) >= 5 and float(np.median(np.abs(np.diff(tilts, 2)))) > MAX_JITTER_DEG:
            return replace(s, features=None, reason="outline_unsteady")
        return s

    def update(self, pose: Pose, obs: BodyObservation, t_ms: int) -> float | None:
        held = (not pose.seen and self._held is not None and self.replay is None
                and t_ms - self._held.t_ms <= HELD_MAX_MS)
        if held:  # the model did not see this frame (runner.sampling): the outline it saw last
            assert self._held is not None
            s = replace(self._held, t_ms=t_ms)
        else:
            s = self.sample(pose, obs, t_ms)
            if self.replay is None:
                s = self._steady(s)
            self._held = s
        if self.record:
            self.samples.append(s)
        if not held:
            self._track(s)
        self.last = self.read(s)
        key = self.last.reason or "ok"
        self._counts[key] = self._counts.get(key, 0) + 1
        return self.last.tilt_deg

    def _say(self, code: str | None, t_ms: int, for_ms: int = 3000) -> None:
        self._prompt, self._prompt_until = code, t_ms + for_ms

    def _track(self, s: Sample) -> None:
        """Calibrate (neutral window or guided capture); notice a moved camera."""
        if self.neutral_s is not None and self.calibration is None and self.calibration_note is None:
            a, b = self.neutral_s
            if a * 1000 <= s.t_ms <= b * 1000:
                self._window.append(s)
                return
            if s.t_ms > b * 1000:
                self.calibration = calibrate(self._window)
                self.calibration_note = None if self.calibration else "too_few_neutral_frames"
                self._window = []
        if self._guide is not None and not self._guide.done:
            self._say(self._guide.update(s, s.t_ms), s.t_ms, 200)
            if self._guide.done:
                self.calibration, self.stale, self._recent = self._guide.result, False, []
                usable = self.calibration is not None and self.calibration.usable
                self._say("CALIB_DONE" if usable else "CALIB_LOOSE", s.t_ms)
            return
        self._recent = [r for r in self._recent if s.t_ms - r.t_ms <= 1000] + [s]
        if self.calibration is not None and not self.stale and camera_moved(self.calibration, self._recent):
            self.stale = True
            if self._guide is not None:
                self._guide.restart()
                self._say("CALIB_AGAIN", s.t_ms)

    def read(self, s: Sample) -> PelvisReading:
        cal = self.calibration
        if cal is None and self._window:
            cal = calibrate(self._window, min_samples=RUNNING_MIN_SAMPLES)  # in the window: the neutral so far
        if self.calibrating:
            return PelvisReading(s.t_ms, None, False, "none", "calibrating")
        if s.features is None:
            return PelvisReading(s.t_ms, None, self.calibrated, "none", s.reason)
        if cal is not None and not cal.usable:
            return PelvisReading(s.t_ms, None, False, "none", cal.reason)
        if self.stale or cal is None:
            why = "camera_moved" if self.stale else self.calibration_note or "uncalibrated"
            if self._selfref is None:
                return PelvisReading(s.t_ms, tilt_from(s, None), False, "rough", why)
            tilt = self._selfref.update(s)  # the learned absolute model, steadied by the session
            if tilt is None:
                return PelvisReading(s.t_ms, None, False, "none", s.absolute_reason or "outline_not_found")
            return PelvisReading(s.t_ms, tilt, False, "rough", why)
        tilt = tilt_from(s, cal)
        if tilt is None:
            return PelvisReading(s.t_ms, None, True, "none", "outline_not_found")
        return PelvisReading(s.t_ms, tilt, True, "good", None)

    def guidance(self, t_ms: int, last_cue: str | None) -> list[str]:
        """Guidance codes for the coach at this frame: the calibration prompt; HANDS_ON_THIGH once
        hands have rested on the hips for HANDS_HOLD_MS (the forearm hides the low back); and,
        after an ANTERIOR_TILT cue given without calibration, PELVIS_UNCALIBRATED (said once)."""
        out = [c for c in (self.prompt(t_ms),) if c]
        last = self.last if self.last is not None and self.last.t_ms == t_ms else None
        if last is not None and last.reason == "hands_on_hips":
            self._hands_since = t_ms if self._hands_since is None else self._hands_since
            if t_ms - self._hands_since >= HANDS_HOLD_MS:
                out.append("HANDS_ON_THIGH")
        elif last is not None:
            self._hands_since = None
        if last_cue == Fault.ANTERIOR_TILT and not self.calibrated:
            self._told_uncalibrated = True
        if self._told_uncalibrated:
            out.append("PELVIS_UNCALIBRATED")
        return out

    def summary(self) -> dict[str, object] | None:
        """For summary.json: the calibration and how often each reason kept the reading rough or null."""
        cal = self.calibration
        return {
            "calibrated": self.calibrated,
            "calibration": None if cal is None else {
                "usable": cal.usable, "reason": cal.reason, "scale": round(cal.scale, 3),
                "tuck_to_arch_deg": None if cal.span_deg is None else round(cal.span_deg, 1)},
            "note": "camera_moved" if self.stale else self.calibration_note,
            "frames": dict(sorted(self._counts.items())),
        }

    def note(self, t_ms: int) -> dict[str, object] | None:
        """frames.jsonl's "pelvis" entry for the frame at t_ms."""
        if self.last is None or self.last.t_ms != t_ms:
            return {"calibrated": self.calibrated, "quality": "none", "reason": "not_measured"}
        return self.last.note()
