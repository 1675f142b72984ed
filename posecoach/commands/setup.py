"""`posecoach setup`: check where the camera stands before exercising. The coach says, one thing at a
time and by voice, what to change (step back, lower the camera, turn a little to your left or right,
come closer, add light) until it can see you from the side, then "Good, I can see all of you, from
the side." and stops. Nothing is kept in the history."""
from __future__ import annotations

import argparse
from typing import Any

from posecoach.commands.options import (
    add_stream_options,
    plan_settings,
    with_setup_check,
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("setup", help="check the camera's place: side-on, whole body in view, light",
                       description=__doc__)
    add_stream_options(p, "a therapist's plan (TOML): its language and voice", record=False)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from posecoach.commands.live import run_session

    settings, strings = plan_settings(args.plan)
    summary, _ = run_session("setup", args, with_setup_check(settings, True), strings, keep=False)
    done = summary.get("end_reason") == "done"
    said = [c["text"] for c in summary.get("cues", [])]
    print(("setup: good" if done else f"setup: not finished ({summary.get('end_reason')})")
          + (f"; last said: {said[-1]}" if said else ""))
    return 0 if done else 1
