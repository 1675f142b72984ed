"""`posecoach plan check FILE`: is a therapist's plan valid, and what does it prescribe."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    plan = sub.add_parser("plan", help="therapist plans: check a plan file",
                          description="Therapist plans (TOML): see plans/example.toml and the README.")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    check = plan_sub.add_parser("check", help="say whether a plan is valid, or what is wrong with it")
    check.add_argument("file", type=Path, metavar="FILE")
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """`posecoach plan check FILE`: OK and a summary (exit 0), or what is wrong (exit 2)."""
    from posecoach.core.plan import load_plan

    plan = load_plan(args.file)
    print(f"OK: {args.file} is a valid plan")
    print(plan.describe())
    return 0
