"""Bodies for the pelvis stills: random phenotypes with local shape changes (buttocks, belly, hips,
torso depth), a habitual lumbar arch, and cheap re-tilting of one solved lunge posture.

Renderer side only (torch, anny, samplegen): imported by benchmarks.pelvis_gen, never by posecoach.

Why not samplegen's Body as is: anny's default model has no local changes, so every body of one
phenotype has the same buttocks and belly; the pelvis model must learn across those shapes.
`ShapedBody` is samplegen's Body built from anny's model with its MakeHuman local targets (values
-1..1, + = the "incr"/"out"/"up" end). Samplegen itself is not changed.

Why re-tilt instead of re-solve: the posture solver takes seconds per posture; a pelvic tilt and a
lumbar arch are rotations about the body's X axis that add up down the chain, so from one solved
lunge the root turns by the tilt change, the lumbar bones turn back by it (samplegen's
LUMBAR_COUNTER shares), the thighs turn back by it (they keep their world orientation), and the
whole body is shifted so the hip joints stay where they were: the legs and their floor contacts
are unchanged, the pelvis turns about the hip axis as a real one does. Truth (tilt, lean, hip
extension) is recomputed from the posed joints, so nothing here needs to be exact.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from samplegen.body import PHENOTYPE_KEYS, Body, _default_cache_dirs
from samplegen.solver import LEAN_SHARE, LUMBAR_COUNTER, PostureSolver

# local change -> (low, high) drawn uniformly; + = "incr"/"out"/"up"/"forward"
LOCAL_RANGES: dict[str, tuple[float, float]] = {
    "buttocks-volume-incr": (-1.0, 1.0),
    "stomach-pregnant-incr": (-0.6, 0.8),
    "hip-scale-depth-incr": (-0.6, 0.6),
    "hip-trans-forward": (-0.5, 0.5),
    "torso-scale-depth-incr": (-0.6, 0.6),
    "measure-waist-circ-incr": (-0.6, 0.6),
    "pelvis-tone-incr": (-0.6, 0.6),
    "torso-muscle-dorsi-incr": (-0.5, 0.8),
}
# A habitual lumbar curve independent of the pelvis (deg of extra extension, + = more arched),
# spread over the lumbar joints like samplegen's counter-rotation: people with the same pelvic tilt
# differ in how hollow their low back is, and no outline feature can know which one it sees.
ARCH_SD_DEG = 4.0
ARCH_LIMIT_DEG = 8.0
ARCH_SHARE = {"spine04": 0.5, "spine03": 0.3, "spine02": 0.2}
ARCH_UPPER = "spine01"  # the upper back bends forward as much: the shoulders keep their lean
SKINS = ("very_light", "light", "medium", "olive", "brown", "dark")


@lru_cache(maxsize=1)
def load_local_model() -> Any:
    """anny's full-body model with the local (MakeHuman) targets; ~70 s the first time per process."""
    _default_cache_dirs()
    import anny
    import torch

    torch.set_num_threads(1)
    model = anny.Anny(local_changes="default")
    model.eval()
    return model


class ShapedBody(Body):
    """samplegen's Body with anny's local shape changes (see the module doc)."""

    def __init__(self, phenotype: dict[str, float], local: dict[str, float], sacrum_transfer: float = 0.85) -> None:
        import torch

        self.model = load_local_model()
        self.labels = list(self.model.bone_labels)
        self.index = {name: i for i, name in enumerate(self.labels)}
        self.parents = [int(p) for p in self.model.bone_parents]
        self.faces = np.asarray(self.model.faces, dtype=np.int64)
        unknown = set(local) - set(self.model.local_change_labels)
        if unknown:
            raise ValueError(f"unknown local changes {sorted(unknown)}")
        with torch.no_grad():
            _, phen, loc, face = self.model.get_tensor_inputs(
                None, {k: float(phenotype[k]) for k in PHENOTYPE_KEYS}, {k: float(v) for k, v in local.items()}, None)
            coeffs = self.model._get_phenotype_blendshape_coefficients(phen, loc, face)
            rest = self.model.get_rest_model(coeffs)
        self.rest_vertices_t = rest["rest_vertices"][0].to(torch.float64)
        self.rest_bone_poses_t = rest["rest_bone_poses"].to(torch.float64)
        self.rest_vertices = self.rest_vertices_t.numpy().copy()
        self.rest_joints = self.rest_bone_poses_t[0, :, :3, 3].numpy().copy()
        self.weights, self.bone_ids = self._reweighted(sacrum_transfer)
        self.dominant_bone = self.bone_ids[np.arange(len(self.bone_ids)), self.weights.argmax(1)]
        self._w_t = torch.from_numpy(self.weights)
        self._i_t = torch.from_numpy(self.bone_ids)
        dense = np.zeros((len(self.weights), len(self.labels)))
        rows = np.arange(len(self.weights))[:, None].repeat(self.bone_ids.shape[1], 1)
        np.add.at(dense, (rows, self.bone_ids), self.weights)
        self._dense_weights = dense


