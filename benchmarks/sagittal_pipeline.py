"""posecoach's lunge judgement over a rendered clip's cached landmarks, as it is today, as the
plain baseline, and with the sagittal correction (issue 12), simulated on cached landmarks (now
wired in for real behind Settings.sagittal_model; this also tries other view thresholds).

The hook (mode "corrected"): after `observe()` has measured a frame,
  reading = sagittal.sagittal_metrics(pose, obs.facing, front_label)
  obs.view_angle_deg = |reading.view_angle_deg|          (the view hysteresis reads it)
  obs.metrics = reading.metrics (+ the pelvis' tilt) when the person kneels
and the view hysteresis switches to "front" above `view_on` deg (back below `view_off`) instead
of 42 / 36, since the corrected angles hold further off the side view. The rest of the analyzer
(steady facing and front leg, One-Euro smoothing, FaultJudge) runs unchanged, so the frame
records score like `posecoach analyze` output (benchmarks/scoring.py), minus the coach's cues.
Also recorded per frame: the anatomical front side by posecoach's steadied label and by
sagittal.FrontSideVote (geometry), to score which leg is in front.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.landmark_cache import landmarks
from benchmarks.oblique import pose_at
from benchmarks.sagittal_data import _front_label
from posecoach.core.config import Settings
from posecoach.core.types import Pose
from posecoach.exercises import lunge as lunge_mod
from posecoach.exercises import sagittal as S
from posecoach.exercises import view as view_mod

MODES = ("today", "corrected", "plain")


@contextlib.contextmanager
def corrected_observe(view_on: float, view_off: float, readings: dict[int, S.SagittalReading | None]) -> Iterator[None]:
    """Patch lunge.observe (and the view thresholds) with the hook of the module doc; each
    frame's reading lands in `readings[id(pose)]`."""
    original = lunge_mod.observe

    def observe(pose: Pose, facing: int = 0, corrected: bool = True) -> lunge_mod.Observation:
        obs = original(pose, facing, corrected)
        if not obs.person:
            return obs
        reading = S.sagittal_metrics(pose, obs.facing, _front_label(pose, obs.facing))
        readings[id(pose)] = reading
        if reading is not None:
            obs.view_angle_deg = abs(reading.view_angle_deg)
            if obs.kneeling:
                obs.metrics = reading.metrics
        return obs

    lunge_mod.observe = observe  # type: ignore[assignment]
    defaults = view_mod.ViewHysteresis.__init__.__defaults__
    view_mod.ViewHysteresis.__init__.__defaults__ = (view_on, view_off, False)
    try:
        yield
    finally:
        lunge_mod.observe = original  # type: ignore[assignment]
        view_mod.ViewHysteresis.__init__.__defaults__ = defaults


def run_clip(truth: dict[str, Any], data: dict[str, np.ndarray], mode: str, view_on: float = 42.0,
             view_off: float = 36.0) -> list[dict[str, Any]]:
    """Frame records (frame, t_ms, metrics, faults, view, front sides) of one clip in `mode`."""
    analyzer = lunge_mod.LungeAnalyzer(Settings(plain=mode == "plain"))
    size = tuple(int(v) for v in data["size"])
    readings: dict[int, S.SagittalReading | None] = {}
    vote = S.FrontSideVote()
    out = []
    ctx = corrected_observe(view_on, view_off, readings) if mode == "corrected" else contextlib.nullcontext()
    with ctx:
        for rec in truth["per_frame"]:
            i, t_ms = int(rec["frame"]), int(rec["t_ms"])
            present = i < len(data["present"]) and bool(data["present"][i])
            pose = pose_at(data, i) if present else Pose.empty(size)  # type: ignore[arg-type]
            state = analyzer.update(pose, t_ms)
            reading = readings.pop(id(pose), None)
            if not state.in_lunge:
                vote.reset()
            geo = vote.update(reading.front_near if reading else None, state.facing) if state.in_lunge else None
            out.append({"frame": i, "t_ms": t_ms, "metrics": state.metrics.to_values(), "faults": list(state.faults),
                        "view": str(state.view), "in_lunge": state.in_lunge,
                        "view_angle_deg": None if reading is None else reading.view_angle_deg,
                        "front_side_label": state.front_side,  # posecoach today: MediaPipe's label
                        "front_side_geometry": geo})
    return out


def load(truth_path: Path, cache: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    video = truth_path.with_name(truth_path.name.replace(".truth.json", ".mp4"))
    return json.loads(truth_path.read_text()), landmarks(video, cache)
