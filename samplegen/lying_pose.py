"""Posing lying bodies with anny: no optimiser for the legs. The body is turned onto its back (or
front) as a whole, the hip flexion is found by bisection so that the soles and the back touch one
floor, and the ankles are set so the soles lie flat. The hands are placed with the lunge solver's
arm optimiser (on the lower belly, or forearms flat under the shoulders when prone).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from samplegen.body import Body
from samplegen.gestures import GESTURE_HANDS, raised_targets
from samplegen.lying import LyingPosture, rot_x
from samplegen.scenario import Posture
from samplegen.solver import PostureSolver, SolvedPose


@dataclass
class LyingPose:
    """Pose parameters (body frame) and the whole-body turn about the body's X axis (degrees)."""
    rotvecs: np.ndarray
    turn_deg: float


class LyingSolver(PostureSolver):
    """Poses lying postures; reuses the lunge solver's arm optimiser with its own hand targets."""

    def __init__(self, body: Body) -> None:
        super().__init__(body)
        names = np.array(body.labels)[body.dominant_bone]
        self.trunk_ids = np.nonzero([n.startswith(("spine", "pelvis", "root", "clavicle", "shoulder", "neck", "head"))
                                     for n in names])[0]
        self.arm_ids = np.nonzero([n.startswith(("lowerarm", "wrist", "finger", "metacarpal")) for n in names])[0]
        self.leg_ids = np.nonzero([n.startswith(("upperleg", "lowerleg", "foot", "toe")) for n in names])[0]
        self.sole_ids = np.concatenate([self.foot_vertices["L"], self.foot_vertices["R"]])
        self._hands_mode = "belly"

    def _lowest(self, rv: np.ndarray, turn_deg: float, ids: np.ndarray) -> float:
        posed = self.body.pose(rv, np.zeros(3))
        return float((posed.vertices[ids] @ rot_x(turn_deg).T)[:, 2].min())

    def solve_lying(self, p: LyingPosture) -> LyingPose:
        if p.kind == "prone":
            return self._prone(p)
        return self._supine(p)

    def _supine(self, p: LyingPosture) -> LyingPose:
        up = p.trunk_up_deg
        turn = -90.0 + up - p.pelvis_lift_deg
        flex_knee = 180.0 - p.knee_deg

        def rotvecs(phi: float) -> np.ndarray:
            rv = np.zeros((self.n, 3))
            for s in "LR":
                rv[self._i(f"upperleg01.{s}"), 0] = math.radians(-phi)
                rv[self._i(f"lowerleg01.{s}"), 0] = math.radians(flex_knee)
                # sole normal straight down in the world: the chain's sum about X is -turn
                foot = -turn - (-phi + flex_knee) if p.feet == "flat" else 25.0
                rv[self._i(f"foot.{s}"), 0] = math.radians(foot)
            return rv

        def gap(phi: float) -> float:
            rv = rotvecs(phi)
            return self._lowest(rv, turn, self.sole_ids) - self._lowest(rv, turn, self.trunk_ids)

        lo, hi = -20.0, 140.0
        if gap(lo) > 0:
            phi = lo
        else:
            for _ in range(22):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if gap(mid) < 0 else (lo, mid)
            phi = 0.5 * (lo + hi)
        rv = rotvecs(phi)
        self._hands_mode = p.hands if p.hands in GESTURE_HANDS else "belly"
        solved = SolvedPose(rv, np.zeros(3), 0.0, {})
        self._place_hands(solved, Posture(), "hips")
        return LyingPose(solved.rotvecs, turn)

    def _prone(self, p: LyingPosture) -> LyingPose:
        rv = np.zeros((self.n, 3))
        ext = math.radians(p.chest_up_deg)
        for bone, share in (("spine03", 0.3), ("spine02", 0.4), ("spine01", 0.3)):
            rv[self._i(bone), 0] -= share * ext
        rv[self._i("neck01"), 0] -= 0.6 * ext
        for s in "LR":
            rv[self._i(f"foot.{s}"), 0] = math.radians(55.0)  # instep on the floor
        self._hands_mode = "forearms"
        solved = SolvedPose(rv, np.zeros(3), 0.0, {})
        self._place_hands(solved, Posture(), "hips")
        rv = solved.rotvecs
        # turn the body until the forearms and the legs rest on one floor
        lo, hi = 60.0, 120.0

        def gap(turn: float) -> float:
            return self._lowest(rv, turn, self.arm_ids) - self._lowest(rv, turn, self.leg_ids)

        for _ in range(20):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if gap(mid) > 0 else (lo, mid)
        return LyingPose(rv, 0.5 * (lo + hi))

    def _hand_targets(self, posed, p: Posture, hands: str, floor_z: float) -> dict[str, tuple]:
        J = lambda name: posed.joint(self._i(name))  # noqa: E731
        out: dict[str, tuple] = {}
        if self._hands_mode == "forearms":
            for s, sign in (("L", 1.0), ("R", -1.0)):
                sh = J(f"upperarm01.{s}")
                elbow = sh + np.array([sign * 0.02, -0.27, -0.04])
                wrist = elbow + np.array([-sign * 0.06, 0.0, 0.24])
                out[s] = (wrist, wrist + np.array([-sign * 0.02, -0.01, 0.08]), elbow)
            return out
        if self._hands_mode in GESTURE_HANDS:  # the other hand stays on the belly
            gesture, self._hands_mode = self._hands_mode, "belly"
            try:
                return raised_targets(self._hand_targets(posed, p, hands, floor_z), J, gesture, lying=True)
            finally:
                self._hands_mode = gesture
        hip_l, hip_r = J("upperleg01.L"), J("upperleg01.R")
        mid = 0.5 * (hip_l + hip_r)
        belly = self.trunk_ids[np.abs(posed.vertices[self.trunk_ids, 2] - (mid[2] + 0.1)) < 0.03]
        front = float(posed.vertices[belly, 1].min()) if len(belly) else mid[1] - 0.12
        for s, sign in (("L", 1.0), ("R", -1.0)):
            wrist = np.array([sign * 0.12, front + 0.02, mid[2] + 0.13])
            knuckle = np.array([sign * 0.05, front - 0.005, mid[2] + 0.07])
            elbow = np.array([sign * 0.24, mid[1] + 0.06, mid[2] + 0.24])
            out[s] = (wrist, knuckle, elbow)
        return out
