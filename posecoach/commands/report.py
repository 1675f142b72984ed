"""`posecoach report SESSION_DIR...`: summary.json, report.html and metrics.csv made again from a
session's frame log: a session killed hard (no summary), one whose report failed, or any analysis
folder. A killed session's history row, still open, is marked as killed."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from posecoach.core.errors import PosecoachError


def add_parser(sub: Any) -> None:
    r = sub.add_parser("report", help="rebuild a session's summary and report from its frame log",
                       description="Rebuild summary.json, report.html and metrics.csv of session or analysis "
                                   "folders from their frames.jsonl (a session killed hard has no summary).")
    r.add_argument("folders", nargs="+", type=Path, metavar="SESSION_DIR")
    r.add_argument("--no-history", action="store_true", help="do not look up or update the history")
    r.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    failed = 0
    for folder in args.folders:
        try:
            print(report_one(folder, history=not args.no_history))
        except PosecoachError as e:
            print(f"posecoach: {e}", file=sys.stderr)
            failed += 1
    return 2 if failed else 0


def report_one(folder: Path, history: bool = True) -> str:
    """Rebuild one folder; returns the line to print."""
    from posecoach.outputs.rebuild import KILLED, rebuild
    from posecoach.outputs.report import write_report

    if not folder.is_dir():
        raise PosecoachError(f"{folder} is not a folder")
    had_summary = (folder / "summary.json").is_file()
    row = _history_row(folder) if history else None
    summary, skipped = rebuild(folder, row)
    if history and row is not None and row.get("end_reason") is None and not had_summary:
        _mark_killed(int(row["id"]))
    try:
        page = write_report(folder)
    except OSError as e:
        raise PosecoachError(f"cannot write the report in {folder}: {e.strerror or e}") from e
    how = f"{summary.get('end_reason', '?')}" + ("; rebuilt from the frame log" if summary.get("end_reason") == KILLED
                                                  and not had_summary else "")
    torn = f", {skipped} unreadable line{'s' * (skipped > 1)} skipped" if skipped else ""
    return f"{folder}: {summary['frames']} frames, {summary['duration_s']:.1f} s ({how}{torn}) -> {page}"


def _history_row(folder: Path) -> dict[str, Any] | None:
    from posecoach.outputs.history import History
    try:
        with History() as h:
            return h.session_for(folder) or h.session_for(folder.resolve())
    except (PosecoachError, OSError):
        return None


def _mark_killed(session_id: int) -> None:
    from posecoach.outputs.history import History
    from posecoach.outputs.rebuild import KILLED
    try:
        with History() as h:
            h.finish_session(session_id, KILLED)
    except (PosecoachError, OSError) as e:
        print(f"posecoach: could not update the history ({e})", file=sys.stderr)
