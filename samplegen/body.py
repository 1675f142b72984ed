"""The anny body: phenotype, rig access, forward kinematics and skinning.

Frame conventions (anny's body frame, metres): X = the body's left, -Y = forward, Z = up, the root
bone (pelvis) at the origin in the rest pose. Pose parameters are per-bone rotation vectors (radians)
in world-aligned axes, composed down the chain ("local-ref" parameterisation), so sagittal
rotations about X add up: + about X swings a hanging limb backward, and + about X on the root is an
anterior pelvic tilt (tailbone back, top of the pelvis forward).

The skinning weights are anny's, except around the sacrum and buttocks, where part of the thigh
weights is moved to the pelvis bone of the same side: anny lets the buttocks follow the thighs, so a
pelvic tilt with the thighs held still would barely change the body's outline.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import roma
import torch

JOINT_BONES: dict[str, str] = {
    "left_hip": "upperleg01.L",
    "right_hip": "upperleg01.R",
    "left_knee": "lowerleg01.L",
    "right_knee": "lowerleg01.R",
    "left_ankle": "foot.L",
    "right_ankle": "foot.R",
    "left_shoulder": "upperarm01.L",
    "right_shoulder": "upperarm01.R",
    "left_wrist": "wrist.L",
    "right_wrist": "wrist.R",
    "head": "head",
}
"""Joint-centre names of the truth file -> the anny bone whose head is that joint centre."""

PHENOTYPE_KEYS = ("gender", "age", "muscle", "weight", "height", "proportions")


def _default_cache_dirs() -> None:
    """Point anny's and warp's caches outside the repository unless the caller chose."""
    root = os.environ.get("SAMPLEGEN_CACHE", "/work/.cache")
    os.environ.setdefault("ANNY_CACHE_DIR", os.path.join(root, "anny"))
    os.environ.setdefault("WARP_CACHE_PATH", os.path.join(root, "warp"))


@lru_cache(maxsize=1)
def load_model() -> torch.nn.Module:
    """anny's default full-body model (104 bones), loaded once per process (~1 s once cached)."""
    _default_cache_dirs()
    import anny  # noqa: PLC0415  (heavy import, only when rendering)

    torch.set_num_threads(1)
    model = anny.Anny()
    model.eval()
    return model


