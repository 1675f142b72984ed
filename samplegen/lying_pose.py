"""Posing lying bodies with anny: no optimiser for the legs. The body is turned onto its back (or
front) as a whole, the hip flexion is found by bisection so that the soles and the back touch one
floor, and the ankles are set so the soles lie flat. The hands are placed with the lunge solver's
arm optimiser (on the lower belly, or forearms flat under the shoulders when prone).

A supine pelvic tilt (an arched or flattened low back) turns the root, and with it the sacrum and
buttocks, by the tilt; the lumbar joints turn back by the same amount (weighted to L5/S1, as the
lunge solver does), plus a small extra share found by bisection (`settle`) so that the rib cage
and the buttocks rest on the floor as they do in this body's neutral pose: the pelvis tips and the
low back lifts, the shoulders stay down.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from samplegen.body import Body
from samplegen.gestures import GESTURE_HANDS, raised_targets
from samplegen.lying import LyingPosture, rot_x
from samplegen.scenario import Posture
from samplegen.solver import LUMBAR_COUNTER, PostureSolver, SolvedPose


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
        # the two floor contacts of the back: buttocks/sacrum, and the back of the rib cage
        rest_z = body.rest_vertices[:, 2]
        spine04_z = body.rest_joints[body.index["spine04"], 2]
        spine02_z = body.rest_joints[body.index["spine02"], 2]
        arm_z = body.rest_joints[body.index["upperarm01.L"], 2]
        hip = 0.5 * (body.rest_joints[body.index["upperleg01.L"]] + body.rest_joints[body.index["upperleg01.R"]])
        pelvic = np.array([n.startswith(("pelvis", "root", "spine05", "upperleg01")) for n in names])
        behind = body.rest_vertices[:, 1] > hip[1]
        self.seat_ids = np.nonzero(pelvic & behind & (rest_z < spine04_z) & (rest_z > hip[2] - 0.14))[0]
        chest = np.array([n.startswith(("spine02", "spine01", "clavicle", "shoulder")) for n in names])
        self.ribs_ids = np.nonzero(chest & (rest_z > spine02_z) & (rest_z < arm_z))[0]

    def _lowest(self, rv: np.ndarray, turn_deg: float, ids: np.ndarray) -> float:
        posed = self.body.pose(rv, np.zeros(3))
        return float((posed.vertices[ids] @ rot_x(turn_deg).T)[:, 2].min())

    def solve_lying(self, p: LyingPosture) -> LyingPose:
        if p.kind == "prone":
            return self._prone(p)
        return self._supine(p)

    def _supine(self, p: LyingPosture) -> LyingPose:
        turn = -90.0 + p.trunk_up_deg - p.pelvis_lift_deg
        phi = self._hip_flexion(p, turn, 0.0, 0.0)
        settle = 0.0
        if p.pelvic_tilt_deg:
            settle = self._settle(p, turn, phi)
            phi = self._hip_flexion(p, turn, p.pelvic_tilt_deg, settle)
        rv = self._supine_rotvecs(p, turn, phi, p.pelvic_tilt_deg, settle)
        self._hands_mode = p.hands if p.hands in GESTURE_HANDS else "belly"
        solved = SolvedPose(rv, np.zeros(3), 0.0, {})
        self._place_hands(solved, Posture(), "hips")
        return LyingPose(solved.rotvecs, turn)

    def _supine_rotvecs(self, p: LyingPosture, turn: float, phi: float, tilt: float, settle: float) -> np.ndarray:
        """Hip flexion `phi`, the keyframe's knees and feet, the pelvis tipped by `tilt` degrees
        (+ anterior) and the lumbar joints turned back by `tilt + settle` (LUMBAR_COUNTER shares)."""
        rv = np.zeros((self.n, 3))
        rv[0, 0] = math.radians(tilt)
        for bone, share in LUMBAR_COUNTER.items():
            rv[self._i(bone), 0] -= share * math.radians(tilt + settle)
        flex_knee = 180.0 - p.knee_deg
        for s in "LR":
            # the thigh keeps its direction in the world whatever the pelvis does
            rv[self._i(f"upperleg01.{s}"), 0] = math.radians(-phi - tilt)
            rv[self._i(f"lowerleg01.{s}"), 0] = math.radians(flex_knee)
            # sole normal straight down in the world: the chain's sum about X is -turn
            foot = -turn - (-phi + flex_knee) if p.feet == "flat" else 25.0
            rv[self._i(f"foot.{s}"), 0] = math.radians(foot)
        return rv

    def _hip_flexion(self, p: LyingPosture, turn: float, tilt: float, settle: float) -> float:
        """The hip flexion (degrees) that puts the soles on the floor the back lies on."""
        def gap(phi: float) -> float:
            rv = self._supine_rotvecs(p, turn, phi, tilt, settle)
            return self._lowest(rv, turn, self.sole_ids) - self._lowest(rv, turn, self.trunk_ids)

        lo, hi = -20.0, 140.0
        if gap(lo) > 0:
            return lo
        for _ in range(22):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if gap(mid) < 0 else (lo, mid)
        return 0.5 * (lo + hi)

    def _contact_step(self, rv: np.ndarray, turn: float) -> float:
        """Height of the rib cage's lowest point above the buttocks' lowest point (metres)."""
        posed = self.body.pose(rv, np.zeros(3))
        z = posed.vertices @ rot_x(turn).T[:, 2]
        return float(z[self.ribs_ids].min() - z[self.seat_ids].min())

    def _settle(self, p: LyingPosture, turn: float, phi: float) -> float:
        """Extra lumbar extension (degrees, + arches further) that lays the rib cage back on the
        floor once the pelvis has tipped: the step between the rib cage and the buttocks is brought
        back to this body's neutral step (legs at the neutral hip flexion `phi`)."""
        tilt = p.pelvic_tilt_deg
        want = self._contact_step(self._supine_rotvecs(p, turn, phi, 0.0, 0.0), turn)
        lo, hi = -abs(tilt) - 15.0, abs(tilt) + 30.0
        for _ in range(18):
            mid = 0.5 * (lo + hi)
            # more extension lowers the rib cage towards the floor
            step = self._contact_step(self._supine_rotvecs(p, turn, phi, tilt, mid), turn)
            lo, hi = (mid, hi) if step > want else (lo, mid)
        return 0.5 * (lo + hi)

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
