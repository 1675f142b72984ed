"""`posecoach analyze`: recorded videos (or folders of them) into frames.jsonl and summary.json,
many at once, with one progress bar; a bad file costs one line and the others carry on."""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from posecoach.commands.options import parse_neutral, plan_settings
from posecoach.core.config import Settings
from posecoach.core.errors import PosecoachError


def add_parser(sub: Any) -> None:
    an = sub.add_parser("analyze", help="analyse recorded videos into frames.jsonl and summary.json",
                        description="Analyse videos (or folders of them); writes OUT/<video name>/"
                                    "frames.jsonl and summary.json.")
    an.add_argument("inputs", nargs="+", metavar="VIDEO|FOLDER")
    an.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    an.add_argument("--annotate", action="store_true", help="also write annotated.mp4 with the overlay")
    an.add_argument("--report", action="store_true", help="also write report.html and metrics.csv")
    an.add_argument("--jobs", type=int, metavar="N",
                    help="videos analysed at once (default: one per core; with --engine ray and no "
                         "--ray-address, the CPUs of the local cluster)")
    an.add_argument("--engine", choices=("local", "ray"), default="local",
                    help="where to analyse: this machine's processes (default) or a Ray cluster "
                         "(pip install 'posecoach[cluster]')")
    an.add_argument("--ray-address", metavar="HOST:PORT",
                    help="with --engine ray: the head of a running cluster (default: start a local one on 127.0.0.1)")
    an.add_argument("--save-history", action="store_true", help="add each analysed video to the history")
    an.add_argument("--neutral", type=parse_neutral, metavar="START:END",
                    help="seconds in which the person holds a neutral pelvis (calibrates pelvic tilt)")
    an.add_argument("--plan", type=Path, metavar="FILE", help="a therapist's plan (TOML)")
    an.add_argument("--plain", action="store_true",
                    help="the plain baseline: raw landmark angles, fixed thresholds, no smoothing")
    an.add_argument("--sagittal-model", action=argparse.BooleanOptionalAction, default=None,
                    help="the learned oblique-camera correction of the lunge's angles (default: on)")
    an.add_argument("--sagittal-min-view", type=float, metavar="DEG",
                    help="with --sagittal-model: correct only frames at least DEG off the side view "
                         "(default 0: the model decides by its own estimate of the camera angle)")
    an.add_argument("--model-fps", type=float, metavar="FPS",
                    help="at least this many frames a second go through the pose model, and at "
                         "least every 3rd frame; the frames between get interpolated poses (default "
                         "10 for the lunge; every frame for rest, ball, --plain and with --neutral; "
                         "0 = every frame)")
    an.add_argument("--quiet", action="store_true", help="no progress bar")
    an.add_argument("--exercise", choices=("lunge", "rest", "ball"), default="lunge",
                    help="what the videos show: kneeling lunge (default), constructive rest, soft-ball release")
    an.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from posecoach.runner.analyze import AnalyzeOptions, find_videos
    from posecoach.runner.batch import Outcome
    from posecoach.runner.engines import make_engine

    base = Settings(plain=args.plain)
    if args.sagittal_model is not None:
        base = dataclasses.replace(base, sagittal_model=args.sagittal_model)
    if args.sagittal_min_view is not None:
        base = dataclasses.replace(base, sagittal_min_view_deg=args.sagittal_min_view)
    settings, strings = plan_settings(args.plan, base)
    if args.jobs is not None and args.jobs < 1:
        raise PosecoachError("--jobs must be 1 or more")
    if args.model_fps is not None and not 0 <= args.model_fps <= 1000:
        raise PosecoachError("--model-fps must be between 0 (every frame) and 1000")
    engine = make_engine(args.engine, jobs=args.jobs, address=args.ray_address)
    videos = find_videos(args.inputs)
    opts = AnalyzeOptions(out_dir=args.out, settings=settings, annotate=args.annotate,
                          neutral_s=args.neutral, progress=not args.quiet, strings=strings,
                          exercise=args.exercise, model_fps=args.model_fps)
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
        outcomes = engine.run(videos, opts, report=args.report, on_done=done)
    finally:
        if history is not None:
            history.close()
    failed = [o for o in outcomes if o.error]
    if failed and len(outcomes) > 1:
        print(f"posecoach: {len(failed)} of {len(outcomes)} inputs failed; the others were analysed",
              file=sys.stderr)
    return 1 if failed else 0
