"""How fast `posecoach analyze` gets through a recording, end to end, at the sizes clinics record.

    python -m benchmarks.throughput [--seconds 60] [--sizes 540p60,720p30,1080p30,4K] [--work DIR]

For each size a test video is made from committed sample clips (sample_videos/: a good hold, a
knee-past-ankle fault and a side switch, one after another, looped to --seconds, scaled up and
padded to 16:9, H.264 through ffmpeg when it is installed, else OpenCV's MPEG-4), then:

1. bare: MediaPipe's detect_for_video alone on the first --bare-frames frames (decoded, shrunk to
   960 px and converted beforehand; only the call is timed), masks on as in the pipeline: the
   model's own frame rate on this file.
2. `python -m posecoach analyze VIDEO --out DIR --quiet` as a child process, wall time from
   process start to exit, twice: with `--model-fps 0` (the model on every frame: how analyze ran
   before issue 15) and with the default (the fast path: the model on ~10 frames a second).

Printed per size: the real-time factor (video seconds / wall seconds: 3.0 = three times real
time), the ratio to the bare model (analyze frames a second / bare frames a second: above 1 means
faster than running the model on every frame alone), the child's CPU seconds (user + system:
what the run costs on a quiet machine too) and the frames the model saw. The machine is shared:
the load average is printed before and after; compare the rows of one run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("lunge_good_left.mp4", "fault_knee_past_ankle.mp4", "side_switch.mp4")
SIZES = {"540p60": (960, 540, 60), "720p30": (1280, 720, 30), "1080p30": (1920, 1080, 30),
         "4K": (3840, 2160, 30)}


def make_video(dst: Path, size: tuple[int, int, int], seconds: float) -> Path:
    """The sample clips in a row, looped to `seconds`, scaled to the height of `size` and padded
    to its width (the person is never cropped), at its frame rate. Reused when present."""
    if dst.is_file() and dst.stat().st_size > 0:
        return dst
    w, h, fps = size
    clips = [ROOT / "sample_videos" / name for name in SOURCES]
    if shutil.which("ffmpeg"):
        listing = dst.with_suffix(".txt")
        listing.write_text("".join(f"file '{c}'\n" for c in clips))
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-f", "concat", "-safe", "0",
                        "-i", str(listing), "-t", str(seconds),
                        "-vf", f"scale=-2:{h}:flags=bicubic,pad={w}:{h}:(ow-iw)/2:0,fps={fps}",
                        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                        str(dst)], check=True)
        return dst
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    n, want = 0, int(round(seconds * fps))
    while n < want:
        for clip in clips:
            cap = cv2.VideoCapture(str(clip))
            src_fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
            frames = []
            while True:
                ok, img = cap.read()
                if not ok:
                    break
                frames.append(img)
            cap.release()
            for i in range(int(len(frames) * fps / src_fps)):
                if n >= want:
                    break
                writer.write(letterbox(frames[min(int(i * src_fps / fps), len(frames) - 1)], w, h))
                n += 1
    writer.release()
    return dst


def letterbox(img: np.ndarray, w: int, h: int) -> np.ndarray:
    scale = h / img.shape[0]
    tw = min(w, int(round(img.shape[1] * scale)))
    small = cv2.resize(img, (tw, h), interpolation=cv2.INTER_CUBIC)
    out = np.zeros((h, w, 3), np.uint8)
    out[:, (w - tw) // 2:(w - tw) // 2 + tw] = small
    return out


def probe(video: Path) -> tuple[int, float]:
    cap = cv2.VideoCapture(str(video))
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), float(cap.get(cv2.CAP_PROP_FPS))
    finally:
        cap.release()


def bare_fps(video: Path, frames: int) -> float:
    """detect_for_video alone (masks on, the pipeline's options) on the first `frames` frames."""
    import mediapipe as mp

    from posecoach.vision.estimator import PoseEstimator, quiet_native_logs, shrink
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    images = []
    while len(images) < frames:
        ok, img = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(shrink(img, 960)[0], cv2.COLOR_BGR2RGB)
        images.append(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
    cap.release()
    est = PoseEstimator(masks=True, people_check_ms=0)
    lm = est._landmarker
    spent = 0.0
    try:
        for i, image in enumerate(images):
            t0 = time.perf_counter()
            if i == 0:
                with quiet_native_logs():
                    lm.detect_for_video(image, int(round(i * 1000 / fps)) + 1)
            else:
                lm.detect_for_video(image, int(round(i * 1000 / fps)) + 1)
            spent += time.perf_counter() - t0
    finally:
        est.close()
    return len(images) / spent


def analyze_run(video: Path, out: Path, extra: list[str]) -> dict[str, float]:
    """`python -m posecoach analyze` in a child process: wall seconds from start to exit, CPU
    seconds, and the frames the model saw (frames.jsonl "model")."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "posecoach", "analyze", str(video), "--out", str(out), "--quiet",
                    *extra], check=True, stdout=subprocess.DEVNULL, env={**os.environ, "OMP_NUM_THREADS": "1"})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    records = [json.loads(x) for x in (out / video.stem / "frames.jsonl").read_text().splitlines() if x.strip()]
    return {"wall_s": wall, "cpu_s": cpu, "frames": len(records),
            "model_frames": sum(1 for r in records if r.get("model", True))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each test video (default 60)")
    ap.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated, of {', '.join(SIZES)}")
    ap.add_argument("--bare-frames", type=int, default=300, help="frames the bare model is timed on")
    ap.add_argument("--work", type=Path, help="keep the test videos here (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"throughput: unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    tmp = Path(tempfile.mkdtemp(prefix="posecoach-throughput-"))
    work = args.work or tmp
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POSECOACH_HOME", str(tmp / "home"))
    rows = []
    try:
        print(f"posecoach throughput: {args.seconds:g} s per video from {', '.join(SOURCES)}; "
              f"{os.cpu_count()} cores; encoder {'ffmpeg libx264' if shutil.which('ffmpeg') else 'OpenCV mp4v'}")
        for name in sizes:
            w, h, fps = SIZES[name]
            video = make_video(work / f"throughput_{name}_{int(args.seconds)}s.mp4", (w, h, fps), args.seconds)
            frames, real_fps = probe(video)
            seconds = frames / real_fps
            load0 = os.getloadavg()[0]
            bare = bare_fps(video, args.bare_frames)
            every = analyze_run(video, tmp / f"every_{name}", ["--model-fps", "0"])
            fast = analyze_run(video, tmp / f"fast_{name}", [])
            load1 = os.getloadavg()[0]
            row = {"size": name, "frames": frames, "video_s": seconds, "bare_fps": bare, "every": every,
                   "fast": fast, "load": [load0, load1]}
            rows.append(row)
            print(f"\n{name} ({w}x{h} @ {real_fps:g} fps, {frames} frames, {seconds:.1f} s), load {load0:.1f} -> "
                  f"{load1:.1f}; bare model {bare:.1f} fps")
            for label, r in (("every frame (before)", every), ("fast path (default)", fast)):
                rtf = seconds / r["wall_s"]
                ratio = (r["frames"] / r["wall_s"]) / bare
                print(f"  {label:<21} wall {r['wall_s']:6.1f} s  real-time x{rtf:5.2f}  vs bare model "
                      f"{ratio:5.2f}  CPU {r['cpu_s']:6.1f} s ({seconds / max(r['cpu_s'], 1e-9):.2f} video s per "
                      f"CPU s)  model saw {r['model_frames']}/{r['frames']}")
        print("\nsummary (real-time factor = video s / wall s, process start to exit; ratio = analyze fps / bare fps)")
        print(f"{'size':<9}{'before x':>9}{'after x':>9}{'before/bare':>12}{'after/bare':>11}{'after CPU s':>12}")
        for r in rows:
            b, f = r["every"], r["fast"]
            print(f"{r['size']:<9}{r['video_s'] / b['wall_s']:>9.2f}{r['video_s'] / f['wall_s']:>9.2f}"
                  f"{(b['frames'] / b['wall_s']) / r['bare_fps']:>12.2f}{(f['frames'] / f['wall_s']) / r['bare_fps']:>11.2f}"
                  f"{f['cpu_s']:>12.1f}")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
