"""`posecoach analyze --engine ray`: the same per-video function on a real local Ray cluster
(started on 127.0.0.1 only), the same frames.jsonl as the local engine, a video whose worker is
killed mid-video analysed again (nothing lost, nothing written twice), and failures summed up.
Skipped when Ray (the `cluster` extra) is not installed; the engine choice itself is always tested."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from clipmaker import ROOT
from conftest import SAMPLES

from posecoach.core.errors import PosecoachError
from posecoach.runner.analyze import AnalyzeOptions
from posecoach.runner.engines import LocalEngine, RayEngine, import_ray, make_engine

CLIPS = ("lunge_good_left.mp4", "fault_knee_past_ankle.mp4")


def records(folder: Path) -> list[dict]:
    return [json.loads(x) for x in (folder / "frames.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    for name in CLIPS:
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "broken.mp4").write_bytes(b"not a video at all" * 100)
    return folder


@pytest.fixture(scope="module")
def local(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    videos = [inputs / n for n in CLIPS]
    outcomes = LocalEngine(jobs=1).run(videos, AnalyzeOptions(out_dir=out, progress=False))
    assert all(o.error is None for o in outcomes)
    return out


def test_engine_choice_and_a_missing_ray_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_engine("local", jobs=2), LocalEngine)
    with pytest.raises(PosecoachError, match="needs --engine ray"):
        make_engine("local", address="10.0.0.1:6379")
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    with pytest.raises(PosecoachError, match=r"pip install 'posecoach\[cluster\]'"):
        import_ray()


def test_a_plain_run_never_imports_ray() -> None:
    code = ("import sys, posecoach.commands.main, posecoach.runner.engines, posecoach.runner.batch; "
            "posecoach.commands.main.build_parser().parse_args(['analyze', 'x', '--out', 'y']); "
            "assert 'ray' not in sys.modules, 'ray imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.fixture()
def ray() -> object:
    return pytest.importorskip("ray", reason="Ray not installed (pip install '.[cluster]')")


def test_cli_on_a_local_ray_cluster_matches_the_local_engine(ray: object, inputs: Path, local: Path,
                                                              tmp_path: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "posecoach", "analyze", str(inputs), "--out", str(tmp_path),
                           "--engine", "ray", "--jobs", "2", "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stderr  # the broken file fails, the others are analysed
    errors = [x for x in proc.stderr.splitlines() if x.startswith("posecoach:")]
    assert sum("broken.mp4" in x for x in errors) == 1 and "1 of 3 inputs failed" in errors[-1], proc.stderr
    for name in CLIPS:
        stem = Path(name).stem
        assert f"{name}: " in proc.stdout
        assert records(tmp_path / stem) == records(local / stem)
        a = json.loads((tmp_path / stem / "summary.json").read_text())
        b = json.loads((local / stem / "summary.json").read_text())
        a.pop("video"), b.pop("video")  # the same file under another folder
        assert a == b
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fault_knee_past_ankle", "lunge_good_left"]


def test_a_worker_killed_mid_video_is_retried(ray: object, inputs: Path, local: Path, tmp_path: Path) -> None:
    killed: list[int] = []

    def kill_once(index: int, frames: int, pid: int) -> None:
        if not killed and index == 0 and frames >= 10 and pid:  # its first progress report
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    engine = RayEngine(workers=1, on_progress=kill_once)
    videos = [inputs / CLIPS[0]]
    outcomes = engine.run(videos, AnalyzeOptions(out_dir=tmp_path, progress=False))
    assert killed, "the worker was never seen running"
    assert outcomes[0].error is None and engine.attempts[0] == 2
    assert records(tmp_path / videos[0].stem) == records(local / videos[0].stem)
    assert sorted(p.name for p in tmp_path.iterdir()) == [videos[0].stem]  # no half folder left
    assert not ray.is_initialized()  # type: ignore[attr-defined]  # the local cluster it started is stopped
