"""How fast posecoach runs, measured on one set of frames in one run, with ratios to the floor.

    python -m benchmarks.speed [--video FILE] [--seconds N] [--large]

1. bare: MediaPipe PoseLandmarker.detect_for_video alone, same options as the pipeline, on frames
   decoded, shrunk and converted to RGB beforehand (only the call is timed): the physical floor.
2. analyze: `analyze_video(..., annotate=True)` end to end (decode, pose, analysis, overlay,
   encode, frames.jsonl), wall time including the model load; ratio analyze/bare (target >= 0.8).
3. live: `run_live` headless with `PacedVideoSource` playing the same frames as a 30 fps 640x480
   camera: capture-to-cue latency p50/p95 (target p95 <= 50 ms), p95 by quarter of the run (a
   backlog would make it climb), frames dropped, sustained fps and live fps / 30 (target 1.0).
4. memory: peak RSS of each phase (sampled every 20 ms) and ru_maxrss of the whole run.
5. --large: the same frames as 1080p, 4K and 1080x1920 portrait: decode, shrink and pose ms per
   frame and analyze fps, to show large inputs cost a bounded amount.

The input is --video, else ../shared/real_clips/kneeling_stretch_side.mp4 when present, else the
first sample video; it is looped to --seconds and written once to a temporary clip (mp4v) so every
phase reads the very same frames. Machine load is printed: the machine is shared, so a busy
neighbour lowers every number; the ratios are the comparable part.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REAL_CLIP = ROOT.parent / "shared" / "real_clips" / "kneeling_stretch_side.mp4"
CAMERA_FPS, CAMERA_SIZE = 30.0, (640, 480)


def default_video() -> Path:
    if REAL_CLIP.is_file():
        return REAL_CLIP
    samples = sorted((ROOT / "sample_videos").glob("*.mp4"))
    if samples:
        return samples[0]
    raise SystemExit("speed: no input video; pass --video FILE")


def rss_mb() -> float:
    """Resident set size now, MB (Linux /proc; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakRss:
    """Samples RSS every `period_s` on a thread; `peak` is the highest seen inside `with`."""

    def __init__(self, period_s: float = 0.02) -> None:
        self.period_s = period_s
        self.peak = 0.0
        self.start = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> "PeakRss":
        self.start = self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def write_clip(src: Path, dst: Path, seconds: float, size: tuple[int, int] | None = None,
               fps: float | None = None) -> tuple[int, float, tuple[int, int]]:
    """Loop `src` into `dst` for `seconds` (at `fps`, default the source's), optionally resized
    (centre-cropped to the aspect first). Returns (frames, fps, (w, h))."""
    cap = cv2.VideoCapture(str(src))
    src_fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    frames: list[np.ndarray] = []
    while len(frames) < seconds * src_fps:
        ok, img = cap.read()
        if not ok:
            if not frames:
                raise SystemExit(f"speed: cannot decode {src}")
            cap.release()
            cap = cv2.VideoCapture(str(src))
            continue
        frames.append(img)
    cap.release()
    out_fps = fps or src_fps
    n = int(round(seconds * out_fps))
    h0, w0 = frames[0].shape[:2]
    writer = None
    for i in range(n):
        img = frames[min(len(frames) - 1, int(i * src_fps / out_fps))]
        if size is not None:
            img = fit(img, size)
        if writer is None:
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), out_fps,
                                     (img.shape[1], img.shape[0]))
        writer.write(img)
    assert writer is not None
    writer.release()
    return n, out_fps, (size or (w0, h0))


