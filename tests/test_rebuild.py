"""`posecoach report DIR` rebuilds a session's summary.json, report.html and metrics.csv from its
frame log (a session killed hard has no summary), skipping a line a kill tore; a full disk stops a
session with one line and leaves it readable."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from clipmaker import ROOT
from conftest import SAMPLES

from posecoach.commands.main import main
from posecoach.outputs.history import History
from posecoach.outputs.report import load_analysis
from posecoach.runner.analyze import AnalyzeOptions, analyze_video

CLIP = SAMPLES / "lunge_good_left.mp4"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("analysed")
    analyze_video(CLIP, AnalyzeOptions(out_dir=out, progress=False))
    return out / CLIP.stem


def killed_copy(src: Path, dst: Path, torn: str = '{"frame": 180, "t_ms": 60') -> Path:
    """The folder as a kill leaves it: the frame log (with a torn last line), no summary."""
    dst.mkdir(parents=True)
    shutil.copy(src / "frames.jsonl", dst / "frames.jsonl")
    with open(dst / "frames.jsonl", "a", encoding="utf-8") as fh:
        fh.write(torn)
    return dst


def test_killed_session_gets_a_summary_report_and_csv(analysed: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    d = killed_copy(analysed, tmp_path / "s")
    original = json.loads((analysed / "summary.json").read_text())
    assert main(["report", str(d)]) == 0
    out = capsys.readouterr().out
    assert "180 frames" in out and "killed" in out and "1 unreadable line skipped" in out
    s = json.loads((d / "summary.json").read_text())
    assert s["end_reason"] == "killed" and s["rebuilt_from_log"] is True
    for key in ("frames", "detected_fraction", "hold_s", "good_form_fraction"):
        assert s[key] == original[key], key
    assert [c["code"] for c in s["cues"]] == [c["code"] for c in original["cues"]]
    assert abs(s["duration_s"] - original["duration_s"]) < 0.05 and abs(s["fps"] - 30.0) < 0.01
    assert (d / "report.html").read_text().count("<html") == 1
    assert len((d / "metrics.csv").read_text().splitlines()) == 181  # header + every whole record
    records, summary = load_analysis(d)
    assert len(records) == 180 and summary["frames"] == 180


def test_a_finished_session_keeps_what_only_the_session_knew(analysed: Path, tmp_path: Path) -> None:
    d = tmp_path / "done"
    shutil.copytree(analysed, d)
    s = json.loads((d / "summary.json").read_text())
    s["latency_ms"] = {"p50": 12.0}
    (d / "summary.json").write_text(json.dumps(s))
    assert main(["report", str(d)]) == 0
    again = json.loads((d / "summary.json").read_text())
    assert again["latency_ms"] == {"p50": 12.0} and "rebuilt_from_log" not in again
    assert again["end_reason"] if "end_reason" in s else "end_reason" not in again


def test_the_open_history_row_of_a_killed_session_is_marked(analysed: Path, tmp_path: Path) -> None:
    d = killed_copy(analysed, tmp_path / "k")
    with History() as h:
        sid = h.start_session("live", "camera 0", d, "2026-01-02T10:00:00+00:00")
    assert main(["report", str(d)]) == 0
    with History() as h:
        row = h.session_for(d)
    assert row is not None and row["id"] == sid and row["end_reason"] == "killed"
    s = json.loads((d / "summary.json").read_text())
    assert s["started_at"] == "2026-01-02T10:00:00+00:00" and s["video"] == "camera 0"


def test_nothing_to_rebuild_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "no frame log" in err[0] and "not a folder" in err[1]


def run_live(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "posecoach", "live", "--video", str(CLIP), "--no-window",
                           "--mute", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_a_full_disk_stops_the_session_with_one_line(tmp_path: Path) -> None:
    """The frame log's writes start failing with ENOSPC after 20 frames (a wrapper around
    posecoach run through sitecustomize): one line, exit 2, and a folder `report` can read."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import errno, posecoach.outputs.session_log as s\n"
        "_write, _n = s.SessionLog.write, [0]\n"
        "def write(self, result):\n"
        "    _n[0] += 1\n"
        "    if _n[0] > 20:\n"
        "        self._fh.write('{\"frame\": 9')\n"  # what a full disk leaves: part of a line
        "        self._fh.flush = lambda: (_ for _ in ()).throw(OSError(errno.ENOSPC, 'No space left on device'))\n"
        "    return _write(self, result)\n"
        "s.SessionLog.write = write\n")
    env = {**os.environ, "PYTHONPATH": f"{hook}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    d = tmp_path / "session"
    proc = run_live(["--session-dir", str(d)], env)
    err = [x for x in proc.stderr.splitlines() if x.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(err) == 1 and "disk is full" in err[0] and str(d) in err[0], err
    lines = (d / "frames.jsonl").read_text().splitlines()
    whole = [json.loads(x)["frame"] for x in lines if x.endswith("}") and x.startswith('{"frame":')]
    assert whole == list(range(20)) and len(lines) - len(whole) <= 1  # at most a torn last line
    assert main(["report", str(d), "--no-history"]) == 0
    s = json.loads((d / "summary.json").read_text())  # written once the disk took it again
    assert s["end_reason"] == "disk full" and s["frames"] in (20, 21)  # 21 judged, 20 logged


def test_a_real_small_disk_filling_up(tmp_path: Path) -> None:
    """A 1 MB tmpfs (root only): the recording fills it; one line; the frame log reads whole."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", f"pc{uuid.uuid4().hex[:6]}",
                                            str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        proc = run_live(["--session-dir", str(mnt / "s"), "--record", "--no-history"], dict(os.environ))
        err = [x for x in proc.stderr.splitlines() if x.strip()]
        assert proc.returncode == 2 and len(err) == 1 and "disk is full" in err[0], proc.stderr
        copy = tmp_path / "copy"
        shutil.copytree(mnt / "s", copy)
    finally:
        subprocess.run(["umount", str(mnt)], check=False)
    lines = (copy / "frames.jsonl").read_text().splitlines()
    assert lines and all(json.loads(x) for x in lines)
    assert main(["report", str(copy), "--no-history"]) == 0
    assert errno.ENOSPC  # the limit hit was the disk's own
