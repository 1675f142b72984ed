"""Which part of the kneeling test fails, by where the camera stands: on every lunge frame of
rendered clips (truth `in_lunge`), the share that passes `lunge.kneeling_checks` as a whole and
the share that fails each check, per camera azimuth band, for all lunge frames and for those with
a knee-past-ankle or hips-forward fault on the 3D truth (the frames whose recall suffers when the
test fails).

    python -m benchmarks.kneel_check FOLDER... [--cache DIR]

Landmarks from benchmarks.landmark_cache (the analysis's own VIDEO-mode run); each frame is
judged on its own (no steadying), with the sagittal correction on as in the product.
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks.landmark_cache import SAMPLE_CACHE
from benchmarks.offsets import pose_at
from benchmarks.replay import load_clips
from benchmarks.scoring import judge_form_3d
from posecoach.exercises.lunge import kneeling_checks, observe
from samplegen.metrics import BANDS

BANDS_DEG = (("within 20", -22.5, 22.5), ("25-45 in front", 22.5, 47.5), ("25-45 behind", -47.5, -22.5))
FAULTS = {"KNEE_PAST_ANKLE", "HIPS_FORWARD"}


def tally(folders: list[Path], cache: Path) -> dict[tuple[str, str], Counter]:
    """(band, "lunge" | "fault") -> counts of frames, passes, no person and each failed check."""
    out: dict[tuple[str, str], Counter] = {}
    for _, truth, data in load_clips(folders, cache):
        az = [r["camera_azimuth_deg"] for r in truth["per_frame"] if r.get("camera_azimuth_deg") is not None]
        band = next((b for b, lo, hi in BANDS_DEG if az and lo <= float(np.median(az)) <= hi), None)
        if band is None:
            continue
        for t in judge_form_3d(truth["per_frame"], BANDS):
            i = int(t["frame"])
            if not (t.get("person") and t.get("in_lunge")) or i >= len(data["present"]):
                continue
            kinds = ["lunge"] + (["fault"] if FAULTS & set(t["fault"]) else [])
            if not data["present"][i]:
                failed = ["nobody found"]
            else:
                obs = observe(pose_at(data, i), 0, corrected=True, sagittal=True)
                checks = kneeling_checks(obs.joints, obs.facing, obs.view_angle_deg, True)
                failed = [name for name, ok in checks.items() if not ok]
            for kind in kinds:
                c = out.setdefault((band, kind), Counter())
                c["frames"] += 1
                c["kneeling"] += not failed
                c.update(failed)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.kneel_check", description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--cache", type=Path, default=SAMPLE_CACHE)
    args = ap.parse_args(argv)
    counts = tally(args.folders, args.cache)
    for (band, kind), c in sorted(counts.items()):
        n = c.pop("frames")
        share = "  ".join(f"{k} {v / n:.2f}" for k, v in c.most_common())
        print(f"{band:<15} {kind:<6} {n:>5} frames: {share}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
