"""The wheel is a complete product: it carries the demo clip and the natural voice, within 15 MB,
and `live` finds the demo from any folder."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from posecoach.vision.sources import demo_video

ROOT = Path(__file__).resolve().parents[1]
WHEEL_LIMIT_BYTES = 15 * 1024 * 1024
SOURCES = ("pyproject.toml", "setup.py", "README.md", "posecoach", "models")


def test_the_demo_clip_is_found_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    demo = demo_video()
    assert demo is not None and demo.is_file() and demo.suffix == ".mp4"
    assert demo.parent.name == "demo" and demo.parents[2].name == "posecoach"


def test_the_demo_is_the_sample_clip_its_truth_describes() -> None:
    sample = ROOT / "sample_videos" / "lunge_good_left.mp4"
    if not sample.is_file():
        pytest.skip("no sample_videos/ beside the package")
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(demo_video()) == digest(sample)


def _can_build_offline() -> str | None:
    """Why a wheel cannot be built here without the network, or None when it can."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return "setuptools is not installed"
    if int(version.split(".")[0]) < 77:
        return f"setuptools {version} < 77 (pyproject's build requirement)"
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _can_build_offline()
    if reason:
        pytest.skip(f"cannot build the wheel offline: {reason}")
    src = tmp_path_factory.mktemp("src")  # a clean copy: no stale build/ folder can leak into the wheel
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = ROOT / name
        (shutil.copytree(path, src / name, ignore=ignore) if path.is_dir() else shutil.copy2(path, src / name))
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                          "--no-index", "-q", "-w", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    (whl,) = out.glob("posecoach-*.whl")
    return whl


def test_the_wheel_carries_the_demo_and_the_voice_within_15_mb(wheel: Path) -> None:
    size = wheel.stat().st_size
    assert size <= WHEEL_LIMIT_BYTES, f"wheel is {size / 2**20:.2f} MB"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("posecoach/data/voice/manifest.json"))
    assert "posecoach/data/demo/lunge_good_left.mp4" in names
    assert "posecoach/data/voice/PROVENANCE.md" in names
    assert "posecoach/models/pose_landmarker_full.task" in names
    assert {"posecoach/data/pelvis_model.npz", "posecoach/data/pelvis_model.json"} <= names  # pelvis.learned
    clips = {f"posecoach/data/voice/{e['file']}" for e in manifest["clips"].values()}
    assert len(clips) >= 90 and clips <= names
    assert not any(n.startswith(("voicegen/", "samplegen/", "tests/")) for n in names)
