"""The `posecoach` command. User mistakes end with one clear line on stderr and exit code 2;
no traceback. `python run.py` with no arguments is `posecoach live`.
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from posecoach import __version__
from posecoach.core.errors import PosecoachError

EPILOG = """\
examples:
  posecoach live                         coach live from the default camera
  posecoach live --video clip.mp4        a video stands in for the camera (real-time pace)
  posecoach analyze clip.mp4 --out results --report
  posecoach analyze sample_videos/ --out results
  posecoach plan check plans/example.toml   validate a therapist's plan

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


def add_stream_options(p: argparse.ArgumentParser, plan_help: str) -> None:
    """The options `live` and `routine` share: where the frames come from, the plan, the display,
    the voice and where the session is kept."""
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
    add_stream_options(live, "a therapist's plan (TOML)")
    live.add_argument("--mirror", action="store_true", help="mirror the picture like a selfie view (display only)")
    live.add_argument("--hold", type=float, metavar="SECONDS", help="hold time per side (default 30)")
    live.add_argument("--record", action="store_true",
                      help="also keep the raw camera video in the session folder (off: no video is kept)")
    live.add_argument("--safety", action="store_true", help="show the safety screen again before starting")

    an = sub.add_parser("analyze", help="analyse recorded videos into frames.jsonl and summary.json",
                        description="Analyse videos (or folders of them); writes OUT/<video name>/"
                                    "frames.jsonl and summary.json.")
    an.add_argument("inputs", nargs="+", metavar="VIDEO|FOLDER")
    an.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    an.add_argument("--annotate", action="store_true", help="also write annotated.mp4 with the overlay")
    an.add_argument("--report", action="store_true", help="also write report.html and metrics.csv")
    an.add_argument("--jobs", type=int, metavar="N", help="videos analysed at once (default: one per core)")
    an.add_argument("--save-history", action="store_true", help="add each analysed video to the history")
    an.add_argument("--neutral", type=parse_neutral, metavar="START:END",
                    help="seconds in which the person holds a neutral pelvis (calibrates pelvic tilt)")
    an.add_argument("--plan", type=Path, metavar="FILE", help="a therapist's plan (TOML)")
    an.add_argument("--plain", action="store_true",
                    help="the plain baseline: raw landmark angles, fixed thresholds, no smoothing")
    an.add_argument("--quiet", action="store_true", help="no progress bar")
    an.add_argument("--exercise", choices=("lunge", "rest", "ball"), default="lunge",
                    help="what the videos show: kneeling lunge (default), constructive rest, soft-ball release")

    hist = sub.add_parser("history", help="your past sessions, day by day",
                          description="Progress over days, from the sessions kept on this computer.")
    hist.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the progress into a PNG file")
    hist.add_argument("--delete", action="store_true",
                      help="delete the whole history and every session folder (asks first)")
    hist.add_argument("--yes", action="store_true", help="with --delete: do not ask for confirmation")

    plan = sub.add_parser("plan", help="therapist plans: check a plan file",
                          description="Therapist plans (TOML): see plans/example.toml and the README.")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    check = plan_sub.add_parser("check", help="say whether a plan is valid, or what is wrong with it")
    check.add_argument("file", type=Path, metavar="FILE")
    from posecoach.commands.routine import add_routine_parser
    add_routine_parser(sub)
    return p


def cmd_analyze(args: argparse.Namespace) -> int:
    from posecoach.runner.analyze import AnalyzeOptions, find_videos
    from posecoach.runner.batch import Outcome, run_batch
    from posecoach.core.config import Settings

    settings, strings = Settings(plain=args.plain), None
    if args.plan is not None:
        from posecoach.core.plan import load_plan
        plan = load_plan(args.plan, base=settings)
        settings, strings = plan.settings, plan.strings
    if args.jobs is not None and args.jobs < 1:
        raise PosecoachError("--jobs must be 1 or more")
    videos = find_videos(args.inputs)
    opts = AnalyzeOptions(out_dir=args.out, settings=settings, annotate=args.annotate,
                          neutral_s=args.neutral, progress=not args.quiet, strings=strings,
                          exercise=args.exercise)
    history = None
    if args.save_history:
        from posecoach.outputs.history import History
        history = History()

    def done(o: Outcome) -> None:
        if o.summary is None:
            print(f"posecoach: {o.error}", file=sys.stderr)
            return
        s = o.summary
        note = " (video ended early: analysed what decoded)" if s.get("truncated") else ""
        if note:
            print(f"posecoach: warning: {o.video.name} is damaged or cut short; only its first "
                  f"{s['frames']} frames could be analysed", file=sys.stderr)
        print(f"{o.video.name}: {s['frames']} frames, person found in {100 * float(s['detected_fraction']):.0f}%, "
              f"{len(s['cues'])} cues{note} -> {o.report or args.out / o.video.stem}")
        if history is not None:
            from posecoach.outputs.report import load_analysis
            records, summary = load_analysis(args.out / o.video.stem)
            history.add_analysis(records, summary, args.out / o.video.stem, settings.coach.hold_s)

    try:
        outcomes = run_batch(videos, opts, jobs=args.jobs, report=args.report, on_done=done)
    finally:
        if history is not None:
            history.close()
    failed = [o for o in outcomes if o.error]
    if failed and len(outcomes) > 1:
        print(f"posecoach: {len(failed)} of {len(outcomes)} inputs failed; the others were analysed",
              file=sys.stderr)
    return 1 if failed else 0


