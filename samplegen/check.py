"""MediaPipe check: in what share of frames does BlazePose find the person the truth says is there?

Runs with the runtime's environment (mediapipe, cv2); needs models/pose_landmarker_full.task.
"""
from __future__ import annotations

import json
from pathlib import Path


def detection_rate(clip: Path, model: Path) -> tuple[int, int, int, int]:
    """(frames with a person per truth, of those detected, frames without, of those detected)."""
    import cv2  # noqa: PLC0415
    import mediapipe as mp  # noqa: PLC0415

    truth_path = clip.with_name(clip.stem + ".truth.json")
    truth = json.loads(truth_path.read_text()) if truth_path.exists() else None
    options = mp.tasks.vision.PoseLandmarkerOptions(
        base_options=mp.tasks.BaseOptions(model_asset_path=str(model)),
        running_mode=mp.tasks.vision.RunningMode.VIDEO,
        num_poses=1,
    )
    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    with_person = found = without = false_found = 0
    with mp.tasks.vision.PoseLandmarker.create_from_options(options) as landmarker:
        index = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            result = landmarker.detect_for_video(image, int(round(1000 * index / fps)))
            detected = bool(result.pose_landmarks)
            present = truth["per_frame"][index]["person"] if truth and index < len(truth["per_frame"]) else True
            if present:
                with_person += 1
                found += detected
            else:
                without += 1
                false_found += detected
            index += 1
    cap.release()
    return with_person, found, without, false_found


def check_clips(clips: list[Path], model: Path) -> int:
    """Print the detection rate of each clip; returns a process exit code."""
    if not model.exists():
        print(f"no pose model at {model}; skipping the MediaPipe check")
        return 0
    print(f"{'clip':40s} {'detected':>14s} {'rate':>6s} {'false (empty)':>14s}")
    for clip in clips:
        n, hit, m, false_hit = detection_rate(clip, model)
        rate = hit / n if n else float("nan")
        empty = f"{false_hit}/{m}" if m else "-"
        print(f"{clip.stem:40s} {hit:>6d}/{n:<7d} {rate:6.2f} {empty:>14s}")
    return 0
