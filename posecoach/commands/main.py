"""The `posecoach` command: one module per subcommand (posecoach.commands.*), each adding its parser
and its `run`. User mistakes end with one clear line on stderr and exit code 2; no traceback.
`python run.py` with no arguments is `posecoach live`. Nothing heavy (OpenCV, MediaPipe) is
imported until a command runs, so `posecoach --help` is quick.
"""
from __future__ import annotations

import argparse
import signal
import sys

from posecoach import __version__
from posecoach.commands import analyze, history, live, plan, report, routine, setup
from posecoach.core.errors import PosecoachError

EPILOG = """\
examples:
  posecoach live                         coach live from the default camera
  posecoach live --video clip.mp4        a video stands in for the camera (real-time pace)
  posecoach setup                        check the camera's place (side-on, whole body, light)
  posecoach analyze clip.mp4 --out results --report
  posecoach analyze sample_videos/ --out results
  posecoach report SESSION_DIR           rebuild a (killed) session's summary and report
  posecoach plan check plans/example.toml   validate a therapist's plan

posecoach gives exercise-form guidance only; it does not diagnose. Stop if anything feels sharp
or painful."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="posecoach", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="A posture-aware coach for the half-kneeling hip-flexor stretch: it watches you "
                    "through a webcam and tells you, live, what to fix.")
    p.add_argument("--version", action="version", version=f"posecoach {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in (live, setup, analyze, report, history, plan, routine):
        command.add_parser(sub)
    return p


def stop_on_sigterm() -> None:
    """`kill`, a logout or a shutdown ends the run like Ctrl+C, so the session is saved."""
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (main() called from a test's worker)
        pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["live", *(argv or [])])
    stop_on_sigterm()
    try:
        return int(args.run(args))
    except PosecoachError as e:
        print(f"posecoach: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("posecoach: interrupted; what was done so far is saved", file=sys.stderr)
        return 130
    except OSError as e:  # a disk that fills up or a folder that vanishes mid-run
        where = f": {e.filename}" if e.filename else ""
        print(f"posecoach: {e.strerror or e}{where}", file=sys.stderr)
        return 2
