"""How often BlazePose finds a person lying on the floor, by camera height and picture quality.

usage: python -m benchmarks.lying_detection FOLDER [FOLDER ...]

FOLDER holds lying clips with truth (samplegen.lying_render); benchmarks/lying_heights/ has the
scenarios of the study in the README (3 camera heights x 3 postures x 2 people, 2 s each):

    python -m samplegen.lying_render benchmarks/lying_heights/*.toml --out /tmp/heights

Each clip is replayed under four conditions: as rendered ("clean"); "webcam" (dim, noisy, blurred,
JPEG); "far" (the picture shrunk to half and padded: the person at twice the distance, ~20% of
the frame width); "far+webcam". Two rates per condition:
- tracked: the product's path (VIDEO mode, one estimator over the clip), share of frames with a
  pose (the detector runs once, then the landmarks track);
- fresh: a new estimator on every 5th frame alone, i.e. re-finding the person from nothing, as
  after a lost track (the harder case);
- turned: the product's path for the floor exercises (posecoach.vision.rotation.RotatingEstimator: when
  nobody is found, the picture is also tried a quarter turn either way), tracked.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from posecoach.core.types import Frame
from posecoach.vision.estimator import PoseEstimator
from posecoach.vision.rotation import RotatingEstimator
from posecoach.vision.sources import open_source

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from samplegen.degrade import degrade  # noqa: E402
from samplegen.scenario import WebcamSpec  # noqa: E402

WEBCAM = WebcamSpec(blur_px=1.2, noise=7.0, jpeg_quality=55, dim=0.55, gamma=1.1)
CONDITIONS = ("clean", "webcam", "far", "far+webcam")


def condition(image: np.ndarray, name: str, rng: np.random.Generator) -> np.ndarray:
    """A BGR frame under one condition (same size as the input)."""
    out = image
    if "far" in name:  # half size in the middle, the walls and floor continued to the edges
        h, w = image.shape[:2]
        small = cv2.resize(image, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        top, left = h // 4, w // 4
        out = cv2.copyMakeBorder(small, top, h - h // 2 - top, left, w - w // 2 - left, cv2.BORDER_REPLICATE)
    if "webcam" in name:
        out = degrade(out[:, :, ::-1], WEBCAM, rng)[:, :, ::-1]
    return np.ascontiguousarray(out)


def study(clips: list[Path]) -> dict:
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # tracked, n, fresh, n, turned
    for clip in clips:
        truth = json.loads(clip.with_name(clip.stem + ".truth.json").read_text())
        height = truth["camera"]["height_m"]
        first = truth["per_frame"][0]
        posture = first["posture"] + (", legs straight" if (first["lying_metrics"]["knee_angle_deg"] or 0) > 140 else "")
        frames = list(open_source(clip))
        for cond in CONDITIONS:
            rng = np.random.default_rng(0)
            images = [condition(f.image, cond, rng) for f in frames]
            key = (height, cond, posture)
            with PoseEstimator(masks=False) as est:
                for f, img in zip(frames, images):
                    rows[key][0] += int(est.detect(Frame(img, f.t_ms, f.index)).present)
                    rows[key][1] += 1
            with RotatingEstimator(masks=False) as est:
                for f, img in zip(frames, images):
                    rows[key][4] += int(est.detect(Frame(img, f.t_ms, f.index)).present)
            for f, img in list(zip(frames, images))[::5]:
                with PoseEstimator(masks=False) as est:
                    rows[key][2] += int(est.detect(Frame(img, 0, 0)).present)
                    rows[key][3] += 1
        print(f"done {clip.name}", file=sys.stderr, flush=True)
    return rows


def table(rows: dict) -> str:
    heights = sorted({k[0] for k in rows})
    lines = ["| camera height | " + " | ".join(f"{c}: tracked / fresh / turned" for c in CONDITIONS) + " |",
             "|---|" + "---|" * len(CONDITIONS)]
    for h in heights:
        cells = []
        for c in CONDITIONS:
            a = [v for k, v in rows.items() if k[0] == h and k[1] == c]
            t = sum(x[0] for x in a) / max(1, sum(x[1] for x in a))
            f = sum(x[2] for x in a) / max(1, sum(x[3] for x in a))
            r = sum(x[4] for x in a) / max(1, sum(x[1] for x in a))
            cells.append(f"{t:.0%} / {f:.0%} / {r:.0%}")
        lines.append(f"| {h} m | " + " | ".join(cells) + " |")
    lines += ["", "| posture (all heights) | " + " | ".join(f"{c}: tracked / turned" for c in CONDITIONS) + " |",
              "|---|" + "---|" * len(CONDITIONS)]
    for p in sorted({k[2] for k in rows}):
        cells = []
        for c in CONDITIONS:
            a = [v for k, v in rows.items() if k[2] == p and k[1] == c]
            n = max(1, sum(x[1] for x in a))
            cells.append(f"{sum(x[0] for x in a) / n:.0%} / {sum(x[4] for x in a) / n:.0%}")
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.lying_detection", description=__doc__.split("\n")[0])
    ap.add_argument("folders", type=Path, nargs="+")
    args = ap.parse_args(argv)
    clips = sorted(p for f in args.folders for p in f.glob("*.mp4") if p.with_name(p.stem + ".truth.json").is_file())
    print(table(study(clips)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
