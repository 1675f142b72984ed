"""Solve a keyframe posture into anny pose parameters with a few Adam steps.

The legs, trunk and pelvis live in the sagittal plane, so they are solved as rotations about the
body's X axis (which add up down anny's chain). Stage 1 fits the joint-centre angles of protocol.md
with the back knee and the front foot (heel and ball) on one floor plane; stage 2 places the hands
(on the front thigh or on the hips) with the legs fixed. Pelvic tilt is not solved: the root turns by
the requested tilt, the lower lumbar bones turn back by the same amount (weighted toward L5/S1), and
the upper spine takes the requested trunk lean.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from samplegen.body import Body
from samplegen.gestures import GESTURE_HANDS, raised_targets
from samplegen.metrics import sagittal_metrics
from samplegen.scenario import Posture

LUMBAR_COUNTER = {"spine04": 0.6, "spine03": 0.3, "spine02": 0.1}
"""Share of the pelvic tilt each lumbar joint turns back (L5/S1 most)."""
LEAN_SHARE = {"spine03": 0.3, "spine02": 0.4, "spine01": 0.3}
"""How the trunk lean is spread over the spine."""


@dataclass
class SolvedPose:
    """Pose parameters of one keyframe, in the body frame.

    rotvecs: (J, 3) radians; anchor: the body-frame point (metres) pinned to the keyframe's world
    position; floor_z: the floor height in the body frame (metres).
    """

    rotvecs: np.ndarray
    anchor: np.ndarray
    floor_z: float
    achieved: dict[str, float | None]


def _rad(deg: float) -> float:
    return math.radians(deg)


def _softmin(z: torch.Tensor, tau: float = 0.002) -> torch.Tensor:
    return -tau * torch.logsumexp(-z / tau, dim=0)


class PostureSolver:
    """Solves postures for one body; results are cached per posture."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self.n = len(body.labels)
        self._cache: dict[tuple, SolvedPose] = {}
        b = body
        self.leg_vertices = {
            s: b.vertices_of(b.bones_matching("upperleg", "lowerleg", "foot", "toe", side=s), 0.3) for s in "LR"
        }
        self.foot_vertices = {s: b.vertices_of(b.bones_matching("foot", "toe", side=s), 0.5) for s in "LR"}

    # -- helpers ------------------------------------------------------------------------------
    def _i(self, name: str) -> int:
        return self.body.index[name]

    def _base_rotvecs(self, p: Posture) -> np.ndarray:
        """Pelvis tilt, its lumbar counter-rotation, and an upright head (radians, about X)."""
        rv = np.zeros((self.n, 3))
        tilt = _rad(p.pelvic_tilt_deg)
        rv[0, 0] = tilt
        for bone, share in LUMBAR_COUNTER.items():
            rv[self._i(bone), 0] -= share * tilt
        return rv

    def _groups(self, front: str) -> dict[str, np.ndarray]:
        """Contact vertex groups: front heel, front ball, back kneecap, back foot."""
        b = self.body
        f, k = ("L", "R") if front == "left" else ("R", "L")
        rest = b.rest_vertices
        ankle = b.rest_joints[self._i(f"foot.{f}")]
        foot = self.foot_vertices[f]
        heel = foot[rest[foot, 1] > ankle[1] - 0.01]
        ball = foot[rest[foot, 1] < ankle[1] - 0.09]
        knee = b.rest_joints[self._i(f"lowerleg01.{k}")]
        legs = self.leg_vertices[k]
        near = np.linalg.norm(rest[legs] - knee, axis=1) < 0.09
        cap = legs[near & (rest[legs, 1] < knee[1])]
        return {"heel": heel, "ball": ball, "knee": cap, "bfoot": self.foot_vertices[k]}

    # -- public -------------------------------------------------------------------------------
    def solve(self, p: Posture, hands: str) -> SolvedPose:
        key = (p, hands)
        if key not in self._cache:
            if p.kind in ("lunge", "transition"):
                solved = self._solve_lunge(p)
            else:
                solved = self._solve_standing(p)
            self._place_hands(solved, p, hands)
            self._cache[key] = solved
        return self._cache[key]

    def _solve_standing(self, p: Posture) -> SolvedPose:
        rv = self._base_rotvecs(p)
        for s in "LR":  # legs straight and slightly together, feet flat
            rv[self._i(f"upperleg01.{s}"), 0] = -rv[0, 0]
        self._upright_head(rv)
        posed = self.body.pose(rv, np.zeros(3))
        feet = np.concatenate([self.foot_vertices["L"], self.foot_vertices["R"]])
        floor = float(posed.vertices[feet, 2].min())
        ankles = 0.5 * (posed.joint(self._i("foot.L")) + posed.joint(self._i("foot.R")))
        return SolvedPose(rv, np.array([0.0, ankles[1], floor]), floor, {})

    def _upright_head(self, rv: np.ndarray) -> None:
        """Neck bones undo the pelvis and spine rotations so the head stays upright."""
        spine = sum(rv[self._i(n), 0] for n in ("spine05", "spine04", "spine03", "spine02", "spine01"))
        rv[self._i("neck01"), 0] = -(rv[0, 0] + spine) * 0.6
        rv[self._i("neck02"), 0] = -(rv[0, 0] + spine) * 0.4

    def _solve_lunge(self, p: Posture, steps: int = 160) -> SolvedPose:
        b = self.body
        f, k = ("L", "R") if p.front == "left" else ("R", "L")
        base = torch.from_numpy(self._base_rotvecs(p))
        tilt = float(base[0, 0])
        transition = p.kind == "transition"
        knee_t = p.knee_deg if p.knee_deg is not None else 90.0
        shin_t = p.shin_tilt_deg if p.shin_tilt_deg is not None else 0.0
        ext_t = p.back_hip_ext_deg if p.back_hip_ext_deg is not None else 5.0
        phi = 180.0 - knee_t - shin_t  # front thigh from "down", + forward
        init = [
            _rad(p.trunk_lean_deg),  # lean
            _rad(-phi) - tilt,  # front thigh
            _rad(shin_t + phi),  # front shin
            _rad(-shin_t),  # front foot
            _rad(ext_t) - tilt,  # back thigh
            _rad(82.0 - ext_t),  # back shin
            _rad(88.0),  # back foot (instep on the floor)
        ]
        x = torch.tensor(init, dtype=torch.float64, requires_grad=True)
        groups = self._groups(p.front)
        ids = {name: torch.from_numpy(g) for name, g in groups.items()}
        legs = torch.from_numpy(np.concatenate([self.leg_vertices["L"], self.leg_vertices["R"]]))
        bones = {
            "lean": [(self._i(n), s) for n, s in LEAN_SHARE.items()],
            "ft": self._i(f"upperleg01.{f}"), "fs": self._i(f"lowerleg01.{f}"), "ff": self._i(f"foot.{f}"),
            "bt": self._i(f"upperleg01.{k}"), "bs": self._i(f"lowerleg01.{k}"), "bf": self._i(f"foot.{k}"),
        }
        jn = {
            f"{side}_{j}": self._i(f"{bone}.{s}")
            for side, s in (("left", "L"), ("right", "R"))
            for j, bone in (("hip", "upperleg01"), ("knee", "lowerleg01"), ("ankle", "foot"), ("shoulder", "upperarm01"))
        }
        opt = torch.optim.Adam([x], lr=0.03)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=60, gamma=0.4)
        hover = 0.12 if transition else 0.0
        for _ in range(steps):
            opt.zero_grad()
            rv = base.clone()
            for bone, share in bones["lean"]:
                rv[bone, 0] = rv[bone, 0] + share * x[0]
            for slot, key in enumerate(("ft", "fs", "ff", "bt", "bs", "bf"), start=1):
                rv[bones[key], 0] = rv[bones[key], 0] + x[slot]
            transforms, poses = b.forward_kinematics(rv, torch.zeros(3, dtype=torch.float64))
            loss = self._angle_loss(poses, jn, p, transition)
            z = {name: b.skin(transforms, g)[:, 2] for name, g in ids.items()}
            floor = _softmin(torch.cat([z["heel"], z["ball"]]))
            loss = loss + ((_softmin(z["heel"]) - floor) / 0.0015) ** 2 + ((_softmin(z["ball"]) - floor) / 0.0015) ** 2
            loss = loss + ((_softmin(z["knee"]) - floor - hover) / 0.0015) ** 2
            if not transition:
                loss = loss + 0.3 * ((_softmin(z["bfoot"]) - floor) / 0.006) ** 2
            leg_z = b.skin(transforms, legs)[:, 2]
            loss = loss + (torch.relu(floor - 0.002 - leg_z) / 0.004).pow(2).sum()
            loss.backward()
            opt.step()
            sched.step()
        rv = base.numpy().copy()
        xv = x.detach().numpy()
        for bone, share in bones["lean"]:
            rv[bone, 0] += share * xv[0]
        for slot, key in enumerate(("ft", "fs", "ff", "bt", "bs", "bf"), start=1):
            rv[bones[key], 0] += xv[slot]
        self._upright_head(rv)
        posed = b.pose(rv, np.zeros(3))
        floor_z = float(posed.vertices[np.concatenate([groups["heel"], groups["ball"]]), 2].min())
        joints = {name: posed.joint(i)[[1, 2]] * np.array([-1.0, 1.0]) for name, i in jn.items()}
        achieved = sagittal_metrics(joints, p.front, p.pelvic_tilt_deg)
        front_ankle = posed.joint(self._i(f"foot.{f}"))
        back_ankle = posed.joint(self._i(f"foot.{k}"))
        anchor = np.array([0.0, 0.5 * (front_ankle[1] + back_ankle[1]), floor_z])
        return SolvedPose(rv, anchor, floor_z, achieved)

    def _angle_loss(self, poses: torch.Tensor, jn: dict[str, int], p: Posture, transition: bool) -> torch.Tensor:
        """Squared angle errors (in degrees) of the requested joint-centre metrics."""
        yz = poses[:, :3, 3][:, [1, 2]] * torch.tensor([-1.0, 1.0], dtype=poses.dtype)
        P = {name: yz[i] for name, i in jn.items()}
        front, back = (("left", "right") if p.front == "left" else ("right", "left"))

        def tilt(lower: torch.Tensor, upper: torch.Tensor) -> torch.Tensor:
            d = upper - lower
            return torch.rad2deg(torch.atan2(d[0], d[1]))

        hip, knee, ankle = P[f"{front}_hip"], P[f"{front}_knee"], P[f"{front}_ankle"]
        u, v = hip - knee, ankle - knee
        knee_angle = torch.rad2deg(torch.acos(torch.clamp((u @ v) / (u.norm() * v.norm()), -1.0, 1.0)))
        shin = tilt(ankle, knee)
        ext = tilt(P[f"{back}_knee"], P[f"{back}_hip"])
        mid_hip = 0.5 * (P["left_hip"] + P["right_hip"])
        mid_sh = 0.5 * (P["left_shoulder"] + P["right_shoulder"])
        lean = tilt(mid_hip, mid_sh)
        loss = ((lean - p.trunk_lean_deg) / 0.3) ** 2
        targets = [(knee_angle, p.knee_deg), (shin, p.shin_tilt_deg), (ext, p.back_hip_ext_deg)]
        if transition:
            targets = [(knee_angle, p.knee_deg or 100.0), (shin, p.shin_tilt_deg or 0.0)]
        for value, target in targets:
            if target is not None:
                loss = loss + ((value - target) / 0.5) ** 2
        return loss

    # -- hands --------------------------------------------------------------------------------
    def _place_hands(self, solved: SolvedPose, p: Posture, hands: str, steps: int = 120) -> None:
        """Solve the arms so the hands rest on the front thigh, on the hips, or hang (standing)."""
        b = self.body
        hands = p.hands or hands
        rv0 = torch.from_numpy(solved.rotvecs)
        posed = b.pose(solved.rotvecs, np.zeros(3))
        targets = self._hand_targets(posed, p, hands, solved.floor_z)
        arm_bones = [self._i(f"{n}.{s}") for s in "LR" for n in ("upperarm01", "lowerarm01", "wrist")]
        x = torch.zeros(len(arm_bones), 3, dtype=torch.float64)
        # start from arms hanging by the sides (rest is an A-pose)
        for j, s in enumerate("LR"):
            x[3 * j, 1] = -0.75 if s == "L" else 0.75
        x.requires_grad_(True)
        opt = torch.optim.Adam([x], lr=0.05)
        idx = {f"{part}.{s}": self._i(f"{part}.{s}") for s in "LR" for part in ("wrist", "finger3-1", "finger2-1", "finger5-1", "lowerarm01")}
        for _ in range(steps):
            opt.zero_grad()
            rv = rv0.clone()
            rv[arm_bones] = rv[arm_bones] + x
            _, poses = b.forward_kinematics(rv, torch.zeros(3, dtype=torch.float64))
            J = poses[:, :3, 3]
            loss = 0.02 * (x ** 2).sum()
            for s in "LR":
                wrist_t, knuckle_t, elbow_out = targets[s]
                loss = loss + ((J[idx[f"wrist.{s}"]] - torch.from_numpy(wrist_t)) / 0.01).pow(2).sum()
                if knuckle_t is not None:
                    loss = loss + 0.5 * ((J[idx[f"finger3-1.{s}"]] - torch.from_numpy(knuckle_t)) / 0.01).pow(2).sum()
                    # palm flat-ish: index and little-finger knuckles level
                    loss = loss + 0.2 * ((J[idx[f"finger2-1.{s}"], 2] - J[idx[f"finger5-1.{s}"], 2]) / 0.01) ** 2
                    # palm down: the thumb side (index knuckle) toward the body's midline
                    medial = J[idx[f"finger5-1.{s}"], 0] - J[idx[f"finger2-1.{s}"], 0]
                    medial = medial if s == "L" else -medial
                    loss = loss + (torch.relu(0.035 - medial) / 0.01) ** 2
                if elbow_out is not None:
                    loss = loss + ((J[idx[f"lowerarm01.{s}"]] - torch.from_numpy(elbow_out)) / 0.03).pow(2).sum()
            loss.backward()
            opt.step()
        solved.rotvecs = solved.rotvecs.copy()
        solved.rotvecs[arm_bones] += x.detach().numpy()

    def _hand_targets(self, posed, p: Posture, hands: str, floor_z: float) -> dict[str, tuple]:
        """Per side: (wrist target, middle-knuckle target or None, elbow target or None), body frame."""
        b = self.body
        J = lambda name: posed.joint(self._i(name))  # noqa: E731
        if hands in GESTURE_HANDS:  # the other hand rests as usual (thigh; hanging when standing)
            return raised_targets(self._hand_targets(posed, p, "thigh", floor_z), J, hands)
        out: dict[str, tuple] = {}
        if p.kind == "standing" and hands == "thigh":
            for s, sign in (("L", 1.0), ("R", -1.0)):
                hip = J(f"upperleg01.{s}")
                wrist = hip + np.array([sign * 0.11, -0.015, -0.03])  # arms hang by the sides
                out[s] = (wrist, wrist + np.array([sign * 0.01, -0.02, -0.09]), None)
            return out
        if hands == "hips":
            trunk_ids = b.vertices_of(b.bones_matching("pelvis", "spine05", "spine04"), 0.5)
            tv = posed.vertices[trunk_ids]
            for s, sign in (("L", 1.0), ("R", -1.0)):
                hip = J(f"upperleg01.{s}")
                band = tv[np.abs(tv[:, 2] - hip[2] - 0.11) < 0.025]
                width = np.abs(band[:, 0]).max() if len(band) else abs(hip[0]) + 0.06
                wrist = np.array([sign * (width + 0.025), hip[1] + 0.035, hip[2] + 0.13])
                knuckle = wrist + np.array([-sign * 0.025, -0.085, -0.02])
                elbow = np.array([sign * (width + 0.16), hip[1] + 0.12, hip[2] + 0.32])
                out[s] = (wrist, knuckle, elbow)
            return out
        f = "L" if p.front == "left" else "R"
        sign = 1.0 if f == "L" else -1.0
        hip, knee = J(f"upperleg01.{f}"), J(f"lowerleg01.{f}")
        axis = knee - hip
        thigh_ids = b.vertices_of(b.bones_matching("upperleg", side=f), 0.5)
        tv = posed.vertices[thigh_ids]
        for s, frac, lateral in ((f, 0.7, 0.02), ("R" if f == "L" else "L", 0.52, -0.035)):
            c = hip + frac * axis
            near = np.abs((tv - c) @ (axis / np.linalg.norm(axis))) < 0.03
            top = tv[near, 2].max() if near.any() else c[2] + 0.08
            wrist = np.array([c[0] + sign * lateral, c[1] + 0.02, top + 0.025])
            knuckle = wrist + np.concatenate([[0.0], 0.09 * axis[1:] / np.linalg.norm(axis[1:])]) + np.array([0, 0, -0.01])
            out[s] = (wrist, knuckle, None)
        return out
