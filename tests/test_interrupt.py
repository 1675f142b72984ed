"""Nothing is lost: Ctrl+C (SIGINT) to `posecoach live` and `posecoach analyze`, a closed window
and an exception mid-session all leave the session's frames.jsonl (every processed frame, whole
lines) and summary.json, and for live sessions the report and the history entry."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clipmaker import ROOT, make_clip, records
from conftest import real_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s of the side-view stretch at 480x270: long enough to be interrupted part way."""
    return make_clip(tmp_path_factory.mktemp("clips") / "long.mp4", real_clip("kneeling_stretch_side.mp4"), 6.0)


def start(args: list[str], home: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["POSECOACH_HOME"] = str(home)
    # As from a terminal: Ctrl+C not ignored, even when the test run itself was started in the
    # background (a non-interactive shell's `&` ignores SIGINT, and children inherit that).
    return subprocess.Popen([sys.executable, "-m", "posecoach", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for_lines(path: Path, n: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.is_file() and path.read_text(encoding="utf-8").count("\n") >= n:
            return
        if proc.poll() is not None:
            raise AssertionError(f"exited early ({proc.returncode}): {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {n} lines")


def interrupt(proc: subprocess.Popen) -> tuple[int, str]:
    """Ctrl+C as a terminal sends it: SIGINT to the whole process group."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err


def history_sessions(home: Path) -> list[dict]:
    """Sessions recorded in the history kept in `home`."""
    import sqlite3

    from posecoach.outputs.history import DB_NAME
    con = sqlite3.connect(home / DB_NAME)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("select * from sessions")]
    finally:
        con.close()


def test_ctrl_c_during_live_keeps_log_summary_report_and_history(clip: Path, tmp_path: Path) -> None:
    session, home = tmp_path / "session", tmp_path / "home"
    proc = start(["live", "--video", str(clip), "--no-window", "--mute", "--session-dir", str(session)], home)
    wait_for_lines(session / "frames.jsonl", 30, proc)
    code, err = interrupt(proc)
    assert "Traceback" not in err, err
    assert code in (0, 130)
    summary = json.loads((session / "summary.json").read_text())
    rows = records(session / "frames.jsonl")
    assert summary["end_reason"] == "interrupted"
    assert summary["frames"] == len(rows) >= 30
    assert rows[-1]["t_ms"] < 5500  # it really was stopped part way
    assert (session / "report.html").stat().st_size > 1000
    sessions = history_sessions(home)
    assert len(sessions) == 1 and sessions[0]["end_reason"] == "interrupted"
    assert sessions[0]["duration_s"] > 0


def test_ctrl_c_during_analyze_keeps_log_and_summary(clip: Path, tmp_path: Path) -> None:
    out, home = tmp_path / "out", tmp_path / "home"
    proc = start(["analyze", str(clip), "--out", str(out), "--quiet"], home)
    wait_for_lines(out / "long" / "frames.jsonl", 20, proc)
    code, err = interrupt(proc)
    assert code == 130, err
    assert "Traceback" not in err, err
    assert [x for x in err.splitlines() if x.strip()] == ["posecoach: interrupted; what was done so far is saved"]
    summary = json.loads((out / "long" / "summary.json").read_text())
    rows = records(out / "long" / "frames.jsonl")
    assert summary["interrupted"] is True
    assert summary["frames"] == len(rows) >= 20
    assert summary["frames"] < 180  # 6 s at 30 fps: stopped part way


def test_sigterm_is_handled_like_ctrl_c(clip: Path, tmp_path: Path) -> None:
    """A session stopped by `kill` (logout, shutdown) still writes its summary."""
    session, home = tmp_path / "session", tmp_path / "home"
    proc = start(["live", "--video", str(clip), "--no-window", "--mute", "--session-dir", str(session)], home)
    wait_for_lines(session / "frames.jsonl", 20, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
    summary = json.loads((session / "summary.json").read_text())
    assert summary["frames"] == len(records(session / "frames.jsonl")) >= 20
    assert summary["end_reason"] == "interrupted"
    assert [x["end_reason"] for x in history_sessions(home)] == ["interrupted"]


class FakeWindow:
    """cv2's window calls, headless: the window 'closes' after `open_frames` frames."""

    def __init__(self, open_frames: int) -> None:
        self.open_frames, self.shown = open_frames, 0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import cv2
        for name in ("namedWindow", "resizeWindow", "setWindowProperty", "destroyAllWindows", "destroyWindow",
                     "moveWindow", "setWindowTitle"):
            monkeypatch.setattr(cv2, name, lambda *a, **k: None, raising=False)
        monkeypatch.setattr(cv2, "imshow", self.imshow)
        monkeypatch.setattr(cv2, "waitKey", lambda *a: -1)
        monkeypatch.setattr(cv2, "pollKey", lambda *a: -1, raising=False)
        monkeypatch.setattr(cv2, "getWindowProperty", lambda *a: 1.0 if self.shown < self.open_frames else 0.0)

    def imshow(self, name: str, image: object) -> None:
        self.shown += 1


def run_live_on(clip: Path, folder: Path, window: bool, session_class: type | None = None) -> dict:
    """The live loop on `clip` (at double speed, muted) with the product's lunge session."""
    from session_builders import context

    import posecoach.ui.live as live
    from posecoach.sessions.lunge import LungeSession
    from posecoach.vision.estimator import PoseEstimator
    from posecoach.vision.sources import PacedVideoSource

    session = (session_class or LungeSession)(context(PoseEstimator()))
    opts = live.LiveOptions(window=window, mute=True, session_dir=folder)
    return live.run_live(session, PacedVideoSource(clip, speed=2.0), opts)


def test_closing_the_window_keeps_the_session(clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              _private_home: Path) -> None:
    import posecoach.ui.live as live
    (_private_home / "safety_shown.json").write_text(json.dumps({"version": 1}))  # a returning user
    FakeWindow(open_frames=25).install(monkeypatch)
    monkeypatch.setattr(live, "display_available", lambda: True)
    session = tmp_path / "session"
    summary = run_live_on(clip, session, window=True)
    assert summary["end_reason"] == "window closed"
    saved = json.loads((session / "summary.json").read_text())
    assert saved["frames"] == len(records(session / "frames.jsonl")) == summary["frames"] >= 20
    assert (session / "report.html").is_file()
    assert [x["end_reason"] for x in history_sessions(_private_home)] == ["window closed"]


def test_exception_mid_session_keeps_the_session(clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 _private_home: Path) -> None:
    from posecoach.sessions.lunge import LungeSession

    class Failing(LungeSession):
        def process(self, frame):  # type: ignore[no-untyped-def]
            if self.frames == 15:
                raise RuntimeError("boom")
            return super().process(frame)

    session = tmp_path / "session"
    with pytest.raises(RuntimeError, match="boom"):
        run_live_on(clip, session, window=False, session_class=Failing)
    saved = json.loads((session / "summary.json").read_text())
    assert saved["frames"] == len(records(session / "frames.jsonl")) == 15
    assert "error" in saved["end_reason"]
    assert (session / "report.html").is_file()
    sessions = history_sessions(_private_home)
    assert len(sessions) == 1 and sessions[0]["end_reason"].startswith("error")


def test_exception_mid_analysis_keeps_the_output(clip: Path, tmp_path: Path) -> None:
    from posecoach.runner.analyze import AnalyzeOptions, analyze_video
    from posecoach.sessions.lunge import LungeSession

    class Failing(LungeSession):  # analyze judges frames on its own thread: the error must still surface
        def judge(self, frame, pose):  # type: ignore[no-untyped-def]
            if self.frames == 12:
                raise RuntimeError("boom")
            return super().judge(frame, pose)

    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="boom"):
        analyze_video(clip, AnalyzeOptions(out_dir=out, annotate=True, progress=False), make_session=Failing)
    summary = json.loads((out / "long" / "summary.json").read_text())
    assert summary["frames"] == len(records(out / "long" / "frames.jsonl")) == 12
    assert (out / "long" / "annotated.mp4").stat().st_size > 0
