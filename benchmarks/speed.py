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
6. --people: what knowing the number of people costs: MediaPipe with num_poses=1 and 2 on the
   same frames, posecoach's estimator (one pose tracked, two-person check every 2 s), and the
   estimator on two people side by side (it then tracks both to follow one).

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
    (centre-cropped to the aspect first), streaming (one frame in memory). Returns
    (frames, fps, (w, h))."""
    cap = cv2.VideoCapture(str(src))
    src_fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    out_fps = fps or src_fps
    n = int(round(seconds * out_fps))
    writer, img, read = None, None, 0  # read: source frames consumed so far (over all loops)
    for i in range(n):
        while read <= int(i * src_fps / out_fps):
            ok, frame = cap.read()
            if not ok:
                if read == 0 or img is None:
                    raise SystemExit(f"speed: cannot decode {src}")
                cap.release()
                cap = cv2.VideoCapture(str(src))
                continue
            img, read = frame, read + 1
        out = fit(img, size) if size is not None else img
        if writer is None:
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), out_fps, (out.shape[1], out.shape[0]))
        writer.write(out)
    cap.release()
    assert writer is not None and img is not None
    writer.release()
    return n, out_fps, (size or (img.shape[1], img.shape[0]))


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
    from posecoach.core.config import Settings
    from posecoach.sessions.registry import estimator_spec
    return estimator_spec("lunge", Settings()).masks


@contextmanager
def landmarker(masks: bool, num_poses: int = 1) -> Iterator[object]:
    from posecoach.vision.estimator import PoseEstimator
    est = PoseEstimator(masks=masks, people_check_ms=0, num_poses=num_poses)
    try:
        yield est._landmarker  # the very landmarker (options) the pipeline tracks with
    finally:
        est.close()


def rgb_frames(clip: Path, max_side: int = 960) -> Iterator[tuple[object, int]]:
    """(mp.Image, timestamp ms) for each frame, shrunk as the pipeline does."""
    import mediapipe as mp

    from posecoach.vision.estimator import shrink
    cap = cv2.VideoCapture(str(clip))
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    n = 0
    while True:
        ok, img = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(shrink(img, max_side)[0], cv2.COLOR_BGR2RGB)
        yield mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(round(n * 1000 / fps)) + 1
        n += 1
    cap.release()


def bare_rate(clip: Path, masks: bool, num_poses: int = 1) -> dict:
    """detect_for_video alone: frames decoded, shrunk and converted before the clock starts."""
    from posecoach.vision.estimator import quiet_native_logs
    spent, n = 0.0, 0
    with landmarker(masks, num_poses) as lm:
        for image, ts in rgb_frames(clip):
            t0 = time.perf_counter()
            if n == 0:
                with quiet_native_logs():  # the first landmarks log a projection warning
                    lm.detect_for_video(image, ts)  # type: ignore[attr-defined]
            else:
                lm.detect_for_video(image, ts)  # type: ignore[attr-defined]
            spent += time.perf_counter() - t0
            n += 1
    return {"frames": n, "seconds": spent, "fps": n / spent, "ms_per_frame": 1000 * spent / n}


def estimator_rate(clip: Path, masks: bool) -> dict:
    """posecoach's PoseEstimator.detect (shrink, convert, track, people check, adapter)."""
    from posecoach.vision.estimator import PoseEstimator
    from posecoach.vision.sources import VideoSource
    frames = list(VideoSource(clip))
    people = []
    with PoseEstimator(masks=masks) as est:
        t0 = time.perf_counter()
        for f in frames:
            people.append(est.detect(f).num_people)
        spent = time.perf_counter() - t0
    return {"frames": len(frames), "fps": len(frames) / spent, "ms_per_frame": 1000 * spent / len(frames),
            "two_people_frames": sum(p >= 2 for p in people)}