def _smoothstep(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


@dataclass
class PosedBody:
    """One posed body in the body frame (metres)."""

    vertices: np.ndarray  # (V, 3)
    bone_poses: np.ndarray  # (J, 4, 4) posed bone poses; translation = joint centre
    bone_transforms: np.ndarray  # (J, 4, 4) rest -> posed transforms (skinning)

    def joint(self, bone: int) -> np.ndarray:
        return self.bone_poses[bone, :3, 3]


class Body:
    """A person of one phenotype: rest shape, skinning and differentiable posing.

    Args:
        phenotype: anny phenotype values in [0, 1] (gender 0 = male, 1 = female; age 2/3 ~ young
            adult, 1 = old; weight, muscle, height, proportions 0.5 = average).
        sacrum_transfer: fraction (0-1) of the thigh weights moved to the pelvis on the buttocks.
    """

    def __init__(self, phenotype: dict[str, float], sacrum_transfer: float = 0.85) -> None:
        self.model = load_model()
        self.labels: list[str] = list(self.model.bone_labels)
        self.index: dict[str, int] = {name: i for i, name in enumerate(self.labels)}
        self.parents: list[int] = [int(p) for p in self.model.bone_parents]
        self.faces: np.ndarray = np.asarray(self.model.faces, dtype=np.int64)
        with torch.no_grad():
            pose, phen, local, face = self.model.get_tensor_inputs(
                None, {k: float(phenotype[k]) for k in PHENOTYPE_KEYS}, None, None
            )
            coeffs = self.model._get_phenotype_blendshape_coefficients(phen, local, face)
            rest = self.model.get_rest_model(coeffs)
        self.rest_vertices_t: torch.Tensor = rest["rest_vertices"][0].to(torch.float64)
        self.rest_bone_poses_t: torch.Tensor = rest["rest_bone_poses"].to(torch.float64)
        self.rest_vertices: np.ndarray = self.rest_vertices_t.numpy().copy()
        self.rest_joints: np.ndarray = self.rest_bone_poses_t[0, :, :3, 3].numpy().copy()
        self.weights, self.bone_ids = self._reweighted(sacrum_transfer)
        self.dominant_bone: np.ndarray = self.bone_ids[
            np.arange(len(self.bone_ids)), self.weights.argmax(1)
        ]
        self._w_t = torch.from_numpy(self.weights)
        self._i_t = torch.from_numpy(self.bone_ids)
        dense = np.zeros((len(self.weights), len(self.labels)))
        np.add.at(dense, (np.arange(len(self.weights))[:, None].repeat(self.bone_ids.shape[1], 1), self.bone_ids), self.weights)
        self._dense_weights = dense  # (V, J), for fast skinning without gradients

    # -- skinning ---------------------------------------------------------------------------
    def _reweighted(self, transfer: float) -> tuple[np.ndarray, np.ndarray]:
        """anny's sparse weights with the sacrum/buttock region bound to the pelvis.

        On the back of the hips (behind the hip joints, between the gluteal fold and the waist) a
        share of the upperleg01/02 weight (up to ``transfer``) moves to pelvis.L/R, and spine05's
        weight there (the sacrum) is left with the pelvis chain, so the buttocks turn with the
        pelvis instead of with the thighs.
        """
        w = self.model.vertex_bone_weights.numpy().astype(np.float64).copy()
        ids = self.model.vertex_bone_indices.numpy().astype(np.int64).copy()
        v = self.rest_vertices
        hip_l, hip_r = self.rest_joints[self.index["upperleg01.L"]], self.rest_joints[self.index["upperleg01.R"]]
        hip_y, hip_z = 0.5 * (hip_l[1] + hip_r[1]), 0.5 * (hip_l[2] + hip_r[2])
        back = _smoothstep(v[:, 1], hip_y + 0.01, hip_y + 0.06)
        band = _smoothstep(v[:, 2], hip_z - 0.19, hip_z - 0.09) * (1.0 - _smoothstep(v[:, 2], hip_z + 0.12, hip_z + 0.2))
        share = transfer * back * band
        for side in ("L", "R"):
            pelvis = self.index[f"pelvis.{side}"]
            thigh = {self.index[f"upperleg01.{side}"], self.index[f"upperleg02.{side}"]}
            for k in range(ids.shape[1]):
                is_thigh = np.isin(ids[:, k], list(thigh))
                moved = w[:, k] * share * is_thigh
                w[:, k] -= moved
                # add the moved weight to an existing pelvis slot, else reuse this slot's sibling
                has_pelvis = (ids == pelvis) & (w > 0)
                slot = np.where(has_pelvis.any(1), has_pelvis.argmax(1), -1)
                rows = np.nonzero(moved > 0)[0]
                for r in rows:
                    if slot[r] >= 0:
                        w[r, slot[r]] += moved[r]
                    else:
                        free = np.nonzero(w[r] <= 0)[0]
                        target = free[0] if len(free) else k
                        if target == k:
                            w[r, k] += moved[r]
                            continue
                        ids[r, target] = pelvis
                        w[r, target] = moved[r]
        w /= w.sum(1, keepdims=True)
        return w, ids

    # -- posing -----------------------------------------------------------------------------
    def pose_matrices(self, rotvecs: torch.Tensor, root_t: torch.Tensor) -> torch.Tensor:
        """(1, J, 4, 4) pose parameters from rotation vectors (J, 3, radians) and root translation (3,)."""
        n = rotvecs.shape[0]
        mats = torch.zeros(1, n, 4, 4, dtype=rotvecs.dtype)
        mats[0, :, :3, :3] = roma.rotvec_to_rotmat(rotvecs)
        mats[0, :, 3, 3] = 1.0
        mats[0, 0, :3, 3] = root_t
        return mats

    def forward_kinematics(self, rotvecs: torch.Tensor, root_t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Bone transforms (rest -> posed) and posed bone poses, each (J, 4, 4), differentiable."""
        transforms, poses = self.model.get_bone_transforms(
            self.pose_matrices(rotvecs, root_t), self.rest_bone_poses_t
        )
        return transforms[0], poses[0]

    def skin(self, transforms: torch.Tensor, vertex_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Linear-blend-skinned vertices (N, 3) with this body's weights; a subset if ids are given."""
        if vertex_ids is None:
            rest, w, ids = self.rest_vertices_t, self._w_t, self._i_t
        else:
            rest, w, ids = self.rest_vertices_t[vertex_ids], self._w_t[vertex_ids], self._i_t[vertex_ids]
        blend = (w[..., None, None] * transforms[ids][:, :, :3, :]).sum(1)  # (N, 3, 4)
        return (blend[:, :, :3] * rest[:, None, :]).sum(-1) + blend[:, :, 3]

    def pose(self, rotvecs: np.ndarray, root_t: np.ndarray) -> PosedBody:
        """Pose the whole body (no gradients): rotvecs (J, 3) radians, root_t (3,) metres."""
        with torch.no_grad():
            transforms, poses = self.forward_kinematics(
                torch.from_numpy(np.asarray(rotvecs, dtype=np.float64)),
                torch.from_numpy(np.asarray(root_t, dtype=np.float64)),
            )
        tf = transforms.numpy()
        blend = (self._dense_weights @ tf[:, :3, :].reshape(len(tf), 12)).reshape(-1, 3, 4)
        verts = np.einsum("vij,vj->vi", blend[:, :, :3], self.rest_vertices) + blend[:, :, 3]
        return PosedBody(verts, poses.numpy(), tf)

    # -- regions ----------------------------------------------------------------------------
    def bones_matching(self, *prefixes: str, side: str | None = None) -> list[int]:
        """Indices of bones whose name starts with one of the prefixes (and ends with .side)."""
        out = []
        for name, i in self.index.items():
            if name.startswith(prefixes) and (side is None or name.endswith("." + side)):
                out.append(i)
        return out

    def vertices_of(self, bones: list[int], min_weight: float = 0.5) -> np.ndarray:
        """Vertices whose summed weight on ``bones`` is at least ``min_weight``."""
        member = np.isin(self.bone_ids, bones)
        return np.nonzero((self.weights * member).sum(1) >= min_weight)[0]
