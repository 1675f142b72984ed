"""Replay cached landmarks through the analyzer and coach (no pose model, ~100x faster than
`posecoach analyze`) to tune smoothing, debouncing and view/kneeling detection on the truth.

    python -m benchmarks.replay sample_videos/ [--cache DIR] [--grid]

Landmarks come from benchmarks.landmark_cache (the same VIDEO-mode run as the analysis). Pelvic
tilt is not replayed (it needs the segmentation mask); everything else is the real Session.
"""
from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.accuracy import REAL_EXPECT, UNKNOWN_REAL
from benchmarks.landmark_cache import SAMPLE_CACHE, landmarks
from benchmarks.offsets import pose_at
from benchmarks.scoring import (
    CODES,
    ClipScore,
    expected_truth,
    pool,
    pooled_latency,
    score_clip,
)
from posecoach.core.config import Settings, SmoothingConfig
from posecoach.core.errors import PosecoachError
from posecoach.core.types import Frame, Pose
from posecoach.sessions.lunge import LungeSession
from posecoach.sessions.protocol import SessionContext

_GREY = np.full((8, 8, 3), 128, np.uint8)


class _NoEstimator:
    """Stands in for the pose model: the session is given poses directly."""

    def detect(self, frame: Frame) -> Pose:
        raise AssertionError("replay judges cached poses")

    def close(self) -> None:
        pass


def replay(truth: dict[str, Any], data: dict[str, np.ndarray], settings: Settings) -> list[dict[str, Any]]:
    """frames.jsonl-like records for one clip, from cached landmarks."""
    session = LungeSession(SessionContext(settings, _NoEstimator()))
    size = tuple(int(v) for v in data["size"])
    out = []
    for rec in truth["per_frame"]:
        i = int(rec["frame"])
        if i >= len(data["present"]):
            break
        pose = pose_at(data, i) if data["present"][i] else Pose.empty(size)  # type: ignore[arg-type]
        r = session.judge(Frame(_GREY, int(rec["t_ms"]), i), pose)
        out.append(r.to_record())
    return out


def load_clips(folders: Iterable[Path], cache: Path) -> list[tuple[str, dict[str, Any], dict[str, np.ndarray]]]:
    """(stem, truth, landmarks) for every clip; a clip without a truth file (real footage) gets the
    stand-in truth of benchmarks.accuracy.REAL_EXPECT at the video's nominal frame times."""
    clips = []
    for folder in folders:
        has_truth = any(folder.glob("*.truth.json"))  # then a video without one is still being made
        for video in sorted(folder.glob("*.mp4")):
            t = video.with_name(video.stem + ".truth.json")
            if has_truth and not t.is_file():
                continue
            try:
                data = landmarks(video, cache)
            except PosecoachError as e:  # e.g. a clip still being written
                print(f"replay: skipping {video.name}: {e}")
                continue
            if t.is_file():
                truth = json.loads(t.read_text())
            else:
                import cv2

                cap = cv2.VideoCapture(str(video))
                fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
                cap.release()
                stub = [{"frame": i, "t_ms": int(round(i * 1000.0 / fps))} for i in range(len(data["present"]))]
                spec = REAL_EXPECT.get(video.stem, {"expect": UNKNOWN_REAL})
                truth = {"per_frame": expected_truth(stub, spec["expect"], spec.get("until_s"))}
            clips.append((video.stem, truth, data))
    return clips


def evaluate(clips: list[tuple[str, dict[str, Any], dict[str, np.ndarray]]], settings: Settings
             ) -> tuple[ClipScore, list[ClipScore]]:
    scores = [score_clip(name, truth["per_frame"], replay(truth, data, settings)) for name, truth, data in clips]
    return pool("all", scores), scores


def summary_line(p: ClipScore) -> str:
    m = p.metrics
    parts = [f"knee {m['front_knee_angle_deg'].mae or 0:.2f}", f"shin {m['shin_tilt_deg'].mae or 0:.2f}",
             f"hip {m['back_hip_extension_deg'].mae or 0:.2f}", f"trunk {m['trunk_lean_deg'].mae or 0:.2f}"]
    for code in CODES:
        f = p.faults[code]
        if f.tp + f.fn + f.fp:
            parts.append(f"{code[:8]} {f.precision or 0:.2f}/{f.recall or 0:.2f}")
    lat = pooled_latency(p, CODES)
    parts.append(f"lat {lat.median_s or 0:.2f}/{lat.max_s or 0:.2f} miss {lat.misses}")
    parts.append(f"false {len(p.false_cues)} wrong {len(p.wrong_cues)}")
    return "  ".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.replay", description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--cache", type=Path, default=SAMPLE_CACHE)
    ap.add_argument("--grid", action="store_true", help="sweep One Euro and debounce settings")
    args = ap.parse_args(argv)
    clips = load_clips(args.folders, args.cache)
    base = Settings()
    total, per = evaluate(clips, base)
    print("current:", summary_line(total))
    for s in per:
        print(f"  {s.name[:30]:<30} {summary_line(s)}")
    if args.grid:
        for mc, beta, on, off in itertools.product((0.3, 0.5, 1.0, 2.0), (0.0, 0.02, 0.1),
                                                  (100.0, 200.0, 300.0), (200.0, 300.0, 500.0)):
            sm = replace(SmoothingConfig(), min_cutoff_hz=mc, beta=beta, fault_on_ms=on, fault_off_ms=off)
            total, _ = evaluate(clips, replace(base, smoothing=sm))
            print(f"mc {mc:<4} beta {beta:<5} on {on:<5.0f} off {off:<5.0f} {summary_line(total)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
