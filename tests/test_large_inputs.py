"""Large inputs (4K, a portrait phone video) are analysed at a bounded size without losing accuracy:
the metrics match those of the full-size analysis within a fraction of a degree, and the annotated
video stays at a bounded size."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from clipmaker import make_clip
from conftest import real_clip

from posecoach.core.protocol import METRIC_NAMES
from posecoach.runner.analyze import AnalyzeOptions, analyze_video
from posecoach.vision.estimator import PoseEstimator


def analyse(video: Path, out: Path, max_side: int, annotate: bool = False) -> list[dict]:
    analyze_video(video, AnalyzeOptions(out_dir=out, progress=False, annotate=annotate),
                  estimator=PoseEstimator(max_side=max_side, masks=True))
    return [json.loads(x) for x in (out / video.stem / "frames.jsonl").read_text().splitlines()]


def metric_gap(a: list[dict], b: list[dict]) -> dict[str, float]:
    """Mean absolute difference per metric over frames where both measured it."""
    out = {}
    for name in METRIC_NAMES:
        x = np.array([r["metrics"][name] if r["metrics"][name] is not None else np.nan for r in a], float)
        y = np.array([r["metrics"][name] if r["metrics"][name] is not None else np.nan for r in b], float)
        both = np.isfinite(x) & np.isfinite(y)
        if both.sum() >= 10:
            out[name] = float(np.mean(np.abs(x[both] - y[both])))
    return out


def test_4k_is_measured_like_the_original(tmp_path: Path) -> None:
    """The same 1.5 s at 960x540 and upscaled to 3840x2160: the 4K frames are shrunk to 960 before
    detection, and the measurements agree with the original's."""
    src = real_clip("kneeling_stretch_side.mp4")
    small = make_clip(tmp_path / "small.mp4", src, 1.5, size=(960, 540))
    big = make_clip(tmp_path / "big.mp4", src, 1.5, size=(3840, 2160))
    a = analyse(small, tmp_path / "out", 960)
    b = analyse(big, tmp_path / "out", 960, annotate=True)
    gap = metric_gap(a, b)
    assert {"front_knee_angle_deg", "shin_tilt_deg", "trunk_lean_deg"} <= set(gap)
    assert max(gap.values()) < 1.5, gap
    assert sum(r["person"] for r in b) == len(b)
    cap = cv2.VideoCapture(str(tmp_path / "out" / "big" / "annotated.mp4"))
    assert max(cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) <= 1280


def test_portrait_phone_video_bounded_size_matches_full_size(tmp_path: Path) -> None:
    """2 s of the 1080x1920 portrait clip around a forward rock: analysed at max_side 960 (the
    default) and at full size; the same metrics within a degree and the same faults."""
    src = real_clip("kneeling_stretch_rocking_oblique_portrait.mp4")
    clip = make_clip(tmp_path / "portrait.mp4", src, 2.0, size=None, start_s=6.0)
    full = analyse(clip, tmp_path / "full", 1920)
    bounded = analyse(clip, tmp_path / "bounded", 960)
    gap = metric_gap(full, bounded)
    assert gap and max(gap.values()) < 1.0, gap
    # Faults that last (5+ frames) in one analysis are found by the other; a value on the edge of
    # its band may tip a few frames either way (the oblique correction withholds some frames here).
    def lasting(rows: list[dict]) -> set[str]:
        counts: dict[str, int] = {}
        for r in rows:
            for f in r["faults"]:
                counts[f] = counts.get(f, 0) + 1
        return {f for f, n in counts.items() if n >= 5}

    faults_full = {f for r in full for f in r["faults"]}
    faults_bounded = {f for r in bounded for f in r["faults"]}
    assert lasting(full) <= faults_bounded and lasting(bounded) <= faults_full, (faults_full, faults_bounded)
    assert lasting(full), "the forward rock's fault is found"
    # Frame by frame: the fault edges may move by a few frames (measured 53 of 60 the same: a fault
    # held through withheld frames ends where the last reading was, which differs by ~4 frames).
    same = sum(set(x["faults"]) == set(y["faults"]) for x, y in zip(full, bounded))
    assert same >= 0.85 * len(full)


@pytest.mark.parametrize("size", [(3840, 2160), (1080, 1920)])
def test_estimator_shrinks_large_frames_and_maps_back(size: tuple[int, int]) -> None:
    """Landmarks come back in the frame's own pixels and the mask at detection scale."""
    from posecoach.core.types import Frame
    src = real_clip("kneeling_stretch_side.mp4")
    cap = cv2.VideoCapture(str(src))
    ok, img = cap.read()
    cap.release()
    w, h = size
    big = cv2.resize(img, size) if w > h else cv2.resize(img[:, 240:720], size)
    with PoseEstimator(masks=True) as est:
        pose = est.detect(Frame(big, 0, 0))
    assert pose.present and pose.image_size == size
    xs, ys = pose.xy[:, 0], pose.xy[:, 1]
    assert 0.2 * w < np.nanmedian(xs) < 0.8 * w and 0.2 * h < np.nanmedian(ys) < 0.95 * h
    assert pose.mask is not None and max(pose.mask.shape) == 960
    assert pose.mask_scale == pytest.approx(960 / max(size))
    hip = pose.xy[23] * pose.mask_scale
    assert pose.mask[int(hip[1]), int(hip[0])] > 0.5  # the person's hip, in mask pixels


def test_pelvic_tilt_is_measured_on_large_frames(tmp_path: Path) -> None:
    """The pelvis reads the mask at detection scale: a 1920x1440 copy of a sample clip gets the
    same pelvic tilt as the 640x480 original."""
    from conftest import SAMPLES
    src = SAMPLES / "fault_anterior_tilt.mp4"
    if not src.is_file():
        pytest.skip("sample clip not present")
    small = make_clip(tmp_path / "small.mp4", src, 2.0, size=(640, 480))
    big = make_clip(tmp_path / "big.mp4", src, 2.0, size=(1920, 1440))
    a, b = analyse(small, tmp_path / "out", 960), analyse(big, tmp_path / "out", 960)
    tilt = [[r["metrics"]["pelvic_tilt_deg"] for r in rows] for rows in (a, b)]
    measured = [sum(v is not None for v in t) for t in tilt]
    assert measured[0] >= 20 and measured[1] >= 0.9 * measured[0], measured
    assert metric_gap(a, b)["pelvic_tilt_deg"] < 1.5
