"""The room, the webcam and the lights, rendered offscreen with pyrender.

World frame: metres, Z up, floor at z = 0. The camera orbits the look-at point (0, 0, look-at
height); at yaw 0 it stands on the world -Y side looking along +Y, so image-right is world +X.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
if not hasattr(np, "infty"):  # pyrender 0.1.45 still uses np.infty (removed in NumPy 2)
    np.infty = np.inf  # type: ignore[attr-defined]
import pyrender  # noqa: E402
import trimesh  # noqa: E402
from PIL import Image  # noqa: E402

from samplegen.scenario import CameraSpec, RoomSpec  # noqa: E402

MAT_THICKNESS_M = 0.008


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = np.array([0.0, 0.0, 1.0])) -> np.ndarray:
    """4x4 camera-to-world pose (OpenGL: the camera looks along its -Z, +Y up)."""
    f = target - eye
    f = f / np.linalg.norm(f)
    r = np.cross(f, up)
    r = r / np.linalg.norm(r)
    u = np.cross(r, f)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = r, u, -f, eye
    return m


@dataclass(frozen=True)
class Camera:
    """A pinhole webcam: pose (camera-to-world, OpenGL axes) and intrinsics in pixels."""

    pose: np.ndarray
    yfov_rad: float
    width: int
    height: int

    @classmethod
    def from_spec(cls, spec: CameraSpec, width: int, height: int) -> "Camera":
        yaw = math.radians(spec.yaw_deg)
        target = np.array([0.0, 0.0, spec.look_at_height_m])
        eye = np.array([-math.sin(yaw) * spec.distance_m, -math.cos(yaw) * spec.distance_m, spec.height_m])
        pose = look_at(eye, target)
        if spec.pitch_offset_deg:
            a = math.radians(spec.pitch_offset_deg)
            rot = np.eye(4)
            rot[1:3, 1:3] = [[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]
            pose = pose @ rot
        return cls(pose, math.radians(spec.fov_deg), width, height)

    @property
    def eye(self) -> np.ndarray:
        return self.pose[:3, 3]

    @property
    def focal_px(self) -> float:
        return 0.5 * self.height / math.tan(0.5 * self.yfov_rad)

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (N, 3) -> pixel coordinates (N, 2) and in-front-of-camera mask (N,)."""
        inv = np.linalg.inv(self.pose)
        pc = points @ inv[:3, :3].T + inv[:3, 3]
        depth = -pc[:, 2]
        front = depth > 1e-3
        d = np.where(front, depth, 1.0)
        u = 0.5 * self.width + self.focal_px * pc[:, 0] / d
        v = 0.5 * self.height - self.focal_px * pc[:, 1] / d
        return np.stack([u, v], 1), front


