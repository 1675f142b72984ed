"""What the synthetic-data scripts (heldout, camera_sweep, pelvis_gen, oblique_stills) draw rooms
and clothes from: the renderer's floors, walls and skin tones, a random colour and a random room.
Each draw takes the script's seeded numpy generator, so the order of calls is the sample."""
from __future__ import annotations

import numpy as np

SKINS = ("very_light", "light", "medium", "olive", "brown", "dark")
FLOORS = ("wood", "tiles", "carpet", "plain")
WALLS = ("paint", "plain", "stripes", "brick")


def colour(rng: np.random.Generator, lo: int = 30, hi: int = 220) -> list[int]:
    """An RGB colour, each channel drawn from lo..hi-1."""
    return [int(c) for c in rng.integers(lo, hi, 3)]


def room(rng: np.random.Generator, wall_lo: int = 120) -> dict[str, object]:
    """A room for samplegen's [room] table: floor and wall kinds and colours (walls no darker than
    `wall_lo`), the mat's colour and the key light (azimuth, elevation deg; brightness)."""
    return {
        "floor": str(rng.choice(FLOORS)), "floor_color": colour(rng, 60, 200), "wall": str(rng.choice(WALLS)),
        "wall_color": colour(rng, wall_lo, 240), "mat_color": colour(rng, 40, 180),
        "key_azimuth_deg": round(float(rng.uniform(-60, 60)), 1),
        "key_elevation_deg": round(float(rng.uniform(30, 70)), 1),
        "brightness": round(float(rng.uniform(0.8, 1.2)), 2),
    }
