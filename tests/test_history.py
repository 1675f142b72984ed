"""The local history: add / list / plot / delete in a private POSECOACH_HOME (conftest), the live
session's incremental rows, and the `posecoach history` command."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from record_builders import left_then_right, summary_for

from posecoach.commands.main import main
from posecoach.core.paths import data_dir
from posecoach.core.types import Cue, Frame, FrameResult, LungeNotes, Metrics
from posecoach.outputs.history import (
    DB_NAME,
    History,
    delete_all,
    format_days,
    plot_days,
    sessions_root,
)
from posecoach.outputs.session_log import RAW_VIDEO, SessionRecorder
from posecoach.outputs.tally import FAULT_NAMES


def all_good(recs: list[dict]) -> list[dict]:
    return [{**r, "faults": [f for f in r["faults"] if f == "NO_PERSON"]} for r in recs]


def fill(h: History) -> None:
    recs = left_then_right()
    h.add_analysis(recs, summary_for(recs, started_at="2026-03-01T09:00:00+01:00"), None, 30.0)
    h.add_analysis(recs, summary_for(recs, started_at="2026-03-01T18:00:00+01:00"), None, 30.0)
    good = all_good(recs)
    h.add_analysis(good, summary_for(good, started_at="2026-03-03T09:00:00+01:00"), None, 30.0)


def test_history_add_list_plot_delete_round_trip(tmp_path) -> None:
    with History() as h:
        fill(h)
    with History() as h:  # a new connection sees what was committed
        assert h.count() == 3
        days = h.days()
    assert [d.day for d in days] == ["2026-03-01", "2026-03-03"]
    first, second = days
    assert first.sessions == 2 and second.sessions == 1
    assert first.best_hold == {"left": pytest.approx(5.9), "right": pytest.approx(3.9)}
    assert first.good_share == pytest.approx((6.0 + 4.0) / (10.0 + 4.0))
    assert first.main_fault == "HIPS_FORWARD" and second.main_fault is None
    assert second.good_share == pytest.approx(1.0)

    table = format_days(days, FAULT_NAMES).splitlines()
    assert table[0].split()[:2] == ["day", "sessions"]
    assert table[1].split()[:7] == ["2026-03-01", "2", "6", "/", "30", "s", "4"]
    assert "71%" in table[1] and "hips pushed forward" in table[1]
    assert "100%" in table[2]

    png = plot_days(days, tmp_path / "progress.png")
    img = cv2.imread(str(png))
    assert img is not None and img.shape[1] > 600

    folder = sessions_root() / "2026-03-01_090000"
    folder.mkdir(parents=True)
    (folder / "frames.jsonl").write_text("{}\n")
    (data_dir() / "first_run_done").write_text("")  # someone else's file: must survive
    assert delete_all() == (3, 1)
    assert not (data_dir() / DB_NAME).exists() and not sessions_root().exists()
    assert (data_dir() / "first_run_done").exists()
    with History() as h:
        assert h.count() == 0 and h.days() == []


def as_result(r: dict) -> tuple[Frame, FrameResult]:
    cue = Cue(r["cue"]["code"], r["cue"]["text"], r["t_ms"]) if r["cue"] else None
    frame = Frame(image=np.full((48, 64, 3), r["frame"] * 20 % 250, np.uint8), t_ms=r["t_ms"], index=r["frame"])
    return frame, FrameResult(frame=r["frame"], t_ms=r["t_ms"], person=r["person"], view=r["view"],
                              front_side=r["front_side"], phase=r["phase"], metrics=Metrics(**r["metrics"]),
                              faults=r["faults"], cue=cue, hold_s=r["hold_s"],
                              notes=LungeNotes(in_lunge=r["in_lunge"], good_form=r["good_form"]))


def test_live_session_rows_are_saved_as_it_goes_and_survive_a_crash(tmp_path) -> None:
    recs = left_then_right()
    rec = SessionRecorder(tmp_path / "s", source_name="camera 0", hold_target_s=30.0, flush_every_ms=1000)
    for r in recs[:90]:
        rec.frame(*as_result(r))
    # No close(), as if the process died here: the log and the last commit (t = 8.0 s) are kept.
    assert len((tmp_path / "s" / "frames.jsonl").read_text().splitlines()) == 90
    with History() as h:
        (day,) = h.days()
        row = h.db.execute("SELECT lunge_s, good_s, end_reason FROM sides JOIN sessions ON id = session_id").fetchone()
    assert day.best_hold["left"] == pytest.approx(5.9) and day.best_hold["right"] is None
    assert row == (pytest.approx(7.1), pytest.approx(6.0), None)

    for r in recs[90:]:
        rec.frame(*as_result(r))
    report = rec.close({"video": "camera 0", "frames": len(recs), "detected_fraction": 0.93,
                        "hold_s": recs[-1]["hold_s"], "cues": [], "end_reason": "quit"})
    assert report is not None and report.name == "report.html" and (tmp_path / "s" / "metrics.csv").is_file()
    assert '"hold_target_s": 30.0' in (tmp_path / "s" / "summary.json").read_text()
    with History() as h:
        (day,) = h.days()
        assert h.db.execute("SELECT end_reason FROM sessions").fetchone() == ("quit",)
    assert day.best_hold == {"left": pytest.approx(5.9), "right": pytest.approx(3.9)}
    # privacy: no video unless asked
    assert not [p for p in (tmp_path / "s").iterdir() if p.suffix in (".mp4", ".avi", ".mkv")]


def test_record_keeps_the_raw_camera_video(tmp_path) -> None:
    rec = SessionRecorder(tmp_path / "s", source_name="camera 0", hold_target_s=30.0, fps=10.0,
                          record=True, history=False, report=False)
    recs = left_then_right()[:12]
    for r in recs[:6] + recs[9:]:  # frames 6-8 were dropped by the live loop (it keeps the latest)
        rec.frame(*as_result(r))
    rec.close({"end_reason": "quit"})
    cap = cv2.VideoCapture(str(tmp_path / "s" / RAW_VIDEO))
    shades = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        shades.append(int(round(img.mean())))
    # 1.2 s at 10 fps: real pace kept, the gap filled with the frame that followed it
    assert len(shades) == 12
    expected = [20 * i for i in (0, 1, 2, 3, 4, 5, 9, 9, 9, 9, 10, 11)]
    assert all(abs(a - b) <= 4 for a, b in zip(shades, expected)), shades
    with History() as h:
        assert h.count() == 0  # history=False


def run_cli(args: list[str], capsys, stdin: str = "") -> tuple[int, str]:
    sys.stdin = io.StringIO(stdin)
    try:
        rc = main(args)
    finally:
        sys.stdin = sys.__stdin__
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_history_command_table_plot_and_delete(tmp_path, capsys) -> None:
    rc, out = run_cli(["history"], capsys)
    assert rc == 0 and "No sessions yet" in out
    with History() as h:
        fill(h)
    rc, out = run_cli(["history", "--plot", str(tmp_path / "p.png")], capsys)
    assert rc == 0 and "2026-03-03" in out and (tmp_path / "p.png").stat().st_size > 1000
    rc, out = run_cli(["history", "--delete"], capsys, stdin="n\n")
    assert rc == 0 and "Nothing deleted" in out
    with History() as h:
        assert h.count() == 3
    rc, out = run_cli(["history", "--delete"], capsys, stdin="y\n")
    assert rc == 0 and "Deleted the history (3 sessions)" in out
    with History() as h:
        assert h.count() == 0
    rc, out = run_cli(["history", "--plot", str(tmp_path / "q.png")], capsys)
    assert rc == 2 and "no sessions to plot" in out


def test_history_command_smoke_in_a_fresh_process(tmp_path) -> None:
    env = {**os.environ, "POSECOACH_HOME": str(tmp_path / "home")}
    p = subprocess.run([sys.executable, "-m", "posecoach", "history"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert "No sessions yet" in p.stdout and str(tmp_path / "home" / DB_NAME) in p.stdout
    p = subprocess.run([sys.executable, "-m", "posecoach", "history", "--delete", "--yes"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "Deleted" in p.stdout
