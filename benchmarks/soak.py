"""Memory over a long live session: is posecoach's memory flat (growth < 50 MB over 30 minutes)?

    python -m benchmarks.soak [--minutes 30] [--video FILE] [--every 60]

Runs the real live loop (`run_live`, headless, muted, writing its session folder and history) on a
clip looped to --minutes of video time. Frames are handed over in lock-step, as fast as they are
processed (faster than real time, none dropped), so a 30-minute session takes less. Prints the
resident memory (RSS) every --every seconds of video time, and the growth after the first minute
(warm-up: model, caches and buffers settle) to the end.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks.speed import CAMERA_SIZE, default_video, fit, rss_mb
from posecoach.vision.sources import LatestFrameSource

LIMIT_MB = 50.0


class LoopedClip(LatestFrameSource):
    """`frames` played over and over until `minutes` of video time, 30 fps timestamps, every frame
    delivered (the reader waits for the consumer instead of dropping)."""

    def __init__(self, frames: list[np.ndarray], minutes: float, fps: float = 30.0) -> None:
        super().__init__()
        self.frames, self.fps, self.name = frames, fps, "soak"
        self.total = int(minutes * 60 * fps)
        self.frame_count = self.total
        self.sent = 0
        self.t_ms = 0

    def _read(self) -> tuple[np.ndarray, int] | None:
        with self._lock:
            while self._seq > self._taken and not self._stop:
                self._lock.wait(timeout=0.5)
        if self.sent >= self.total or self._stop:
            return None
        self.t_ms = int(round(self.sent * 1000 / self.fps))
        image = self.frames[self.sent % len(self.frames)].copy()  # a fresh buffer, as a camera gives
        self.sent += 1
        return image, self.t_ms

    def __iter__(self):  # noqa: ANN204 - wake the reader after each frame is taken
        for frame in super().__iter__():
            with self._lock:
                self._lock.notify_all()
            yield frame


def load_frames(video: Path, seconds: float = 10.0) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames: list[np.ndarray] = []
    i = 0
    while len(frames) < seconds * 30:
        ok, img = cap.read()
        if not ok:
            break
        if i % max(1, round(fps / 30)) == 0:
            frames.append(fit(img, CAMERA_SIZE))
        i += 1
    cap.release()
    if not frames:
        raise SystemExit(f"soak: cannot decode {video}")
    return frames


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0, help="video time to run (default 30)")
    ap.add_argument("--video", type=Path, help="clip to loop (default: a real clip or a sample video)")
    ap.add_argument("--every", type=float, default=60.0, help="print RSS every this many video seconds")
    args = ap.parse_args(argv)
    video = args.video or default_video()

    import posecoach.ui.live as live
    frames = load_frames(video)
    source = LoopedClip(frames, args.minutes)
    with tempfile.TemporaryDirectory(prefix="posecoach-soak-") as tmp:
        os.environ.setdefault("POSECOACH_HOME", str(Path(tmp) / "home"))
        opts = live.LiveOptions(window=False, mute=True, session_dir=Path(tmp) / "session", report=False)
        samples: list[tuple[float, float, float, int]] = []
        done = threading.Event()
        t0 = time.monotonic()
        print(f"soak: {video.name} ({len(frames)} frames, 640x480) looped to {args.minutes:g} min of video "
              f"= {source.total} frames; RSS every {args.every:g} s of video time")
        print(f"{'video min':>9} {'wall s':>8} {'frames':>8} {'RSS MB':>8}")

        def sample() -> None:
            next_t = 0.0
            while not done.wait(0.2):
                if source.t_ms / 1000 >= next_t:
                    row = (source.t_ms / 60000, time.monotonic() - t0, rss_mb(), source.sent)
                    samples.append(row)
                    print(f"{row[0]:9.1f} {row[1]:8.0f} {row[3]:8d} {row[2]:8.1f}", flush=True)
                    next_t += args.every

        try:
            from posecoach.ui.safety import mark_safety_shown
            mark_safety_shown()  # a returning user: no safety text in the output
        except ImportError:
            pass
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        from posecoach.runner.open import open_session
        summary = live.run_live(open_session("lunge"), source, opts)
        done.set()
        sampler.join()
        last = samples[-1]  # the last reading inside the session
        wall = time.monotonic() - t0
        print(f"{'':9} {wall:8.0f} {source.sent:8d} {rss_mb():8.1f}  (after the session closed)")
        settled = next((s for s in samples if s[0] >= min(1.0, args.minutes / 4)), samples[0])
        growth = last[2] - settled[2]
        peak = max(s[2] for s in samples)
        print(f"frames processed {summary['frames']} of {source.total} in {wall:.0f} s "
              f"({summary['frames'] / max(wall, 1e-9):.1f} fps), load average now "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"RSS after warm-up ({settled[0]:.1f} min) {settled[2]:.1f} MB -> at {last[0]:.1f} min {last[2]:.1f} MB: "
              f"growth {growth:+.1f} MB (limit {LIMIT_MB:g}), peak {peak:.1f} MB  "
              f"{'OK' if growth < LIMIT_MB else 'MISSED'}")
    return 0 if growth < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
