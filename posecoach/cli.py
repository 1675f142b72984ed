"""The `posecoach` command. User mistakes end with one clear line on stderr and exit code 2;
no traceback. `python run.py` with no arguments is `posecoach live`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from posecoach import __version__
from posecoach.errors import PosecoachError

EPILOG = """\
examples:
  posecoach live                         coach live from the default camera
  posecoach live --video clip.mp4        a video stands in for the camera (real-time pace)
  posecoach analyze clip.mp4 --out results --report
  posecoach analyze sample_videos/ --out results

posecoach gives exercise-form guidance only; it does not diagnose. Stop if anything feels sharp
or painful."""


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="posecoach", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="A posture-aware coach for the half-kneeling hip-flexor stretch: it watches you "
                    "through a webcam and tells you, live, what to fix.")
    p.add_argument("--version", action="version", version=f"posecoach {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    live = sub.add_parser("live", help="coach live from a camera (the default command)",
                          description="Coach the kneeling lunge live. With no camera and no --video, "
                                      "a bundled sample video is played instead.")
    live.add_argument("--camera", type=parse_camera, default=None, metavar="INDEX|DEVICE",
                      help="camera index (0, 1, ...) or device path (/dev/video0); default 0")
    live.add_argument("--video", type=Path, metavar="FILE", help="play a video file as if it were the camera")
    live.add_argument("--no-window", action="store_true", help="run without a window (tests, benchmarks)")
    live.add_argument("--plan", type=Path, metavar="FILE", help="a therapist's plan (TOML)")
    live.add_argument("--mute", action="store_true", help="no voice; cues are shown only")
    live.add_argument("--mirror", action="store_true", help="mirror the picture like a selfie view (display only)")
    live.add_argument("--large", action="store_true", help="clinic display: fullscreen, large text")
    live.add_argument("--hold", type=float, metavar="SECONDS", help="hold time per side (default 30)")
    live.add_argument("--speed", type=float, default=1.0, help="with --video: play faster (2 = double speed)")
    live.add_argument("--max-seconds", type=float, help="stop after this many seconds")
    live.add_argument("--session-dir", type=Path, help="where to write the session log")

    an = sub.add_parser("analyze", help="analyse recorded videos into frames.jsonl and summary.json",
                        description="Analyse videos (or folders of them); writes OUT/<video name>/"
                                    "frames.jsonl and summary.json.")
    an.add_argument("inputs", nargs="+", metavar="VIDEO|FOLDER")
    an.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    an.add_argument("--annotate", action="store_true", help="also write annotated.mp4 with the overlay")
    an.add_argument("--report", action="store_true", help="also write report.html")
    an.add_argument("--neutral", type=parse_neutral, metavar="START:END",
                    help="seconds in which the person holds a neutral pelvis (calibrates pelvic tilt)")
    an.add_argument("--plan", type=Path, metavar="FILE", help="a therapist's plan (TOML)")
    an.add_argument("--plain", action="store_true",
                    help="the plain baseline: raw landmark angles, fixed thresholds, no smoothing")
    an.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def cmd_analyze(args: argparse.Namespace) -> int:
    from posecoach.analyze import AnalyzeOptions, analyze_video, find_videos
    from posecoach.config import Settings

    settings = Settings(plain=args.plain)
    videos = find_videos(args.inputs)
    opts = AnalyzeOptions(out_dir=args.out, settings=settings, annotate=args.annotate,
                          neutral_s=args.neutral, progress=not args.quiet)
    failed = 0
    for video in videos:
        try:
            summary = analyze_video(video, opts)
        except PosecoachError as e:
            print(f"posecoach: {e}", file=sys.stderr)
            failed += 1
            continue
        note = " (video ended early: analysed what decoded)" if summary.get("truncated") else ""
        print(f"{video.name}: {summary['frames']} frames, person found in "
              f"{100 * float(summary['detected_fraction']):.0f}%, {len(summary['cues'])} cues{note}"
              f" -> {args.out / video.stem}")
    return 1 if failed else 0


def cmd_live(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from posecoach.config import Settings
    from posecoach.live import LiveOptions, resolve_source, run_live

    settings = Settings()
    if args.hold is not None:
        if not 5 <= args.hold <= 300:
            raise PosecoachError("--hold must be between 5 and 300 seconds")
        settings = replace(settings, coach=replace(settings.coach, hold_s=args.hold))
    if args.video is not None and not args.video.is_file():
        raise PosecoachError(f"video not found: {args.video}")
    opts = LiveOptions(camera=args.camera if args.camera is not None else 0, video=args.video,
                       window=not args.no_window, mute=args.mute, mirror=args.mirror, large=args.large,
                       speed=args.speed, session_dir=args.session_dir, settings=settings,
                       max_seconds=args.max_seconds)
    opts = resolve_source(opts, camera_given=args.camera is not None)
    summary = run_live(opts)
    hold = summary["hold_s"]
    print(f"session: {summary['frames']} frames, hold left {hold['left']:.0f}s right {hold['right']:.0f}s, "
          f"{len(summary['cues'])} cues, ended: {summary['end_reason']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["live", *(argv or [])])
    try:
        if args.command == "analyze":
            return cmd_analyze(args)
        if args.command == "live":
            return cmd_live(args)
    except PosecoachError as e:
        print(f"posecoach: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("posecoach: interrupted; what was done so far is saved", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return 2
