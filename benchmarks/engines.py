"""Videos an hour through `analyze` on this machine's processes and on a local Ray cluster.

    python -m benchmarks.engines [VIDEO ...] [--workers 1,2] [--out DIR]

Runs the same videos (default: four committed lunge clips) with the local engine and with Ray at
each worker count (a fresh local cluster on 127.0.0.1 each time, its start timed apart), and prints
wall time, videos an hour and the real-time factor. Needs the cluster extra
(`pip install -e '.[cluster]'`). The machine is shared: compare the rows of one run, not runs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from posecoach.runner.analyze import AnalyzeOptions
from posecoach.runner.engines import LocalEngine, RayEngine, import_ray

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
DEFAULT = ("lunge_good_left.mp4", "lunge_good_right.mp4", "fault_knee_past_ankle.mp4", "fault_hips_forward.mp4")


def video_seconds(videos: list[Path]) -> float:
    import cv2
    total = 0.0
    for v in videos:
        cap = cv2.VideoCapture(str(v))
        total += cap.get(cv2.CAP_PROP_FRAME_COUNT) / max(cap.get(cv2.CAP_PROP_FPS), 1.0)
        cap.release()
    return total


def line(name: str, n: int, seconds: float, wall: float, start: float | None, failed: int) -> str:
    extra = f" (+{start:.1f} s cluster start)" if start is not None else ""
    return (f"{name:<16} {wall:7.1f} s{extra:<26} {3600 * n / wall:6.0f} videos/h  "
            f"{seconds / wall:5.2f}x real time  failed {failed}  load {os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("videos", nargs="*", type=Path)
    ap.add_argument("--workers", default="1,2", help="Ray worker counts to try (default 1,2)")
    ap.add_argument("--out", type=Path, help="keep the outputs here (default: a temporary folder)")
    args = ap.parse_args(argv)
    videos = args.videos or [SAMPLES / n for n in DEFAULT]
    seconds = video_seconds(videos)
    out = args.out or Path(tempfile.mkdtemp(prefix="posecoach-engines-"))
    print(f"{len(videos)} videos, {seconds:.1f} s of video, {os.cpu_count()} cores")
    try:
        for jobs in (1, 2):
            t0 = time.perf_counter()
            res = LocalEngine(jobs=jobs).run(videos, AnalyzeOptions(out_dir=out / f"local{jobs}", progress=False))
            print(line(f"local --jobs {jobs}", len(videos), seconds, time.perf_counter() - t0, None,
                       sum(1 for r in res if r.error)), flush=True)
        ray = import_ray()
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        for w in (int(x) for x in args.workers.split(",")):
            t0 = time.perf_counter()
            ray.init(address="local", num_cpus=w, include_dashboard=False, _node_ip_address="127.0.0.1",
                     log_to_driver=False, configure_logging=False, logging_level=40)
            t1 = time.perf_counter()
            try:
                res = RayEngine(workers=w).run(videos, AnalyzeOptions(out_dir=out / f"ray{w}", progress=False))
            finally:
                t2 = time.perf_counter()
                ray.shutdown()
            print(line(f"ray, {w} worker{'s' if w > 1 else ''}", len(videos), seconds, t2 - t1, t1 - t0,
                       sum(1 for r in res if r.error)), flush=True)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
