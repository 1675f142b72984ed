"""What the commands share: option parsers, the stream options of `live` and `routine`, and the
plan and settings every command layers its flags on."""
from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from posecoach.core.config import Settings


def parse_neutral(text: str) -> tuple[float, float]:
    """'START:END' seconds -> (start, end)."""
    try:
        a, b = (float(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--neutral takes START:END in seconds, e.g. 0:3, not {text!r}")
    if not 0 <= a < b:
        raise argparse.ArgumentTypeError(f"--neutral {text}: need 0 <= START < END")
    return a, b


def parse_camera(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def add_stream_options(p: argparse.ArgumentParser, plan_help: str, record: bool = True) -> None:
    """The options `live` and `routine` share (and `setup`, without --record): where the frames
    come from, the plan, the display, the voice and where the session is kept."""
    p.add_argument("--camera", type=parse_camera, default=None, metavar="INDEX|DEVICE",
                   help="camera index (0, 1, ...) or device path (/dev/video0); default 0")
    p.add_argument("--video", type=Path, metavar="FILE", help="play a video file as if it were the camera")
    p.add_argument("--no-window", action="store_true", help="run without a window (tests, benchmarks)")
    p.add_argument("--plan", type=Path, metavar="FILE", help=plan_help)
    p.add_argument("--mute", action="store_true", help="no voice; cues are shown only")
    p.add_argument("--large", action="store_true", help="clinic display: fullscreen, large text")
    p.add_argument("--speed", type=float, default=1.0, help="with --video: play faster (2 = double speed)")
    p.add_argument("--max-seconds", type=float, help="stop after this many seconds")
    p.add_argument("--session-dir", type=Path, metavar="DIR",
                   help="where to keep this session (log, report); default: a new folder in the data folder")
    p.add_argument("--no-history", action="store_true", help="do not add this session to the history")
    p.add_argument("--mic", metavar="FILE|DEVICE",
                   help="voice commands (pause, resume, next, stop, ouch) from a microphone: 'default', a "
                        "device number, or a WAV file standing in for one (needs posecoach[voice-control])")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--wait-for-start", action="store_true",
                       help="with --video: wait for a raised hand (or SPACE) before coaching, as with a camera")
    start.add_argument("--start-now", action="store_true",
                       help="with a camera: start coaching at once instead of waiting for a raised hand")
    if record:
        p.add_argument("--record", action="store_true",
                       help="also keep the raw camera video in the session folder (camera.avi, Motion-JPEG: "
                            "it plays even after a crash; off: no video is kept)")


def plan_settings(plan_path: Path | None, base: Settings | None = None) -> tuple[Settings, dict[str, str] | None]:
    """(settings, cue strings) from a plan file, or the defaults."""
    settings = base or Settings()
    if plan_path is None:
        return settings, None
    from posecoach.core.plan import load_plan
    plan = load_plan(plan_path, base=settings)
    return plan.settings, plan.strings


def with_setup_check(settings: Settings, on: bool) -> Settings:
    """Live, coaching starts once the setup (in frame, side-on, close enough, lit) is confirmed; a
    recording starts mid-exercise."""
    return replace(settings, coach=replace(settings.coach, setup_check=on))


def session_dir(given: Path | None) -> Path:
    """Where a live session is kept: the folder given, or a new one in the data folder."""
    if given is not None:
        return given
    from posecoach.outputs.history import new_session_dir
    return new_session_dir()
