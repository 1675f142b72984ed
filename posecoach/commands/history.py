"""`posecoach history`: progress over days from the sessions kept on this computer; draw it, or
delete it all."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from posecoach.core.errors import PosecoachError


def add_parser(sub: Any) -> None:
    hist = sub.add_parser("history", help="your past sessions, day by day",
                          description="Progress over days, from the sessions kept on this computer.")
    hist.add_argument("--plot", type=Path, metavar="FILE.png", help="also draw the progress into a PNG file")
    hist.add_argument("--delete", action="store_true",
                      help="delete the whole history and every session folder (asks first)")
    hist.add_argument("--yes", action="store_true", help="with --delete: do not ask for confirmation")
    hist.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """`posecoach history`: progress by day; --plot FILE draws it; --delete removes it all."""
    from posecoach.core.paths import data_dir
    from posecoach.core.protocol import FAULT_NAMES
    from posecoach.outputs.history import History, delete_all, format_days, plot_days

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
