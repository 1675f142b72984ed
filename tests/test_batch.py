"""`posecoach analyze FOLDER`: parallel processes, one bad file does not stop the rest."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import SAMPLES, assert_interface_ok, real_clip

from posecoach.commands.main import main
from posecoach.core.errors import PosecoachError
from posecoach.outputs.history import History
from posecoach.runner.analyze import AnalyzeOptions
from posecoach.runner.batch import check_outputs_distinct, run_batch

FRAMES = 36


def short_clip(dest: Path, frames: int = FRAMES) -> Path:
    """The first `frames` frames of a sample (or real) lunge clip, at most 640 px wide."""
    src = SAMPLES / "lunge_good_left.mp4"
    if not src.is_file():
        src = real_clip("kneeling_stretch_side.mp4")
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    for _ in range(frames):
        ok, img = cap.read()
        assert ok
        if img.shape[1] > 640:
            img = cv2.resize(img, (640, round(img.shape[0] * 640 / img.shape[1])))
        if writer is None:
            writer = cv2.VideoWriter(str(dest), cv2.VideoWriter_fourcc(*"mp4v"), fps, (img.shape[1], img.shape[0]))
        writer.write(img)
    cap.release()
    writer.release()
    return dest


@pytest.fixture(scope="module")
def clip_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    short_clip(folder / "good_a.mp4")
    (folder / "good_b.mp4").write_bytes((folder / "good_a.mp4").read_bytes())
    rng = np.random.default_rng(0)
    (folder / "corrupt.mp4").write_bytes(rng.integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    (folder / "notes.txt").write_text("not a video, not picked up")
    return folder


def test_folder_with_a_corrupt_file_analyses_the_good_ones_in_parallel(clip_folder, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    rc = main(["analyze", str(clip_folder), str(tmp_path / "missing.mp4"), "--out", str(out), "--jobs", "2",
               "--save-history", "--quiet"])
    cap = capsys.readouterr()
    assert rc == 1
    errors = [ln for ln in cap.err.splitlines() if ln.startswith("posecoach:")]
    assert any("corrupt.mp4" in ln for ln in errors) and any("missing.mp4" in ln for ln in errors)
    assert sum("corrupt.mp4" in ln for ln in cap.err.splitlines()) == 1  # one line, no traceback
    assert "Traceback" not in cap.err
    assert "2 of 4 inputs failed" in cap.err
    for name in ("good_a", "good_b"):
        folder = out / name
        lines = (folder / "frames.jsonl").read_text().splitlines()
        assert len(lines) == FRAMES
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["frames"] == FRAMES
        assert f"{name}.mp4: {FRAMES} frames" in cap.out
        assert not list(folder.glob("*.mp4"))  # privacy: no video without --annotate
    with History() as h:
        assert h.count() == 2  # --save-history: the two good videos
    assert_interface_ok(out / "good_a")


def test_one_process_run_with_reports_from_the_real_pipeline(clip_folder, tmp_path) -> None:
    videos = [clip_folder / "good_a.mp4", clip_folder / "corrupt.mp4"]
    seen = []
    outcomes = run_batch(videos, AnalyzeOptions(out_dir=tmp_path, progress=False), jobs=1, report=True,
                         on_done=seen.append)
    assert [o.video.name for o in seen] == ["good_a.mp4", "corrupt.mp4"]
    assert outcomes[1].summary is None and "corrupt.mp4" in outcomes[1].error and "\n" not in outcomes[1].error
    good = outcomes[0]
    assert good.error is None and good.summary["frames"] == FRAMES and good.report == tmp_path / "good_a" / "report.html"
    page = good.report.read_text()
    assert page.count("data:image/png;base64,") == 2
    s = good.summary
    assert f"you were found in <b>{100 * s['detected_fraction']:.0f}%</b> of the {FRAMES} frames" in page
    for side in ("left", "right"):
        hold = s["hold_s"][side]
        assert f"{hold:.0f} s of 30 s" in page if hold >= 9.5 else f"{hold:.1f} s of 30 s" in page
    csv_rows = (tmp_path / "good_a" / "metrics.csv").read_text().splitlines()
    assert len(csv_rows) == FRAMES + 1


def test_two_inputs_with_the_same_name_are_refused_before_any_work(tmp_path) -> None:
    with pytest.raises(PosecoachError, match="would both write to"):
        check_outputs_distinct([tmp_path / "a" / "clip.mp4", tmp_path / "b" / "clip.mp4"], tmp_path / "out")
