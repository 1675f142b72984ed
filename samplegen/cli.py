"""Command line: render one scenario, render all, or check MediaPipe detection on clips."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"


def _render(paths: list[Path], out: Path, preview: bool) -> int:
    from samplegen.render import render_clip  # noqa: PLC0415  (heavy imports)
    from samplegen.scenario import load_scenario  # noqa: PLC0415

    for path in paths:
        scenario = load_scenario(path)
        print(f"rendering {path.name}: {scenario.description}", flush=True)
        render_clip(scenario, out, preview=preview, log=lambda m: print(m, flush=True))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplegen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_render = sub.add_parser("render", help="render one scenario TOML")
    p_render.add_argument("scenario", type=Path)
    p_render.add_argument("--out", type=Path, default=SAMPLES, help="output folder (default sample_videos/)")
    p_render.add_argument("--preview", action="store_true", help="only a contact sheet of every 15th frame")
    p_all = sub.add_parser("all", help="render every scenario in sample_videos/scenarios/")
    p_all.add_argument("--out", type=Path, default=SAMPLES)
    p_all.add_argument("--only", nargs="*", default=None, help="stems to render (default: all)")
    p_table = sub.add_parser("table", help="print the Markdown table of the clips (for the README)")
    p_table.add_argument("folder", type=Path, nargs="?", default=SAMPLES)
    p_check = sub.add_parser("check", help="MediaPipe detection rate per clip")
    p_check.add_argument("clips", type=Path, nargs="*", default=None)
    p_check.add_argument("--model", type=Path, default=REPO / "models" / "pose_landmarker_full.task")
    args = parser.parse_args(argv)
    if args.command == "render":
        return _render([args.scenario], args.out, args.preview)
    if args.command == "all":
        paths = sorted((SAMPLES / "scenarios").glob("*.toml"))
        if args.only:
            paths = [p for p in paths if p.stem in set(args.only)]
        return _render(paths, args.out, False)
    if args.command == "table":
        from samplegen.table import clip_table  # noqa: PLC0415

        print(clip_table(args.folder))
        return 0
    from samplegen.check import check_clips  # noqa: PLC0415

    clips = args.clips or sorted(SAMPLES.glob("*.mp4"))
    return check_clips(clips, args.model)


if __name__ == "__main__":
    sys.exit(main())
