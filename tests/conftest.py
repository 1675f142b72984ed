import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
REAL_CLIPS = ROOT.parent / "shared" / "real_clips"
CHECK_OUTPUT = ROOT.parent / "shared" / "tools" / "check_output.py"
SAMPLES = ROOT / "sample_videos"
sys.path.insert(0, str(TESTS))


def real_clip(name: str) -> Path:
    """A third-party clip from ../shared/real_clips, or skip the test when it is not there."""
    p = REAL_CLIPS / name
    if not p.is_file():
        pytest.skip(f"{p} not present")
    return p


def assert_interface_ok(folder: Path) -> None:
    """The project's validator of the interface (../shared/tools/check_output.py) accepts `folder`.
    It is not part of this repository: without ../shared beside the checkout it is not run."""
    if not CHECK_OUTPUT.is_file():
        return
    import subprocess
    check = subprocess.run([sys.executable, str(CHECK_OUTPUT), str(folder)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the user's real data folder (history, sessions, first-run marker)."""
    home = tmp_path_factory.mktemp("posecoach_home")
    monkeypatch.setenv("POSECOACH_HOME", str(home))
    return home
