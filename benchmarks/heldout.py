"""Write held-out scenarios: new bodies, rooms, cameras and fault sizes drawn at random, never used
to fit or tune anything, to check that the accuracy measured on sample_videos/ generalises.

    python -m benchmarks.heldout /tmp/heldout --seed 7          # writes scenarios/*.toml
    for f in /tmp/heldout/scenarios/*.toml; do
        python -m samplegen render "$f" --out /tmp/heldout; done  # needs the .[samples] extra
    python -m benchmarks.accuracy /tmp/heldout --baseline --per-clip

Each clip is one exercise take: a good hold on either side, or a good hold that drifts into one
fault and back (the same shape as the committed fault clips), so every fault code gets frames that
are clearly fault and clearly ok by the protocol's bands. The draws span a little wider than the
committed clips (camera 0.35-1.0 m high, orbit yaw +-12 deg, field of view 42-62 deg, 640x480 or
1280x720) so the check is not a replay of the tuning set.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from benchmarks.scene_draws import SKINS, colour, room

# kind -> (tags, the fault keyframe's posture changes drawn from rng); good form: lunge_good
KINDS = ("good", "KNEE_PAST_ANKLE", "FOOT_TOO_FAR", "HIPS_FORWARD", "LEANING_FORWARD", "ANTERIOR_TILT")


def body(rng: np.random.Generator) -> dict[str, object]:
    return {
        "gender": round(float(rng.uniform(0, 1)), 2), "age": round(float(rng.uniform(0.68, 0.95)), 2),
        "weight": round(float(rng.uniform(0.15, 0.9)), 2), "muscle": round(float(rng.uniform(0.2, 0.8)), 2),
        "height": round(float(rng.uniform(0.15, 0.85)), 2), "proportions": round(float(rng.uniform(0.3, 0.7)), 2),
        "skin": str(rng.choice(SKINS)), "shirt_color": colour(rng), "pants_color": colour(rng, 20, 160),
        "hair": str(rng.choice(["none", "short", "short", "long"])), "hair_color": colour(rng, 10, 200),
    }


def camera(rng: np.random.Generator) -> dict[str, object]:
    height = float(rng.uniform(0.35, 1.0))
    return {
        "height_m": round(height, 2), "distance_m": round(float(rng.uniform(2.2, 3.0)), 2),
        "yaw_deg": round(float(rng.uniform(-12, 12)), 1), "fov_deg": round(float(rng.uniform(48, 62)), 1),
        "look_at_height_m": round(float(rng.uniform(0.45, 0.6)), 2),
    }


def good_posture(rng: np.random.Generator, side: str) -> dict[str, object]:
    return {"posture": "lunge", "front": side, "facing": side, "knee_deg": int(rng.integers(86, 94)),
            "shin_tilt_deg": int(rng.integers(-3, 3)), "back_hip_ext_deg": int(rng.integers(0, 7)),
            "pelvic_tilt_deg": int(rng.integers(-5, -1))}


def fault_changes(kind: str, rng: np.random.Generator) -> dict[str, object]:
    """The fault keyframe's changes: clearly past the protocol's fault line, by a random margin."""
    if kind == "KNEE_PAST_ANKLE":
        return {"knee_deg": "auto", "shin_tilt_deg": int(rng.integers(19, 27))}
    if kind == "FOOT_TOO_FAR":
        return {"knee_deg": int(rng.integers(122, 132)), "shin_tilt_deg": "auto"}
    if kind == "HIPS_FORWARD":
        return {"knee_deg": "auto", "back_hip_ext_deg": int(rng.integers(27, 35))}
    if kind == "LEANING_FORWARD":
        return {"trunk_lean_deg": int(rng.integers(25, 33))}
    if kind == "ANTERIOR_TILT":
        return {"pelvic_tilt_deg": int(rng.integers(12, 16))}
    raise ValueError(kind)


def toml_value(v: object) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return str(v)


def table(name: str, values: dict[str, object], array: bool = False) -> str:
    head = f"[[{name}]]" if array else f"[{name}]"
    return "\n".join([head] + [f"{k} = {toml_value(v)}" for k, v in values.items()]) + "\n"


def scenario(kind: str, index: int, rng: np.random.Generator) -> tuple[str, str]:
    """(name, TOML text) of one held-out take."""
    side = str(rng.choice(["left", "right"]))
    size = [1280, 720] if rng.uniform() < 0.3 else [640, 480]
    base = good_posture(rng, side)
    cam, bod = camera(rng), body(rng)
    name = f"heldout_{index:02d}_{kind.lower()}_{side}"
    tags = ["side_view", f"camera_{cam['height_m']:.2f}m", "heldout"]
    head: dict[str, object] = {"description": f"held-out take {index}: {kind} ({side} leg in front), random body, room and camera"}
    if kind == "good":
        keys = [{"t": 0.0, **base, "hold": 3.0},
                {"t": 5.0, **{**base, "trunk_lean_deg": int(rng.integers(-3, 4))}}]
        head.update(tags=["good_form"] + tags, duration_s=7.0)
    else:
        keys = [{"t": 0.0, **base, "hold": 2.0 if kind == "ANTERIOR_TILT" else 1.5},
                {"t": 2.8, **base, **fault_changes(kind, rng), "hold": 2.0},
                {"t": 6.0, **base}]
        head.update(tags=["fault", kind] + tags, duration_s=7.5)
        if kind == "ANTERIOR_TILT":  # a neutral pelvis to calibrate on, then the usual tuck
            keys[0]["pelvic_tilt_deg"] = 0
            head.update(neutral_s=[0.3, 1.8], tags=head["tags"] + ["calibration"])  # type: ignore[operator]
    head["size"] = size
    text = "\n".join(f"{k} = {toml_value(v)}" for k, v in head.items()) + "\n\n"
    text += table("body", bod) + "\n" + table("camera", cam) + "\n" + table("room", room(rng)) + "\n"
    text += table("motion", {"seed": int(rng.integers(0, 10_000))}) + "\n"
    text += "\n".join(table("keyframes", k, array=True) for k in keys)
    return name, text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="folder; the scenarios go to OUT/scenarios/")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    ap.add_argument("--rounds", type=int, default=1, help="how many takes of each kind (default 1)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    folder = args.out / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    index = 0
    for _ in range(args.rounds):
        for kind in KINDS:
            name, text = scenario(kind, index, rng)
            (folder / f"{name}.toml").write_text(text)
            print(folder / f"{name}.toml")
            index += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