class QuickSolver(PostureSolver):
    """samplegen's solver with fewer optimiser steps: the truth comes from the posed joints, so a
    posture a degree off its request costs nothing here."""

    def _solve_lunge(self, p: Any, steps: int = 90) -> Any:
        return super()._solve_lunge(p, steps)

    def _place_hands(self, solved: Any, p: Any, hands: str, steps: int = 70) -> None:
        super()._place_hands(solved, p, hands, steps)


def draw_body(rng: np.random.Generator) -> dict[str, Any]:
    """One random person: phenotype, local shape changes, habitual arch, skin (JSON-able)."""
    phen = {
        "gender": float(rng.uniform(0, 1)), "age": float(rng.uniform(0.67, 0.97)),
        "weight": float(rng.uniform(0.1, 0.95)), "muscle": float(rng.uniform(0.15, 0.9)),
        "height": float(rng.uniform(0.1, 0.9)), "proportions": float(rng.uniform(0.25, 0.75)),
    }
    local = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in LOCAL_RANGES.items()}
    arch = float(np.clip(rng.normal(0.0, ARCH_SD_DEG), -ARCH_LIMIT_DEG, ARCH_LIMIT_DEG))
    rnd = {k: round(v, 3) for k, v in phen.items()}
    return dict(phenotype=rnd, local={k: round(v, 3) for k, v in local.items()}, arch_deg=round(arch, 2),
                skin=str(rng.choice(SKINS)))


def retilt(body: Body, rotvecs: np.ndarray, d_tilt_deg: float, arch_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotation vectors and root translation for the solved pose turned by `d_tilt_deg` more
    pelvic tilt (about the hip axis) and `arch_deg` more lumbar extension (see the module doc)."""
    rv = np.array(rotvecs, float, copy=True)
    d = np.radians(d_tilt_deg)
    rv[0, 0] += d
    for bone, share in LUMBAR_COUNTER.items():
        rv[body.index[bone], 0] -= share * d
    for side in "LR":
        rv[body.index[f"upperleg01.{side}"], 0] -= d
    a = np.radians(arch_deg)
    for bone, share in ARCH_SHARE.items():
        rv[body.index[bone], 0] -= share * a
    rv[body.index[ARCH_UPPER], 0] += a
    # the trunk line (mid-hip -> mid-shoulder) keeps the solved lean, so lean carries no tilt: the
    # spine takes up what the pelvis moved, shared as samplegen's solver shares a lean (Newton steps)
    want = trunk_lean_deg(body, rotvecs)
    for _ in range(2):
        now = trunk_lean_deg(body, rv)
        if abs(want - now) < 0.05:
            break
        probe = rv.copy()
        for bone, share in LEAN_SHARE.items():
            probe[body.index[bone], 0] += share * np.radians(1.0)
        slope = trunk_lean_deg(body, probe) - now  # lean degrees per degree
        for bone, share in LEAN_SHARE.items():
            rv[body.index[bone], 0] += share * np.radians((want - now) / slope)
    hips = [body.index["upperleg01.L"], body.index["upperleg01.R"]]
    before = body.pose(rotvecs, np.zeros(3)).bone_poses[hips, :3, 3].mean(0)
    after = body.pose(rv, np.zeros(3)).bone_poses[hips, :3, 3].mean(0)
    return rv, before - after


def trunk_lean_deg(body: Body, rotvecs: np.ndarray) -> float:
    """protocol.md's trunk lean (deg, + forward) of a pose: mid-hip -> mid-shoulder joint centres."""
    j = body.pose(rotvecs, np.zeros(3)).bone_poses[:, :3, 3]
    hip = 0.5 * (j[body.index["upperleg01.L"]] + j[body.index["upperleg01.R"]])
    sh = 0.5 * (j[body.index["upperarm01.L"]] + j[body.index["upperarm01.R"]])
    d = sh - hip
    return float(np.degrees(np.arctan2(-d[1], d[2])))