def fit(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre-crop `img` to the aspect of `size` (w, h), then resize to it."""
    h, w = img.shape[:2]
    tw, th = size
    if w * th > h * tw:
        cw = int(round(h * tw / th))
        img = img[:, (w - cw) // 2:(w - cw) // 2 + cw]
    else:
        ch = int(round(w * th / tw))
        img = img[(h - ch) // 2:(h - ch) // 2 + ch]
    interp = cv2.INTER_AREA if img.shape[1] > tw else cv2.INTER_CUBIC
    return cv2.resize(img, size, interpolation=interp)


def pipeline_masks() -> bool:
    """Whether the pipeline asks MediaPipe for masks (it does when pelvic tilt is built in)."""
    from posecoach.analyze import make_pelvis
    from posecoach.config import Settings
    return make_pelvis(None, Settings()) is not None


@contextmanager
def landmarker(masks: bool) -> Iterator[object]:
    from posecoach.estimator import PoseEstimator
    est = PoseEstimator(masks=masks, people_check_ms=0)
    try:
        yield est._landmarker  # the very landmarker (options) the pipeline tracks with
    finally:
        est.close()


def bare_rate(clip: Path, masks: bool, max_side: int = 960) -> dict:
    """detect_for_video alone: frames decoded, shrunk and converted before the clock starts."""
    import mediapipe as mp

    from posecoach.estimator import shrink
    cap = cv2.VideoCapture(str(clip))
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    spent, n = 0.0, 0
    with landmarker(masks) as lm:
        while True:
            ok, img = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(shrink(img, max_side)[0], cv2.COLOR_BGR2RGB)
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            ts = int(round(n * 1000 / fps)) + 1
            t0 = time.perf_counter()
            lm.detect_for_video(image, ts)  # type: ignore[attr-defined]
            spent += time.perf_counter() - t0
            n += 1
    cap.release()
    return {"frames": n, "seconds": spent, "fps": n / spent, "ms_per_frame": 1000 * spent / n}


def analyze_rate(clip: Path, out: Path, annotate: bool = True) -> dict:
    from posecoach.analyze import AnalyzeOptions, analyze_video
    t0 = time.perf_counter()
    summary = analyze_video(clip, AnalyzeOptions(out_dir=out, annotate=annotate, progress=False))
    dt = time.perf_counter() - t0
    n = int(summary["frames"])
    return {"frames": n, "seconds": dt, "fps": n / dt, "ms_per_frame": 1000 * dt / n}


def live_run(clip: Path, frames: int, fps: float, session_dir: Path) -> dict:
    """run_live headless on `clip` paced as a camera; latency and drops from its summary."""
    import dataclasses

    from posecoach.live import LiveOptions, run_live
    wanted = {"video": clip, "window": False, "mute": True, "session_dir": session_dir,
              "history": False, "report": False}
    names = {f.name for f in dataclasses.fields(LiveOptions)}
    opts = LiveOptions(**{k: v for k, v in wanted.items() if k in names})
    t0 = time.perf_counter()
    summary = run_live(opts)
    wall = time.perf_counter() - t0
    done = int(summary["frames"])
    stream_s = frames / fps
    lat = summary.get("latency_ms", {})
    return {"frames_offered": frames, "frames_processed": done, "dropped": summary.get("dropped_frames"),
            "fps": done / stream_s, "ratio": done / frames, "latency_ms": lat, "wall_s": wall}


def large_inputs(src: Path, tmp: Path, seconds: float) -> list[dict]:
    """Decode, shrink and pose cost per frame, and analyze fps, at 1080p, 4K and portrait."""
    import mediapipe as mp

    from posecoach.estimator import shrink
    rows = []
    for name, size in (("1080p", (1920, 1080)), ("4K", (3840, 2160)), ("portrait 1080x1920", (1080, 1920))):
        clip = tmp / f"large_{size[0]}x{size[1]}.mp4"
        write_clip(src, clip, seconds, size=size)
        cap = cv2.VideoCapture(str(clip))
        dec = shr = det = 0.0
        n = 0
        with landmarker(pipeline_masks()) as lm:
            while True:
                t0 = time.perf_counter()
                ok, img = cap.read()
                t1 = time.perf_counter()
                if not ok:
                    break
                small, _ = shrink(img, 960)
                rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
                t2 = time.perf_counter()
                lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), n * 33 + 1)  # type: ignore[attr-defined]
                t3 = time.perf_counter()
                dec, shr, det, n = dec + t1 - t0, shr + t2 - t1, det + t3 - t2, n + 1
        cap.release()
        an = analyze_rate(clip, tmp / "large_out", annotate=False)
        rows.append({"input": name, "decode_ms": 1000 * dec / n, "shrink_ms": 1000 * shr / n,
                     "pose_ms": 1000 * det / n, "analyze_fps": an["fps"], "bare_fps": n / det})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__.split("\n")[0])
    ap.add_argument("--video", type=Path, help="input clip (default: a real clip or a sample video)")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the looped test clip (default 20)")
    ap.add_argument("--large", action="store_true", help="also time 1080p, 4K and portrait versions")
    ap.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    args = ap.parse_args(argv)
    src = args.video or default_video()
    if not src.is_file():
        raise SystemExit(f"speed: video not found: {src}")

    with tempfile.TemporaryDirectory(prefix="posecoach-speed-") as tmpdir:
        tmp = Path(tmpdir)
        os.environ.setdefault("POSECOACH_HOME", str(tmp / "home"))  # no history or first-run marks
        clip, cam = tmp / "clip.mp4", tmp / "camera_640x480_30fps.mp4"
        n, fps, size = write_clip(src, clip, args.seconds)
        n_cam, _, _ = write_clip(src, cam, args.seconds, size=CAMERA_SIZE, fps=CAMERA_FPS)
        masks = pipeline_masks()
        load = os.getloadavg()
        print(f"posecoach speed benchmark: {src.name} looped to {args.seconds:g} s = {n} frames "
              f"{size[0]}x{size[1]} @ {fps:.2f} fps; camera stand-in {n_cam} frames 640x480 @ 30 fps")
        print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before the run; "
              f"pose model BlazePose Full, masks={'on' if masks else 'off'}")

        with PeakRss() as m_bare:
            bare = bare_rate(clip, masks)
        with PeakRss() as m_an:
            an = analyze_rate(clip, tmp / "out")
        with PeakRss() as m_live:
            live = live_run(cam, n_cam, CAMERA_FPS, tmp / "live_session")
        with open(tmp / "out" / "clip" / "frames.jsonl") as fh:
            records = sum(1 for _ in fh)

        lat = live["latency_ms"]
        ratio = an["fps"] / bare["fps"]
        print()
        print(f"{'phase':<34}{'frames':>8}{'fps':>9}{'ms/frame':>10}")
        print(f"{'bare detect_for_video':<34}{bare['frames']:>8}{bare['fps']:>9.1f}{bare['ms_per_frame']:>10.1f}")
        print(f"{'analyze --annotate, end to end':<34}{an['frames']:>8}{an['fps']:>9.1f}{an['ms_per_frame']:>10.1f}")
        print(f"{'live, 30 fps camera, headless':<34}{live['frames_processed']:>8}{live['fps']:>9.1f}"
              f"{'':>10}")
        print()
        print(f"analyze / bare inference rate : {ratio:.2f}   (target >= 0.80) "
              f"{'OK' if ratio >= 0.8 else 'MISSED'}")
        print(f"live fps / 30                 : {live['ratio']:.2f}   (target 1.00: every frame taken) "
              f"{'OK' if live['ratio'] >= 0.97 else 'MISSED'}")
        p95 = lat.get("p95")
        print(f"live latency capture->cue     : p50 {lat.get('p50')} ms, p95 {p95} ms, max {lat.get('max')} ms "
              f"(target p95 <= 50) {'OK' if p95 is not None and p95 <= 50 else 'MISSED'}")
        trend = lat.get("p95_by_quarter") or []
        growing = bool(trend) and trend[-1] > 2 * max(trend[0], 1.0) and trend[-1] > 50
        print(f"live p95 by quarter of the run: {trend} ms  backlog: "
              f"{'GROWING' if growing else 'none (latest frame only; stale frames dropped)'}")
        print(f"live frames dropped           : {live['dropped']} of {live['frames_offered']}")
        print(f"frames.jsonl records          : {records} of {an['frames']} analysed")
        print(f"memory, peak RSS              : bare {m_bare.peak:.0f} MB, analyze {m_an.peak:.0f} MB, "
              f"live {m_live.peak:.0f} MB; ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        result = {"input": str(src), "frames": n, "size": size, "fps": fps, "load_before": load,
                  "bare": bare, "analyze": an, "live": live, "ratio_analyze_bare": ratio,
                  "rss_peak_mb": {"bare": m_bare.peak, "analyze": m_an.peak, "live": m_live.peak}}
        if args.large:
            print()
            print(f"{'large input (same frames)':<22}{'decode ms':>10}{'shrink ms':>10}{'pose ms':>9}"
                  f"{'bare fps':>9}{'analyze fps':>12}")
            rows = large_inputs(src, tmp, min(args.seconds, 6.0))
            for r in rows:
                print(f"{r['input']:<22}{r['decode_ms']:>10.1f}{r['shrink_ms']:>10.1f}{r['pose_ms']:>9.1f}"
                      f"{r['bare_fps']:>9.1f}{r['analyze_fps']:>12.1f}")
            result["large"] = rows
        print(f"\nload average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
