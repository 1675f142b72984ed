"""`posecoach routine`: constructive rest -> kneeling lunge -> soft-ball release, live from a camera
(or a video standing in for one), through the same live loop as `posecoach live`.

A plan (`--plan`) chooses which exercises, in which order, and their times; without one the
routine is the clinic's: 5 minutes of rest, 30 s per side of the lunge, 45 s per side on the ball.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from posecoach.commands.options import add_stream_options, with_setup_check
from posecoach.core.config import REST_S, Settings
from posecoach.core.errors import PosecoachError
from posecoach.core.protocol import EXERCISES, PLAN_NAMES
from posecoach.exercises.ball import BallConfig
from posecoach.exercises.rest_coach import RestConfig

ExerciseConfigs = dict[str, RestConfig | BallConfig]


def add_parser(sub: Any) -> None:
    r = sub.add_parser(
        "routine", help="the whole routine: constructive rest, kneeling lunge, soft-ball release",
        description="Coach the three exercises in order. Press N to move on to the next exercise, "
                    "P to stop (pain), Q to quit. Lying down, put the camera at floor level, side-on.")
    add_stream_options(r, "a therapist's plan (TOML): exercises, order, times")
    r.add_argument("--rest-minutes", type=float, metavar="MIN",
                   help=f"constructive rest time (default 5; {REST_S.lo / 60:g}-{REST_S.hi / 60:g})")
    r.set_defaults(run=run)


def routine_plan(plan_path: Path | None, rest_minutes: float | None = None
                 ) -> tuple[Settings, dict[str, str] | None, list[str], ExerciseConfigs]:
    """(settings, strings, order, configs) from a plan file, or the clinic's defaults."""
    settings, strings, order = Settings(), None, list(EXERCISES)
    configs: ExerciseConfigs = {"rest": RestConfig(), "ball": BallConfig()}
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
        try:
            configs["rest"] = RestConfig(target_s=60.0 * rest_minutes)
        except ValueError:
            raise PosecoachError(f"--rest-minutes must be between {REST_S.lo / 60:g} and {REST_S.hi / 60:g}") from None
    return settings, strings, order, configs


def run(args: argparse.Namespace) -> int:
    from posecoach.commands.live import run_session

    settings, strings, order, configs = routine_plan(args.plan, args.rest_minutes)
    settings = with_setup_check(settings, args.video is None)
    summary, folder = run_session("routine", args, settings, strings, configs=configs, order=order)
    print(routine_lines(summary))
    print(f"saved in {folder}" + (f"; report: {summary['report']}" if summary.get("report") else ""))
    return 0


def routine_lines(summary: dict[str, Any]) -> str:
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
