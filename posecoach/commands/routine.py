"""`posecoach routine`: constructive rest -> kneeling lunge -> soft-ball release, live from a camera
(or a video standing in for one), through the same live loop as `posecoach live`; and the
exercise choice of `posecoach analyze --exercise`.

A plan (`--plan`) chooses which exercises, in which order, and their times; without one the
routine is the clinic's: 5 minutes of rest, 30 s per side of the lunge, 45 s per side on the ball.
"""
from __future__ import annotations

import argparse
from dataclasses import replace
from functools import partial
from pathlib import Path

from posecoach.core.errors import PosecoachError
from posecoach.exercises.ball import BallConfig
from posecoach.exercises.rest_coach import RestConfig
from posecoach.sessions.floor import EXERCISES, PLAN_NAMES


def add_routine_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    r = sub.add_parser(
        "routine", help="the whole routine: constructive rest, kneeling lunge, soft-ball release",
        description="Coach the three exercises in order. Press N to move on to the next exercise, "
                    "P to stop (pain), Q to quit. Lying down, put the camera at floor level, side-on.")
    from posecoach.commands.main import add_stream_options  # posecoach.commands.main imports this module lazily
    add_stream_options(r, "a therapist's plan (TOML): exercises, order, times")
    r.add_argument("--rest-minutes", type=float, metavar="MIN", help="constructive rest time (default 5)")
    return r


def routine_plan(plan_path: Path | None, rest_minutes: float | None = None):
    """(settings, strings, order, configs) from a plan file, or the clinic's defaults."""
    from posecoach.core.config import Settings

    settings, strings, order = Settings(), None, list(EXERCISES)
    configs: dict[str, object] = {"rest": RestConfig(), "ball": BallConfig()}
    if plan_path is not None:
        from posecoach.core.plan import load_plan
        plan = load_plan(plan_path)
        settings, strings = plan.settings, plan.strings
        order = [PLAN_NAMES[e.name] for e in plan.exercises]
        for e in plan.exercises:
            try:
                if e.name == "constructive_rest":
                    configs["rest"] = RestConfig(target_s=e.hold_s)
                elif e.name == "ball_release":
                    configs["ball"] = BallConfig(spot_s=e.hold_s, sides=e.sides or ("left", "right"),
                                                 spots_per_side=e.repetitions)
            except ValueError as err:
                raise PosecoachError(f"{plan_path}: {e.name}: {err}") from None
    if rest_minutes is not None:
        if not 1 <= rest_minutes <= 20:
            raise PosecoachError("--rest-minutes must be between 1 and 20")
        configs["rest"] = RestConfig(target_s=60.0 * rest_minutes)
    return settings, strings, order, configs


def cmd_routine(args: argparse.Namespace) -> int:
    from posecoach.runner.analyze import make_pelvis
    from posecoach.ui.live import LiveOptions, resolve_source, run_live
    from posecoach.sessions.routine import RoutineSession

    settings, strings, order, configs = routine_plan(args.plan, args.rest_minutes)
    settings = replace(settings, coach=replace(settings.coach, setup_check=args.video is None))
    if args.video is not None and not args.video.is_file():
        raise PosecoachError(f"video not found: {args.video}")
    camera = args.camera if args.camera is not None else 0
    factory = partial(RoutineSession, order=tuple(order), configs=configs,
                      make_pelvis=lambda: make_pelvis(None, settings))
    opts = LiveOptions(camera=camera, video=args.video, window=not args.no_window, mute=args.mute,
                       large=args.large, speed=args.speed, session_dir=args.session_dir, settings=settings,
                       max_seconds=args.max_seconds, strings=strings, history=not args.no_history,
                       session_factory=factory)
    opts = resolve_source(opts, camera_given=args.camera is not None)
    if opts.session_dir is None:
        from posecoach.outputs.history import new_session_dir
        opts.session_dir = new_session_dir()
    summary = run_live(opts)
    print(routine_lines(summary))
    print(f"saved in {opts.session_dir}" + (f"; report: {summary['report']}" if summary.get("report") else ""))
    return 0


def routine_lines(summary: dict) -> str:
    """A few lines saying how each exercise went."""
    lines = [f"routine: {summary.get('frames', 0)} frames, ended: {summary.get('end_reason', '?')}"]
    for name, s in (summary.get("exercises") or {}).items():
        if not s.get("ran"):
            lines.append(f"  {s.get('title', name)}: not reached")
            continue
        if name == "rest":
            rate = (s.get("breathing_rate_bpm") or {}).get("mean")
            extra = f"rested {s.get('rest_s', 0):.0f} of {s.get('target_s', 0):.0f} s" + (
                f", breathing ~{rate:.0f}/min" if rate else "")
        elif name == "ball":
            hold = s.get("hold_s", {})
            extra = f"on the ball left {hold.get('left', 0):.0f} s, right {hold.get('right', 0):.0f} s"
        else:
            hold = s.get("hold_s", {})
            extra = f"held left {hold.get('left', 0):.0f} s, right {hold.get('right', 0):.0f} s"
        lines.append(f"  {s.get('title', name)}: {extra} ({s.get('end_reason')})")
    return "\n".join(lines)