def cmd_live(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from posecoach.core.config import Settings
    from posecoach.ui.live import LiveOptions, resolve_source, run_live

    settings, strings = Settings(), None
    if args.plan is not None:
        from posecoach.core.plan import load_plan
        plan = load_plan(args.plan)
        settings, strings = plan.settings, plan.strings
    # Live, coaching starts once the setup (in frame, side-on, close enough, lit) is confirmed.
    settings = replace(settings, coach=replace(settings.coach, setup_check=True))
    if args.hold is not None:
        if not 5 <= args.hold <= 300:
            raise PosecoachError("--hold must be between 5 and 300 seconds")
        settings = replace(settings, coach=replace(settings.coach, hold_s=args.hold))
    if args.video is not None and not args.video.is_file():
        raise PosecoachError(f"video not found: {args.video}")
    opts = LiveOptions(camera=args.camera if args.camera is not None else 0, video=args.video,
                       window=not args.no_window, mute=args.mute, mirror=args.mirror, large=args.large,
                       speed=args.speed, session_dir=args.session_dir, settings=settings,
                       max_seconds=args.max_seconds, strings=strings, show_safety=args.safety,
                       record=args.record, history=not args.no_history)
    opts = resolve_source(opts, camera_given=args.camera is not None)
    if opts.session_dir is None:
        from posecoach.outputs.history import new_session_dir
        opts.session_dir = new_session_dir()
    summary = run_live(opts)
    hold = summary["hold_s"]
    print(f"session: {summary['frames']} frames, hold left {hold['left']:.0f}s right {hold['right']:.0f}s, "
          f"{len(summary['cues'])} cues, ended: {summary['end_reason']}")
    print(f"saved in {opts.session_dir}" + (f"; report: {summary['report']}" if summary.get("report") else ""))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """`posecoach history`: progress by day; --plot FILE draws it; --delete removes it all."""
    from posecoach.outputs.history import History, delete_all, format_days, plot_days
    from posecoach.outputs.tally import FAULT_NAMES
    from posecoach.core.paths import data_dir

    if args.delete:
        home = data_dir(create=False)
        if not args.yes:
            try:
                answer = input(f"Delete all posecoach history and session folders in {home}? [y/N] ")
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 0
        sessions, folders = delete_all()
        print(f"Deleted the history ({sessions} sessions) and {folders} session folders from {home}.")
        return 0
    with History() as h:
        days, path = h.days(), h.path
    if days:
        print(format_days(days, FAULT_NAMES))
    else:
        print("No sessions yet: run `posecoach live` (or `posecoach analyze VIDEO --out DIR --save-history`).")
    print(f"(kept only on this computer: {path})")
    if args.plot is not None:
        if not days:
            raise PosecoachError("no sessions to plot yet")
        print(f"plot: {plot_days(days, args.plot)}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    """`posecoach plan check FILE`: OK and a summary (exit 0), or what is wrong (exit 2)."""
    from posecoach.core.plan import load_plan

    plan = load_plan(args.file)
    print(f"OK: {args.file} is a valid plan")
    print(plan.describe())
    return 0


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
        if args.command == "analyze":
            return cmd_analyze(args)
        if args.command == "live":
            return cmd_live(args)
        if args.command == "plan":
            return cmd_plan(args)
        if args.command == "history":
            return cmd_history(args)
        if args.command == "routine":
            from posecoach.commands.routine import cmd_routine
            return cmd_routine(args)
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
    parser.error(f"unknown command {args.command}")
    return 2
