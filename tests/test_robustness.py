"""Bad input through the real command line: one clear line on stderr, a non-zero exit and no
traceback for a user's mistake; damaged videos are analysed as far as they decode, with a
warning, and their outputs are written; a camera that is missing or stops is handled."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
from clipmaker import (
    assert_one_line_error,
    cut_bytes,
    make_clip,
    mutate_bytes,
    records,
    run_cli,
)
from conftest import real_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s of the real side-view stretch, 480x270 at 30 fps (an MP4, index at the end)."""
    src = real_clip("kneeling_stretch_side.mp4")
    return make_clip(tmp_path_factory.mktemp("clips") / "side.mp4", src, 2.0)


@pytest.fixture(scope="module")
def avi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same 2 s as MJPG in AVI: a format that still decodes when cut short."""
    src = real_clip("kneeling_stretch_side.mp4")
    return make_clip(tmp_path_factory.mktemp("clips") / "side.avi", src, 2.0, fourcc="MJPG")


def test_missing_file(tmp_path: Path) -> None:
    proc = run_cli(["analyze", str(tmp_path / "nope.mp4"), "--out", str(tmp_path / "out")])
    assert_one_line_error(proc, "not found", "nope.mp4")
    proc = run_cli(["live", "--video", str(tmp_path / "nope.mp4"), "--no-window"])
    assert_one_line_error(proc, "not found")


def test_file_that_is_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("this is a shopping list, not a video\n" * 20)
    assert_one_line_error(run_cli(["analyze", str(text), "--out", str(tmp_path / "out")]), "not a video")
    assert_one_line_error(run_cli(["live", "--video", str(text), "--no-window"]), "not a video")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert_one_line_error(run_cli(["analyze", str(empty), "--out", str(tmp_path / "out")]), "empty")


def test_video_with_zero_frames(tmp_path: Path) -> None:
    """A container without a single frame: an MP4 (unreadable) and an AVI (opens, yields nothing)."""
    for name, fourcc in (("zero.mp4", "mp4v"), ("zero.avi", "MJPG")):
        w = cv2.VideoWriter(str(tmp_path / name), cv2.VideoWriter_fourcc(*fourcc), 30, (64, 64))
        w.release()
        proc = run_cli(["analyze", str(tmp_path / name), "--out", str(tmp_path / "out"), "--quiet"])
        line = assert_one_line_error(proc, name)
        assert "no frames" in line or "no decodable video" in line, line


def test_mp4_cut_before_its_index_is_a_clear_error(clip: Path, tmp_path: Path) -> None:
    cut = cut_bytes(clip, tmp_path / "cut.mp4", 0.6)
    assert_one_line_error(run_cli(["analyze", str(cut), "--out", str(tmp_path / "out")]), "cut short")


def test_truncated_video_is_analysed_as_far_as_it_decodes(avi: Path, tmp_path: Path) -> None:
    cut = cut_bytes(avi, tmp_path / "cut.avi", 0.5)
    out = tmp_path / "out"
    proc = run_cli(["analyze", str(cut), "--out", str(out), "--quiet"])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "ended early" in proc.stdout
    assert [x for x in proc.stderr.splitlines() if x.strip()] == [
        "posecoach: warning: cut.avi is damaged or cut short; only its first "
        f"{json.loads((out / 'cut' / 'summary.json').read_text())['frames']} frames could be analysed"]
    summary = json.loads((out / "cut" / "summary.json").read_text())
    rows = records(out / "cut" / "frames.jsonl")
    assert summary["truncated"] is True
    assert 20 <= summary["frames"] <= 40 and len(rows) == summary["frames"]  # ~half of 60
    assert summary["detected_fraction"] > 0.9


def test_damaged_video_bytes_give_outputs_or_one_line(clip: Path, avi: Path, tmp_path: Path) -> None:
    """Bytes overwritten inside the media data: never a traceback; what decodes is analysed."""
    for src in (clip, avi):
        bad = mutate_bytes(src, tmp_path / f"bad{src.suffix}", seed=7, flips=300)
        out = tmp_path / f"out{src.suffix[1:]}"
        proc = run_cli(["analyze", str(bad), "--out", str(out), "--quiet"])
        assert "Traceback" not in proc.stderr, proc.stderr
        if proc.returncode == 0:
            summary = json.loads((out / "bad" / "summary.json").read_text())
            assert summary["frames"] == len(records(out / "bad" / "frames.jsonl")) > 0
        else:
            assert_one_line_error(proc)


def test_output_folder_that_cannot_be_written(clip: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    proc = run_cli(["analyze", str(clip), "--out", str(blocker / "out"), "--quiet"])
    assert_one_line_error(proc, "cannot write")
    proc = run_cli(["live", "--video", str(clip), "--no-window", "--mute", "--session-dir", str(blocker / "s")])
    assert_one_line_error(proc, "cannot write")


def test_camera_index_that_does_not_exist_lists_cameras(tmp_path: Path) -> None:
    proc = run_cli(["live", "--camera", "7", "--no-window", "--session-dir", str(tmp_path / "s")])
    line = assert_one_line_error(proc, "camera 7")
    assert "cameras found" in line or "no camera was found" in line
    assert proc.returncode == 2


def test_camera_that_stops_mid_session_ends_cleanly_and_keeps_the_session(clip: Path, tmp_path: Path) -> None:
    """The camera delivers 2 s, then is unplugged for good: reconnection is tried for
    reconnect_s (3 s), then the session ends, is saved, and the user is told why."""
    session = tmp_path / "session"
    proc = run_cli(["live", "--camera", "0", "--start-now", "--no-window", "--mute", "--session-dir", str(session)],
                   prelude=f"import fakecam; fakecam.install({str(clip)!r}, unplug_after_s=2.0)")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "camera stopped" in proc.stderr
    summary = json.loads((session / "summary.json").read_text())
    rows = records(session / "frames.jsonl")
    # ~2 s at 30 fps; on a loaded 2-core machine many frames are dropped as stale, by design.
    assert summary["frames"] == len(rows) >= 10
    assert max(r["t_ms"] for r in rows) <= 2600


def test_camera_that_comes_back_is_reconnected(clip: Path, tmp_path: Path) -> None:
    """Unplugged for 1 s after 1.5 s, then back: the session goes on (frames after the gap)."""
    session = tmp_path / "session"
    proc = run_cli(["live", "--camera", "0", "--start-now", "--no-window", "--mute", "--session-dir", str(session),
                    "--max-seconds", "5"],
                   prelude=f"import fakecam; fakecam.install({str(clip)!r}, unplug_after_s=1.5, replug_after_s=1.0)")
    assert proc.returncode == 0, proc.stderr
    assert "camera stopped" not in proc.stderr
    rows = records(session / "frames.jsonl")
    t = [r["t_ms"] for r in rows]
    gaps = [b - a for a, b in zip(t, t[1:])]
    assert max(gaps) >= 800  # the unplugged second
    assert t[-1] >= 3000  # frames after it
    assert json.loads((session / "summary.json").read_text())["end_reason"] == "time limit"


PLANS = {
    "not_toml.toml": "this is [not valid toml\n",
    "unknown_key.toml": 'title = "x"\ncolour = "blue"\n',
    "binary.toml": "\x00\x01\x02\xff\xfe",
}


@pytest.mark.parametrize("name", sorted(PLANS))
def test_invalid_plan_is_one_line(name: str, clip: Path, tmp_path: Path) -> None:
    pytest.importorskip("posecoach.core.plan")
    plan = tmp_path / name
    plan.write_bytes(PLANS[name].encode("latin-1"))
    for args in (["plan", "check", str(plan)],
                 ["analyze", str(clip), "--out", str(tmp_path / "out"), "--plan", str(plan), "--quiet"],
                 ["live", "--video", str(clip), "--no-window", "--plan", str(plan)]):
        proc = run_cli(args)
        assert_one_line_error(proc, name)
        assert proc.returncode == 2


def test_unreadable_plan_is_one_line(clip: Path, tmp_path: Path) -> None:
    pytest.importorskip("posecoach.core.plan")
    for plan, word in ((tmp_path / "missing.toml", "not found"), (tmp_path, "")):
        proc = run_cli(["analyze", str(clip), "--out", str(tmp_path / "out"), "--plan", str(plan)])
        assert_one_line_error(proc, word)
