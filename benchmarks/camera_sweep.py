"""Write the camera sweep of issue 12: scenarios over camera azimuth x height x form, with bodies,
rooms and clothing drawn from a seed, to score posecoach against the body's own (3D sagittal)
angles from oblique and high cameras.

The full product (the grid) is azimuth (0, +-10, +-20, +-30, +-40, +-50 deg; + = camera in front
of the person, - = behind) x camera height (0.3, 0.75, 1.2 m) x form (good, KNEE_PAST_ANKLE,
FOOT_TOO_FAR, HIPS_FORWARD, ANTERIOR_TILT, LEANING_FORWARD) = 198 cells; every cell's draws come
from its own generator seeded by (seed, cell), so any subset renders the same clips as the full
grid would. Distance 2-4 m, field of view 46-58 deg, which leg is in front and which way the
person faces are drawn per cell. The camera orbits the pelvis of the first lunge keyframe
(`orbit_pelvis`), so the scenario's yaw is the exact azimuth there; the truth files record the
per-frame azimuth and elevation (`camera_azimuth_deg`, `camera_elevation_deg`).

`--render` renders, in one process (the body model loads once), every scenario in OUT/scenarios/
whose truth file is missing, in a fixed shuffled order (so a partial run is still a sample of the
whole set); it needs the .[samples] extra and may be re-run to resume. One clip at a time:
`python -m samplegen render OUT/scenarios/NAME.toml --out OUT`.

`--subset stratified` (the default) renders 1 cell in 6 of each azimuth x height pair: the form
rotates with azimuth and height so that every form meets every azimuth and every height (33
clips); `--per-cell N` takes N forms per pair; `--subset full` writes all 198. `--random N` adds
N clips at random azimuths (-50..50) and random heights (0.3-1.3 m), for the held-out check.

Render cost on this machine (2 shared cores, nice, OMP_NUM_THREADS=1): see docs/accuracy.md
("Oblique and high cameras"). The sweep uses 640x480 at 15 fps, 7-7.5 s clips.

The two sets rendered for issue 12 (dev may be fitted on; heldout must never be):

    python -m benchmarks.camera_sweep /work/data/issue12-sweep/dev --seed 1201
    python -m benchmarks.camera_sweep /work/data/issue12-sweep/heldout --seed 1299 --random 4
    OMP_NUM_THREADS=1 nice -n 10 python -m benchmarks.camera_sweep /work/data/issue12-sweep/dev --render
    OMP_NUM_THREADS=1 nice -n 10 python -m benchmarks.camera_sweep /work/data/issue12-sweep/heldout --render
    python -m benchmarks.accuracy /work/data/issue12-sweep/heldout --baseline --no-uncalibrated
    python -m benchmarks.accuracy /work/data/issue12-sweep/dev --baseline --no-uncalibrated

The session that made them rendered 14 of the 33 dev and 14 of the 37 held-out takes (the first
ones in the render order) before stopping; `--render` finishes the rest. Bodies and rooms of the
two sets do not coincide: every draw is continuous and comes from a different seed (nothing
enforces different seeds: choose them so).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from benchmarks.heldout import KINDS, body, fault_changes, good_posture, room, table, toml_value

AZIMUTHS = (0, 10, -10, 20, -20, 30, -30, 40, -40, 50, -50)
HEIGHTS = (0.3, 0.75, 1.2)
FPS = 15.0


def cell_rng(seed: int, a: int, h: int, k: int) -> np.random.Generator:
    """The generator of one grid cell: the same draws whichever subset is written."""
    return np.random.default_rng([seed, a, h, k])


def camera(rng: np.random.Generator, azimuth: float, height: float, facing: str) -> dict[str, object]:
    """Camera at `azimuth` off the side view (+ in front), orbiting the pelvis.

    At yaw 0 the camera looks along world +Y; a person facing image-left (facing 0) has the
    camera in front of them when it orbits to positive yaw, one facing image-right when it
    orbits to negative yaw (samplegen.truth.camera_angles_deg computes the same sign).
    """
    yaw = azimuth if facing == "left" else -azimuth
    distance = float(rng.uniform(2.0, 4.0))
    # aim a little above the kneeling hips; lower when close and high so the knees stay in frame
    look = float(rng.uniform(0.45, 0.6))
    return {"height_m": round(height, 2), "distance_m": round(distance, 2), "yaw_deg": round(float(yaw), 1),
            "fov_deg": round(float(rng.uniform(46, 58)), 1), "look_at_height_m": round(look, 2),
            "orbit_pelvis": True}


def keyframes(kind: str, rng: np.random.Generator, front: str, facing: str) -> tuple[list[dict[str, object]], dict[str, object]]:
    """(keyframes, top-level extras) of one take: a good hold, or good -> fault -> good."""
    base = good_posture(rng, front)
    base["facing"] = facing
    if kind == "good":
        keys = [{"t": 0.0, **base, "hold": 3.0}, {"t": 5.5, **{**base, "trunk_lean_deg": int(rng.integers(-3, 4))}}]
        return keys, {"duration_s": 7.0}
    keys = [{"t": 0.0, **base, "hold": 2.0 if kind == "ANTERIOR_TILT" else 1.5},
            {"t": 2.8, **base, **fault_changes(kind, rng), "hold": 2.0},
            {"t": 6.0, **base}]
    extra: dict[str, object] = {"duration_s": 7.5}
    if kind == "ANTERIOR_TILT":  # a neutral pelvis to calibrate on, then the usual tuck
        keys[0]["pelvic_tilt_deg"] = 0
        extra["neutral_s"] = [0.3, 1.8]
    return keys, extra


def scenario(name: str, kind: str, azimuth: float, height: float, rng: np.random.Generator,
             tag: str, fps: float = FPS) -> str:
    """TOML text of one sweep take."""
    front = str(rng.choice(["left", "right"]))
    facing = str(rng.choice(["left", "right"]))
    cam = camera(rng, azimuth, height, facing)
    keys, extra = keyframes(kind, rng, front, facing)
    where = "in front" if azimuth > 0 else "behind" if azimuth < 0 else "square-on"
    tags = ["good_form"] if kind == "good" else ["fault", kind]
    tags += ["camera_sweep", tag, f"azimuth_{azimuth:+.0f}", f"camera_{height:.2f}m"]
    if kind == "ANTERIOR_TILT":
        tags.append("calibration")
    head: dict[str, object] = {
        "description": (f"camera sweep: {kind} ({front} leg in front, faces image-{facing}), camera "
                        f"{abs(azimuth):.0f} deg {where}, {height:.2f} m high, {cam['distance_m']} m away"),
        "tags": tags, **extra, "fps": fps, "size": [640, 480]}
    text = "\n".join(f"{k} = {toml_value(v)}" for k, v in head.items()) + "\n\n"
    text += table("body", body(rng)) + "\n" + table("camera", cam) + "\n" + table("room", room(rng)) + "\n"
    text += table("motion", {"seed": int(rng.integers(0, 10_000))}) + "\n"
    text += "\n".join(table("keyframes", k, array=True) for k in keys)
    return text


def grid_cells(subset: str, per_cell: int, offset: int = 0) -> list[tuple[int, int, int]]:
    """(azimuth index, height index, kind index) of the cells to write; `offset` (the seed) turns
    the stratified rotation so two sets put different forms in the same azimuth x height pair."""
    cells = []
    for ia in range(len(AZIMUTHS)):
        for ih in range(len(HEIGHTS)):
            if subset == "full":
                cells += [(ia, ih, k) for k in range(len(KINDS))]
            else:  # Latin rotation: each kind meets every azimuth and every height
                start = (ia + ih + offset) % len(KINDS)
                cells += [(ia, ih, (start + j * (len(KINDS) // per_cell)) % len(KINDS)) for j in range(per_cell)]
    return cells


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="folder; the scenarios go to OUT/scenarios/")
    ap.add_argument("--seed", type=int, help="random seed of the set (dev and heldout differ); writes the scenarios")
    ap.add_argument("--render", action="store_true", help="render the scenarios of OUT/scenarios/ not yet rendered")
    ap.add_argument("--subset", choices=("stratified", "full"), default="stratified")
    ap.add_argument("--per-cell", type=int, default=1, choices=(1, 2, 3, 6), help="forms per azimuth x height (stratified)")
    ap.add_argument("--random", type=int, default=0, help="extra clips at random azimuth and height (0.3-1.3 m)")
    args = ap.parse_args(argv)
    if args.seed is None and not args.render:
        ap.error("give --seed (write scenarios) and/or --render")
    if args.seed is not None:
        write_set(args)
    return render_set(args.out) if args.render else 0


def render_set(out: Path) -> int:
    """Render every scenario of OUT/scenarios/ without a truth file yet (resumable)."""
    from samplegen.render import render_clip  # noqa: PLC0415  (heavy imports)
    from samplegen.scenario import load_scenario  # noqa: PLC0415

    paths = sorted((out / "scenarios").glob("*.toml"))
    order = np.random.default_rng(12).permutation(len(paths))
    for i in order:
        path = paths[i]
        if (out / f"{path.stem}.truth.json").is_file():
            continue
        scenario = load_scenario(path)
        print(f"rendering {path.name}: {scenario.description}", flush=True)
        render_clip(scenario, out, log=lambda m: print(m, flush=True))
    return 0


def write_set(args: argparse.Namespace) -> None:
    """Write OUT/scenarios/*.toml for the seed, subset and extras asked for."""
    folder = args.out / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    tag = f"sweep_seed_{args.seed}"
    written = []
    for ia, ih, k in grid_cells(args.subset, args.per_cell, args.seed):
        a, h, kind = AZIMUTHS[ia], HEIGHTS[ih], KINDS[k]
        name = f"sweep_az{a:+03d}_h{int(h * 100):03d}_{kind.lower()}"
        written.append((name, scenario(name, kind, a, h, cell_rng(args.seed, ia, ih, k), tag)))
    extra_rng = np.random.default_rng([args.seed, 999])
    for i in range(args.random):
        a = round(float(extra_rng.uniform(-50, 50)), 1)
        h = round(float(extra_rng.uniform(0.3, 1.3)), 2)
        kind = KINDS[i % len(KINDS)]
        name = f"sweep_rand{i:02d}_az{a:+03.0f}_h{int(h * 100):03d}_{kind.lower()}"
        written.append((name, scenario(name, kind, a, h, np.random.default_rng([args.seed, 1000 + i]), tag)))
    for name, text in written:
        (folder / f"{name}.toml").write_text(text)
        print(folder / f"{name}.toml")


if __name__ == "__main__":
    sys.exit(main())
