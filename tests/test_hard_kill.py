"""Nothing lost on a hard kill: `posecoach live` and `posecoach routine` with --record, killed with
SIGKILL at 20 seeded random moments, each leave a frames.jsonl whose every line parses, their
history row, a camera video that plays up to about the kill, and a folder `posecoach report` turns
into summary.json, report.html and metrics.csv.

Moments: 4 of the 20 fall anywhere in the first 3 s of the process (start-up included: a kill
before the first frame leaves nothing to keep, and `report` says so in one line); the others fall
0-3 s after the first frame was logged (the clip plays at double speed: 3 s of stream)."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import pytest
from clipmaker import ROOT
from conftest import SAMPLES

from posecoach.outputs.session_log import FRAMES, RAW_VIDEO

CLIP = SAMPLES / "lunge_good_left.mp4"  # 6 s at 30 fps
KILLS = 20
SEED = 15


def run_and_kill(i: int, when: tuple[str, float], tmp: Path) -> dict:
    """Start session i (even: live, odd: routine), SIGKILL it at `when`; what it left."""
    home, folder = tmp / f"home{i}", tmp / f"s{i}"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(POSECOACH_HOME=str(home), OMP_NUM_THREADS="1")
    command = "live" if i % 2 == 0 else "routine"
    proc = subprocess.Popen([sys.executable, "-m", "posecoach", command, "--video", str(CLIP), "--no-window",
                             "--mute", "--record", "--speed", "2", "--session-dir", str(folder)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.monotonic()
    anchor, delay = when
    if anchor == "first frame":
        while time.monotonic() - start < 120 and proc.poll() is None:
            if (folder / FRAMES).is_file() and (folder / FRAMES).stat().st_size > 0:
                break
            time.sleep(0.02)
    time.sleep(delay)
    exited = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return {"i": i, "command": command, "folder": folder, "home": home, "exited": exited}


def history_rows(home: Path, folder: Path) -> list[tuple]:
    import sqlite3
    db = home / "history.sqlite"
    if not db.is_file():
        return []
    with sqlite3.connect(db) as con:
        return con.execute("SELECT id, end_reason FROM sessions WHERE folder = ?", (str(folder),)).fetchall()


def video_frames(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def check(left: dict) -> str:
    """Everything a killed session must keep; returns a one-word verdict for the tally."""
    folder, home = left["folder"], left["home"]
    log = folder / FRAMES
    lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
    records = [json.loads(x) for x in lines]  # every line parses: no torn line
    env = {**os.environ, "POSECOACH_HOME": str(home)}
    rep = subprocess.run([sys.executable, "-m", "posecoach", "report", str(folder)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=180)
    if not records:  # killed before the first frame: nothing to keep, one clear line
        assert rep.returncode == 2 and len(rep.stderr.strip().splitlines()) == 1, rep.stderr
        return "before the first frame"
    assert [r["frame"] for r in records] == list(range(len(records)))
    assert history_rows(home, folder), "the history row"
    # The video: written after each frame's log line, at the source's 30 fps (skipped frames
    # repeated); so it holds the frames due up to the last record, or the one before it.
    t0 = records[0]["t_ms"]
    due = [round((r["t_ms"] - t0) * 30 / 1000) + 1 for r in records]
    n = video_frames(folder / RAW_VIDEO)
    low = due[-2] if len(due) > 1 else 0
    assert low <= n <= due[-1], (n, low, due[-1])
    assert rep.returncode == 0, rep.stderr
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["frames"] >= len(records)
    assert (folder / "report.html").is_file()
    assert len((folder / "metrics.csv").read_text().splitlines()) == len(records) + 1
    if not left["exited"] and summary.get("rebuilt_from_log"):
        assert summary["end_reason"] == "killed"
        assert history_rows(home, folder)[0][1] == "killed"
    return "mid-session" if not left["exited"] else "after the end"


@pytest.mark.skipif(not CLIP.is_file(), reason="no sample clip")
def test_sessions_killed_at_20_moments_keep_everything(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    moments = [("process start", rng.uniform(0.0, 3.0)) if k % 5 == 0 else ("first frame", rng.uniform(0.0, 3.0))
               for k in range(KILLS)]
    with ThreadPoolExecutor(max_workers=2) as ex:
        left = list(ex.map(lambda k: run_and_kill(k, moments[k], tmp_path), range(KILLS)))
    verdicts = [check(x) for x in left]
    assert len(verdicts) == KILLS
    mid = sum(v == "mid-session" for v in verdicts)
    print(f"\n{KILLS} kills: " + ", ".join(f"{v}: {verdicts.count(v)}" for v in sorted(set(verdicts))))
    assert mid >= KILLS // 2, verdicts  # most kills land while frames are being written