def _texture(kind: str, rgb: tuple[int, int, int], rng: np.random.Generator, size: int = 512) -> np.ndarray:
    """A procedural RGB texture (uint8) for floors and walls."""
    base = np.asarray(rgb, float)
    yy, xx = np.mgrid[0:size, 0:size] / size
    noise = rng.standard_normal((size // 8, size // 8))
    noise = np.kron(noise, np.ones((8, 8)))
    k = np.outer(np.hanning(9), np.hanning(9))
    noise = np.real(np.fft.ifft2(np.fft.fft2(noise) * np.fft.fft2(k / k.sum(), noise.shape)))
    noise /= max(noise.std(), 1e-6)
    shade = 1.0 + 0.02 * noise
    if kind == "wood":
        plank = (yy * 8).astype(int)
        offset = rng.uniform(-0.12, 0.12, 16)[plank]
        grain = 0.05 * np.sin(xx * 60 + 6 * np.sin(yy * 40 + plank)) + 0.03 * noise
        seam = (np.abs((yy * 8) % 1.0) < 0.012) * -0.35
        shade = 1.0 + offset + grain + seam
    elif kind == "tiles":
        seam = ((np.abs((xx * 3) % 1.0) < 0.015) | (np.abs((yy * 3) % 1.0) < 0.015)) * 0.12
        shade = 1.0 + 0.03 * noise + seam
    elif kind == "carpet":
        shade = 1.0 + 0.08 * rng.standard_normal((size, size)) + 0.04 * noise
    elif kind == "stripes":
        shade = 1.0 + 0.10 * (np.sin(xx * 2 * math.pi * 10) > 0.6) + 0.01 * noise
    elif kind == "brick":
        row = (yy * 16).astype(int)
        shift = (row % 2) * 0.5
        mortar = (np.abs((yy * 16) % 1.0) < 0.08) | (np.abs((xx * 8 + shift) % 1.0) < 0.04)
        brick = rng.uniform(-0.1, 0.1, (16, 9))[row, ((xx * 8 + shift) % 9).astype(int)]
        shade = np.where(mortar, 1.35, 1.0 + brick + 0.04 * noise)
    elif kind == "paint":
        shade = 1.0 + 0.012 * noise
    img = np.clip(base[None, None] * shade[..., None], 0, 255)
    return img.astype(np.uint8)


def _textured_quad(corners: np.ndarray, image: np.ndarray, repeat: tuple[float, float]) -> pyrender.Mesh:
    """A two-triangle quad with a (repeated) texture; corners in order around the quad."""
    uv = np.array([[0, 0], [repeat[0], 0], [repeat[0], repeat[1]], [0, repeat[1]]], float)
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    material = trimesh.visual.material.PBRMaterial(baseColorTexture=Image.fromarray(image), metallicFactor=0.0, roughnessFactor=0.9)
    mesh = trimesh.Trimesh(corners, faces, process=False, visual=trimesh.visual.TextureVisuals(uv=uv, material=material))
    pm = pyrender.Mesh.from_trimesh(mesh, smooth=False)
    for prim in pm.primitives:  # repeat the texture instead of clamping it
        if prim.material.baseColorTexture is not None:
            prim.material.baseColorTexture.sampler = pyrender.Sampler(wrapS=10497, wrapT=10497)
    return pm


class Stage:
    """A pyrender scene with the room, lights and camera; the person mesh is swapped per frame."""

    def __init__(self, room: RoomSpec, camera: Camera, mat_center: np.ndarray, mat_yaw_rad: float, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        b = room.brightness
        self.camera = camera
        self.scene = pyrender.Scene(ambient_light=np.full(3, room.ambient * b), bg_color=np.zeros(4))
        fwd = -camera.pose[:3, 2]
        fwd_h = np.array([fwd[0], fwd[1], 0.0])
        fwd_h /= np.linalg.norm(fwd_h)
        right_h = np.array([fwd_h[1], -fwd_h[0], 0.0])
        center = np.array([0.0, 0.0, 0.0])
        # floor: a large textured quad
        s = 9.0
        floor = np.array([center + s * (-right_h - fwd_h * 0.4), center + s * (right_h - fwd_h * 0.4),
                          center + s * (right_h + fwd_h), center + s * (-right_h + fwd_h)])
        self.scene.add(_textured_quad(floor, _texture(room.floor, room.floor_color, rng), (s * 1.2, s * 0.9)))
        # back wall, perpendicular to the camera's horizontal view direction
        wall_c = center + fwd_h * room.wall_distance_m
        h = 4.0
        wall = np.array([wall_c - right_h * 6, wall_c + right_h * 6, wall_c + right_h * 6 + [0, 0, h], wall_c - right_h * 6 + [0, 0, h]])
        self.scene.add(_textured_quad(wall, _texture(room.wall, room.wall_color, rng), (4.0, 1.0)))
        if room.side_wall:
            side_c = center + right_h * 2.6
            side_color = tuple(int(c * 0.92) for c in room.wall_color)
            side = np.array([side_c - fwd_h * 6, side_c + fwd_h * room.wall_distance_m, side_c + fwd_h * room.wall_distance_m + [0, 0, h], side_c - fwd_h * 6 + [0, 0, h]])
            self.scene.add(_textured_quad(side, _texture("paint", side_color, rng), (3.0, 1.0)))
        if room.mat:
            mat = trimesh.creation.box([0.62, 1.85, MAT_THICKNESS_M])
            rot = trimesh.transformations.rotation_matrix(mat_yaw_rad, [0, 0, 1])
            mat.apply_transform(rot)
            mat.apply_translation([mat_center[0], mat_center[1], MAT_THICKNESS_M / 2])
            mat.visual.vertex_colors = np.array([*room.mat_color, 255], np.uint8)
            self.scene.add(pyrender.Mesh.from_trimesh(mat, smooth=False))
        # lights: key (with shadows) relative to the camera direction, fill from the other side
        az, el = math.radians(room.key_azimuth_deg), math.radians(room.key_elevation_deg)
        key_dir = (-fwd_h * math.cos(az) + right_h * math.sin(az)) * math.cos(el) + np.array([0, 0, math.sin(el)])
        self.scene.add(pyrender.DirectionalLight(intensity=room.key_light * b), pose=look_at(3.0 * key_dir + [0, 0, 0.5], np.array([0, 0, 0.5])))
        fill_dir = (-fwd_h * math.cos(-az * 1.5) + right_h * math.sin(-az * 1.5)) * 0.8 + np.array([0, 0, 0.4])
        self.scene.add(pyrender.DirectionalLight(intensity=room.fill_light * b), pose=look_at(3.0 * fill_dir + [0, 0, 0.5], np.array([0, 0, 0.5])))
        self.scene.add(pyrender.PerspectiveCamera(yfov=camera.yfov_rad, aspectRatio=camera.width / camera.height, znear=0.05, zfar=30.0), pose=camera.pose)
        self.shadows = room.shadows
        self.renderer = pyrender.OffscreenRenderer(camera.width, camera.height)
        self._person_nodes: list[pyrender.Node] = []

    def set_person(self, meshes: list[trimesh.Trimesh]) -> None:
        """Replace the person's meshes (world coordinates, vertex colours)."""
        for node in self._person_nodes:
            self.scene.remove_node(node)
        self._person_nodes = [self.scene.add(pyrender.Mesh.from_trimesh(m, smooth=True)) for m in meshes]

    def render(self) -> np.ndarray:
        """RGB uint8 image (H, W, 3)."""
        flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if self.shadows else pyrender.RenderFlags.NONE
        color, _ = self.renderer.render(self.scene, flags=flags)
        return np.ascontiguousarray(color[:, :, :3])

    def close(self) -> None:
        self.renderer.delete()
