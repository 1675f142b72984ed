"""How the body looks: per-vertex colours by region, a hair mesh, a loose shirt.

anny ships no colour texture, so regions are found from the skinning (dominant bone) and the rest
positions: shirt on the trunk and upper arms, leggings from the waist to the ankles, socks, skin,
short hair as a cap of the head's vertices, long hair as an extra mesh that follows the head bone.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import trimesh

from samplegen.body import Body, PosedBody
from samplegen.scenario import BodySpec


def _smoothstep(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _shade(rgb: tuple[int, int, int], n: int, rng: np.random.Generator, spread: float) -> np.ndarray:
    base = np.asarray(rgb, float)[None].repeat(n, 0)
    return np.clip(base * (1.0 + spread * rng.standard_normal((n, 1))), 0, 255)


@dataclass
class Appearance:
    """Vertex colours (V, 4 uint8), shirt vertex ids, and the long-hair mesh in the rest pose."""

    colors: np.ndarray
    shirt_ids: np.ndarray
    hair_mesh: trimesh.Trimesh | None
    hair_bone: int
    loose: bool
    _laplacian: sp.csr_matrix | None = None

    @classmethod
    def build(cls, body: Body, spec: BodySpec, seed: int = 0) -> "Appearance":
        rng = np.random.default_rng(seed)
        rest = body.rest_vertices
        names = np.array(body.labels)[body.dominant_bone]

        def starts(*prefixes: str) -> np.ndarray:
            return np.array([name.startswith(prefixes) for name in names])

        J = lambda n: body.rest_joints[body.index[n]]  # noqa: E731
        hip_z = 0.5 * (J("upperleg01.L")[2] + J("upperleg01.R")[2])
        ankle_z = 0.5 * (J("foot.L")[2] + J("foot.R")[2])
        head = J("head")
        n = len(rest)
        colors = _shade(spec.skin, n, rng, 0.015)
        trunk = starts("spine", "clavicle", "shoulder", "pelvis", "root")
        upper_arm = starts("upperarm")
        lower_arm = starts("lowerarm")
        legs = starts("upperleg", "lowerleg")
        feet = starts("foot", "toe")
        waist_z = hip_z + (0.02 if spec.loose_shirt else 0.09)
        shirt = (trunk & (rest[:, 2] > waist_z)) | upper_arm | (lower_arm & spec.long_sleeves)
        if spec.loose_shirt:  # the hem hangs over the top of the buttocks and belly
            shirt |= (trunk | legs) & (rest[:, 2] > hip_z - 0.05) & ~starts("lowerleg")
        pants = ((trunk & ~shirt) | legs) & (rest[:, 2] > ankle_z + 0.07)
        pants &= ~shirt
        socks = feet | (legs & (rest[:, 2] <= ankle_z + 0.07))
        colors[shirt] = _shade(spec.shirt_color, int(shirt.sum()), rng, 0.02)
        colors[pants] = _shade(spec.pants_color, int(pants.sum()), rng, 0.02)
        colors[socks] = _shade(spec.sock_color, int(socks.sum()), rng, 0.02)
        eyes = starts("eye")
        colors[eyes] = (40, 30, 25)
        if spec.hair != "none":
            head_v = starts("head", "neck03")
            # hairline: high on the forehead, low at the back of the head
            line = head[2] + 0.095 - 0.09 * _smoothstep(rest[:, 1], head[1] - 0.05, head[1] + 0.04)
            cap = head_v & (rest[:, 2] > line)
            colors[cap] = _shade(spec.hair_color, int(cap.sum()), rng, 0.04)
        rgba = np.concatenate([colors, np.full((n, 1), 255.0)], 1).astype(np.uint8)
        hair_mesh = _long_hair(head, spec.hair_color) if spec.hair == "long" else None
        app = cls(rgba, np.nonzero(shirt)[0], hair_mesh, body.index["head"], spec.loose_shirt)
        if spec.loose_shirt:
            app._laplacian = _shirt_laplacian(body.faces, app.shirt_ids, n)
        return app

    def dress(self, vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
        """Posed vertices with the loose shirt applied (inflated, hollows bridged), metres."""
        if not self.loose or self._laplacian is None:
            return vertices
        out = vertices.copy()
        normals = _vertex_normals(vertices, faces)
        ids = self.shirt_ids
        v = vertices[ids] + 0.02 * normals[ids]
        for _ in range(30):  # smoothing bridges concave parts such as the lumbar hollow
            v = 0.4 * v + 0.6 * (self._laplacian @ v)
        out[ids] = v
        return out

    def hair_meshes(self, posed: PosedBody, to_world: Callable[[np.ndarray], np.ndarray]) -> list[trimesh.Trimesh]:
        """The long hair following the head bone of `posed`, placed by `to_world` (body frame ->
        world, metres): one mesh, or none without long hair."""
        if self.hair_mesh is None:
            return []
        tf = posed.bone_transforms[self.hair_bone]
        hv = self.hair_mesh.vertices @ tf[:3, :3].T + tf[:3, 3]
        return [trimesh.Trimesh(to_world(hv), self.hair_mesh.faces,
                                vertex_colors=self.hair_mesh.visual.vertex_colors, process=False)]


def _vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    fn = np.cross(vertices[faces[:, 1]] - vertices[faces[:, 0]], vertices[faces[:, 2]] - vertices[faces[:, 0]])
    vn = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(vn, faces[:, k], fn)
    return vn / np.maximum(np.linalg.norm(vn, axis=1, keepdims=True), 1e-12)


def _shirt_laplacian(faces: np.ndarray, ids: np.ndarray, n: int) -> sp.csr_matrix:
    """Row-normalised adjacency among shirt vertices (border rows keep non-shirt neighbours out)."""
    local = -np.ones(n, dtype=np.int64)
    local[ids] = np.arange(len(ids))
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    a, b = local[edges[:, 0]], local[edges[:, 1]]
    keep = (a >= 0) & (b >= 0)
    a, b = a[keep], b[keep]
    m = sp.coo_matrix((np.ones(2 * len(a)), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(len(ids),) * 2).tocsr()
    m.data[:] = 1.0
    deg = np.asarray(m.sum(1)).ravel()
    return sp.diags(1.0 / np.maximum(deg, 1)) @ m


def _long_hair(head: np.ndarray, rgb: tuple[int, int, int]) -> trimesh.Trimesh:
    """Shoulder-length hair: an ellipsoid behind the head and neck, in the rest pose (metres)."""
    mesh = trimesh.creation.icosphere(subdivisions=3, radius=1.0)
    mesh.apply_scale([0.085, 0.06, 0.15])
    mesh.apply_translation(head + np.array([0.0, 0.055, -0.05]))
    mesh.visual.vertex_colors = np.array([*rgb, 255], np.uint8)
    return mesh
