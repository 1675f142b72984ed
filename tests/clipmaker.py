"""Test clips made on the fly from the real clips (in tmp_path, never committed): cut, resized,
brightness-scaled, composited side by side, or damaged; plus a CLI runner and its checks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

Transform = Callable[[np.ndarray], np.ndarray]


def read_frames(src: Path, seconds: float, fps: float = 30.0, start_s: float = 0.0) -> list[np.ndarray]:
    """Frames of `src` from `start_s` for `seconds`, resampled to `fps`."""
    cap = cv2.VideoCapture(str(src))
    src_fps = cap.get(cv2.CAP_PROP_FPS) or fps
    frames, i, want = [], 0, start_s * src_fps
    while len(frames) < seconds * fps:
        ok, img = cap.read()
        if not ok:
            break
        if i >= want:
            frames.append(img)
            want += src_fps / fps
        i += 1
    cap.release()
    assert frames, f"no frames decoded from {src}"
    return frames


def write_frames(dst: Path, frames: list[np.ndarray], fps: float = 30.0, fourcc: str = "mp4v") -> Path:
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert out.isOpened(), dst
    for f in frames:
        out.write(f)
    out.release()
    return dst


def make_clip(dst: Path, src: Path, seconds: float, size: tuple[int, int] | None = (480, 270),
              fps: float = 30.0, fn: Transform | None = None, fourcc: str = "mp4v", start_s: float = 0.0) -> Path:
    """`src` cut to `seconds`, resized to `size` (w, h), each frame passed through `fn`."""
    frames = read_frames(src, seconds, fps, start_s)
    if size is not None:
        frames = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]
    if fn is not None:
        frames = [fn(f) for f in frames]
    return write_frames(dst, frames, fps, fourcc)


def gain(factor: float, offset: float = 0.0) -> Transform:
    """Brightness scaling: very dark (factor ~0.1) or washed out (factor > 2, offset > 0)."""
    return lambda img: np.clip(img.astype(np.float32) * factor + offset, 0, 255).astype(np.uint8)


def side_by_side(dst: Path, left: Path, right: Path, seconds: float, left_x: int, right_x: int,
                 crop_w: int = 480, fps: float = 30.0) -> Path:
    """Two people: a `crop_w`-wide strip of each clip (starting at left_x / right_x), side by side."""
    a, b = read_frames(left, seconds, fps), read_frames(right, seconds, fps)
    n = min(len(a), len(b))
    frames = [np.hstack([a[i][:, left_x:left_x + crop_w], b[i][:, right_x:right_x + crop_w]]) for i in range(n)]
    return write_frames(dst, frames, fps)


def cut_bytes(src: Path, dst: Path, keep: float) -> Path:
    """The first `keep` share of the file's bytes: a recording cut short."""
    data = src.read_bytes()
    dst.write_bytes(data[:int(len(data) * keep)])
    return dst


def mutate_bytes(src: Path, dst: Path, seed: int, flips: int = 200, skip_head: float = 0.1,
                 stop: float = 1.0) -> Path:
    """`flips` random bytes overwritten between `skip_head` and `stop` of the file (damaged media;
    an MP4 written by OpenCV keeps its index in the last few percent)."""
    rng = np.random.default_rng(seed)
    data = np.frombuffer(src.read_bytes(), np.uint8).copy()
    pos = rng.integers(int(len(data) * skip_head), int(len(data) * stop), flips)
    data[pos] = rng.integers(0, 256, flips, dtype=np.uint8)
    dst.write_bytes(data.tobytes())
    return dst


def run_cli(args: list[str], timeout: float = 90, env: dict[str, str] | None = None,
            prelude: str | None = None) -> subprocess.CompletedProcess:
    """`python -m posecoach ARGS` in a subprocess (optionally after `prelude` Python code)."""
    e = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    e.update(env or {})
    if prelude is None:
        cmd = [sys.executable, "-m", "posecoach", *args]
    else:
        code = (f"import sys; sys.path.insert(0, {str(TESTS)!r})\n{prelude}\n"
                f"from posecoach.commands.main import main\nsys.exit(main({args!r}))")
        cmd = [sys.executable, "-c", code]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e, cwd=ROOT)


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    """Non-zero exit, no traceback, exactly one line on stderr that names the problem."""
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert proc.returncode != 0, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("posecoach: "), lines[0]
    for w in words:
        assert w.lower() in lines[0].lower(), (w, lines[0])
    return lines[0]


def records(path: Path) -> list[dict]:
    """The complete JSON lines of a frames.jsonl (a line cut by a kill would not parse)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        out.append(json.loads(line))
    return out