def two_people_clip(src: Path, dst: Path, seconds: float) -> Path:
    """The clip's middle 4:3 strip twice, the copy mirrored: two people side by side."""
    cap = cv2.VideoCapture(str(src))
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    writer = None
    for _ in range(int(seconds * fps)):
        ok, img = cap.read()
        if not ok:
            break
        h, w = img.shape[:2]
        cw = min(w, h * 8 // 9)
        strip = img[:, (w - cw) // 2:(w - cw) // 2 + cw]
        pair = np.hstack([strip, cv2.flip(strip, 1)])
        if writer is None:
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (pair.shape[1], pair.shape[0]))
        writer.write(pair)
    cap.release()
    assert writer is not None
    writer.release()
    return dst


def people_costs(src: Path, clip: Path, tmp: Path, masks: bool) -> list[tuple[str, dict]]:
    two = two_people_clip(src, tmp / "two_people.mp4", 6.0)
    return [("MediaPipe num_poses=1, one person", bare_rate(clip, masks, 1)),
            ("MediaPipe num_poses=2, one person", bare_rate(clip, masks, 2)),
            ("posecoach estimator, one person", estimator_rate(clip, masks)),
            ("posecoach estimator, two people", estimator_rate(two, masks))]


def analyze_rate(clip: Path, out: Path, annotate: bool = True) -> dict:
    """Wall time of analyze_video; also from its first frame on (after the model has loaded)."""
    from posecoach.runner.analyze import AnalyzeOptions, analyze_video
    from posecoach.sessions.lunge import LungeSession
    first: list[float] = []

    class Timed(LungeSession):  # analyze detects, then judges each frame on its judging thread
        def judge(self, frame, pose):  # type: ignore[no-untyped-def]
            if not first:
                first.append(time.perf_counter())
            return super().judge(frame, pose)

    t0 = time.perf_counter()
    # model_fps=0: the model on every frame, so "analyze / bare" stays the per-frame pipeline's
    # overhead over the model; the default fast path is measured by benchmarks.throughput
    summary = analyze_video(clip, AnalyzeOptions(out_dir=out, annotate=annotate, progress=False, model_fps=0),
                            make_session=Timed)
    t1 = time.perf_counter()
    n = int(summary["frames"])
    return {"frames": n, "seconds": t1 - t0, "fps": n / (t1 - t0), "ms_per_frame": 1000 * (t1 - t0) / n,
            "startup_s": first[0] - t0, "fps_after_startup": (n - 1) / (t1 - first[0])}


def live_run(clip: Path, frames: int, fps: float, session_dir: Path) -> dict:
    """run_live headless on `clip` paced as a camera; latency and drops from its summary."""
    from posecoach.runner.open import open_session
    from posecoach.ui.live import LiveOptions, run_live
    from posecoach.vision.sources import PacedVideoSource
    opts = LiveOptions(window=False, mute=True, session_dir=session_dir, history=False, report=False)
    t0 = time.perf_counter()
    summary = run_live(open_session("lunge"), PacedVideoSource(clip), opts)
    wall = time.perf_counter() - t0
    done = int(summary["frames"])
    stream_s = frames / fps
    lat = summary.get("latency_ms", {})
    return {"frames_offered": frames, "frames_processed": done, "dropped": summary.get("dropped_frames"),
            "fps": done / stream_s, "ratio": done / frames, "latency_ms": lat, "wall_s": wall}


def large_inputs(src: Path, tmp: Path, seconds: float) -> list[dict]:
    """Decode, shrink and pose cost per frame, and analyze fps, at 1080p, 4K and portrait."""
    import mediapipe as mp

    from posecoach.vision.estimator import shrink
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
    ap.add_argument("--people", action="store_true", help="also time counting and following people")
    ap.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    args = ap.parse_args(argv)
    src = args.video or default_video()
    if not src.is_file():
        raise SystemExit(f"speed: video not found: {src}")

    with tempfile.TemporaryDirectory(prefix="posecoach-speed-") as tmpdir:
        tmp = Path(tmpdir)
        os.environ.setdefault("POSECOACH_HOME", str(tmp / "home"))  # no history or first-run marks
        try:
            from posecoach.ui.safety import mark_safety_shown
            mark_safety_shown()  # a returning user: no safety text in the output
        except ImportError:
            pass
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
            bare1 = bare_rate(clip, masks)
        with PeakRss() as m_an:
            an = analyze_rate(clip, tmp / "out")
        bare2 = bare_rate(clip, masks)  # again: the machine is shared, its load drifts
        bare = {**bare1, "fps": (bare1["fps"] + bare2["fps"]) / 2,
                "ms_per_frame": (bare1["ms_per_frame"] + bare2["ms_per_frame"]) / 2,
                "runs_fps": [bare1["fps"], bare2["fps"]]}
        with PeakRss() as m_live:
            live = live_run(cam, n_cam, CAMERA_FPS, tmp / "live_session")
        with open(tmp / "out" / "clip" / "frames.jsonl") as fh:
            records = sum(1 for _ in fh)

        lat = live["latency_ms"]
        ratio = an["fps"] / bare["fps"]
        print()
        print(f"{'phase':<34}{'frames':>8}{'fps':>9}{'ms/frame':>10}")
        print(f"{'bare detect_for_video (2 runs)':<34}{bare['frames']:>8}{bare['fps']:>9.1f}{bare['ms_per_frame']:>10.1f}"
              f"   runs: {' / '.join(f'{x:.1f}' for x in bare['runs_fps'])} fps")
        print(f"{'analyze --annotate, end to end':<34}{an['frames']:>8}{an['fps']:>9.1f}{an['ms_per_frame']:>10.1f}"
              f"   incl. {an['startup_s']:.2f} s model load; {an['fps_after_startup']:.1f} fps after it")
        print(f"{'live, 30 fps camera, headless':<34}{live['frames_processed']:>8}{live['fps']:>9.1f}"
              f"{'':>10}")
        print()
        steady = an["fps_after_startup"] / bare["fps"]
        print(f"analyze / bare inference rate : {ratio:.2f}   (target >= 0.80) "
              f"{'OK' if ratio >= 0.8 else 'MISSED'};  after the model load: {steady:.2f}")
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
        if args.people:
            print()
            print(f"{'people (same frames)':<36}{'frames':>7}{'fps':>8}{'ms/frame':>10}")
            rows_p = people_costs(src, clip, tmp, masks)
            for name, r in rows_p:
                extra = f"   frames with 2 people: {r['two_people_frames']}" if "two_people_frames" in r else ""
                print(f"{name:<36}{r['frames']:>7}{r['fps']:>8.1f}{r['ms_per_frame']:>10.1f}{extra}")
            result["people"] = dict(rows_p)
        print(f"\nload average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
