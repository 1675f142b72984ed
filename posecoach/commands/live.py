"""`posecoach live`: coach the kneeling lunge live from a camera (or a video standing in for one)."""
from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from posecoach.commands.options import (
    add_stream_options,
    plan_settings,
    session_dir,
    with_setup_check,
)
from posecoach.core.config import LUNGE_HOLD_S, Settings
from posecoach.core.errors import PosecoachError


def add_parser(sub: Any) -> None:
    live = sub.add_parser("live", help="coach live from a camera (the default command)",
                          description="Coach the kneeling lunge live. With no camera and no --video, "
                                      "a bundled sample video is played instead.")
    add_stream_options(live, "a therapist's plan (TOML)")
    live.add_argument("--mirror", action="store_true", help="mirror the picture like a selfie view (display only)")
    live.add_argument("--hold", type=float, metavar="SECONDS",
                      help=f"hold time per side (default 30; {LUNGE_HOLD_S.lo:g}-{LUNGE_HOLD_S.hi:g})")
    live.add_argument("--safety", action="store_true", help="show the safety screen again before starting")
    live.set_defaults(run=run)


def live_settings(args: argparse.Namespace) -> tuple[Settings, dict[str, str] | None]:
    settings, strings = plan_settings(args.plan)
    settings = with_setup_check(settings, True)
    if args.hold is not None:
        try:
            hold = LUNGE_HOLD_S.check(args.hold, "--hold")
        except ValueError as e:
            raise PosecoachError(str(e)) from None
        settings = replace(settings, coach=replace(settings.coach, hold_s=hold))
    return settings, strings


def run_session(name: str, args: argparse.Namespace, settings: Settings, strings: dict[str, str] | None,
                keep: bool = True, **options: Any) -> tuple[dict[str, Any], Path | None]:
    """Open the source, build the session `name` and its estimator, run it live; (summary, folder).
    keep: keep the session (its folder, report and history row); without it only --session-dir
    keeps its log."""
    from posecoach.runner.open import open_session
    from posecoach.ui.live import LiveOptions, run_live
    from posecoach.vision.sources import CameraSource, open_live_source

    source = open_live_source(args.camera, args.video, args.speed)
    camera = isinstance(source, CameraSource)  # not a video, nor the demo played for want of a camera
    guided = name == "lunge" and camera  # a person in front of a camera can follow the calibration
    folder = session_dir(args.session_dir) if keep else args.session_dir
    try:
        session = open_session(name, settings, strings=strings, guided=guided, **options)
    except BaseException:
        source.close()
        raise
    opts = LiveOptions(window=not args.no_window, mute=args.mute, mirror=getattr(args, "mirror", False),
                       large=args.large, session_dir=folder, settings=settings, strings=strings,
                       max_seconds=args.max_seconds, show_safety=getattr(args, "safety", False),
                       record=getattr(args, "record", False), history=keep and not args.no_history,
                       report=keep, mic=args.mic,
                       wait_for_start=wait_for_start(name, args, camera))
    return run_live(session, source, opts), folder


def wait_for_start(name: str, args: argparse.Namespace, camera: bool) -> bool:
    """A person in front of a camera starts when ready (a raised hand, SPACE); a video, the demo
    included, starts at once unless asked; the setup check never waits."""
    if name == "setup":
        return False
    return bool(args.wait_for_start or (camera and not args.start_now))


def run(args: argparse.Namespace) -> int:
    settings, strings = live_settings(args)
    summary, folder = run_session("lunge", args, settings, strings)
    hold = summary["hold_s"]
    print(f"session: {summary['frames']} frames, hold left {hold['left']:.0f}s right {hold['right']:.0f}s, "
          f"{len(summary['cues'])} cues, ended: {summary['end_reason']}")
    print(f"saved in {folder}" + (f"; report: {summary['report']}" if summary.get("report") else ""))
    return 0
