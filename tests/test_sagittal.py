"""posecoach/exercises/sagittal.py on a 3D lunge seen through an exact orthographic camera at a
chosen angle off the side view and height: what the module must recover when the landmarks are
perfect (real landmarks are not; benchmarks/oblique.py measures that)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from posecoach.exercises import sagittal as S
from posecoach.exercises.joints import joint_centres
from posecoach.core.landmarks import NUM_LANDMARKS
from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Metrics, Pose

# A kneeling lunge in the body frame: (forward, up, left) metres, left leg in front.
# Knee 90 deg, shin vertical, back thigh 10 deg (hip ahead of the knee), trunk leaning 5 deg forward.
BODY = {
    L.LEFT_HIP: (0.0, 0.55, 0.09), L.RIGHT_HIP: (0.0, 0.55, -0.09),
    L.LEFT_KNEE: (0.45, 0.55, 0.11), L.LEFT_ANKLE: (0.45, 0.10, 0.12),
    L.LEFT_HEEL: (0.39, 0.03, 0.12), L.LEFT_FOOT_INDEX: (0.62, 0.01, 0.12),
    L.RIGHT_KNEE: (-0.45 * math.sin(math.radians(10)), 0.55 - 0.45 * math.cos(math.radians(10)), -0.09),
    L.RIGHT_ANKLE: (-0.48, 0.09, -0.09), L.RIGHT_HEEL: (-0.55, 0.13, -0.09), L.RIGHT_FOOT_INDEX: (-0.68, 0.01, -0.09),
    L.LEFT_SHOULDER: (0.5 * math.sin(math.radians(5)), 0.55 + 0.5 * math.cos(math.radians(5)), 0.18),
    L.RIGHT_SHOULDER: (0.5 * math.sin(math.radians(5)), 0.55 + 0.5 * math.cos(math.radians(5)), -0.18),
    L.NOSE: (0.16, 1.28, 0.0), L.LEFT_EAR: (0.05, 1.30, 0.07), L.RIGHT_EAR: (0.05, 1.30, -0.07),
}
TRUE = {"front_knee_angle_deg": 90.0, "back_hip_extension_deg": 10.0, "trunk_lean_deg": 5.0}


def seen(view_deg: float, elevation_deg: float, facing: int, swap_labels: bool = False) -> Pose:
    """The lunge through an orthographic camera: world = camera-aligned metres about the hips
    (x right, y down, z away, as MediaPipe's world landmarks), xy = pixels (300 px a metre)."""
    fwd, up = S.camera_axes(view_deg, elevation_deg, facing)
    left = np.cross(up, fwd)
    hips = 0.5 * (np.array(BODY[L.LEFT_HIP]) + np.array(BODY[L.RIGHT_HIP]))
    world = np.zeros((NUM_LANDMARKS, 3))
    for lm in L:
        f, u, s = np.array(BODY.get(lm, BODY[L.LEFT_HIP])) - hips
        world[lm] = f * fwd + u * up + s * left
    if swap_labels:
        for a, b in ((L.LEFT_HIP, L.RIGHT_HIP), (L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE),
                     (L.LEFT_HEEL, L.RIGHT_HEEL), (L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX),
                     (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_EAR, L.RIGHT_EAR)):
            world[[a, b]] = world[[b, a]]
    xy = 320.0 + 300.0 * world[:, :2]
    ones = np.ones(NUM_LANDMARKS)
    return Pose(xy=xy, visibility=ones, presence=ones, world=world, mask=None, image_size=(640, 480))


def close(m: Metrics, tol: float) -> None:
    for name, want in TRUE.items():
        got = getattr(m, name)
        assert got is not None and abs(got - want) <= tol, (name, got, want)


@pytest.mark.parametrize("view", [0.0, 25.0, -25.0, 40.0, -40.0])
@pytest.mark.parametrize("facing", [1, -1])
def test_view_angle_is_signed_in_front_and_behind(view: float, facing: int) -> None:
    frame = S.body_frame(seen(view, 0.0, facing))
    assert frame is not None and not frame.labels_swapped
    assert S.camera_angles(frame).view_angle_deg == pytest.approx(view, abs=0.5)


def test_world_landmarks_give_the_body_angles_at_40_deg_in_front_and_behind() -> None:
    for view in (40.0, -40.0):
        frame = S.body_frame(seen(view, 0.0, 1))
        j = S.sagittal_joints(seen(view, 0.0, 1), frame)
        assert j is not None and j.front_side == "left"
        close(S.plane_metrics(j), 0.5)


def test_a_high_camera_needs_the_floor_for_up() -> None:
    """From 20 deg above, the camera's up is not the body's: the floor contacts give it back."""
    pose = seen(30.0, 20.0, 1)
    cam_up = S.plane_metrics(S.sagittal_joints(pose, S.body_frame(pose, use_floor=False)))
    assert abs(cam_up.trunk_lean_deg - 5.0) > 2.0  # the camera's tilt leaks into the angles
    frame = S.body_frame(pose, use_floor=True)
    assert frame.up_from_floor
    close(S.plane_metrics(S.sagittal_joints(pose, frame)), 2.0)
    assert S.camera_angles(frame).elevation_deg == pytest.approx(20.0, abs=3.0)


def test_swapped_labels_do_not_move_the_front_leg() -> None:
    """MediaPipe may call the left leg right for a whole hold: the front leg (and its side) come
    from the body frame, so the metrics and the anatomical side stay right."""
    pose = seen(-25.0, 0.0, 1, swap_labels=True)
    frame = S.body_frame(pose)
    assert frame.labels_swapped
    j = S.sagittal_joints(pose, frame)
    assert j.front_side == "left"
    close(S.plane_metrics(j), 0.5)


@pytest.mark.parametrize("view, elevation", [(0.0, 0.0), (35.0, 0.0), (-35.0, 15.0)])
def test_lift_undoes_an_oblique_picture_given_the_camera(view: float, elevation: float) -> None:
    pose = seen(view, elevation, -1)
    jc = joint_centres(pose, "left", -1, corrected=False)  # the landmarks are the joint centres here
    lifted = S.lift_to_plane(pose, jc, "left", -1, view, elevation)
    close(S.plane_metrics(lifted), 0.5)
    if view and elevation:  # from in front and above, the picture shears the knee: what the lift undoes
        from posecoach.core import geometry as g
        picture_knee = g.interior_angle(jc.front_hip, jc.front_knee, jc.front_ankle)
        assert abs(picture_knee - 90.0) > 5.0


def test_blend_moves_from_picture_to_lift_with_the_view_angle(monkeypatch: pytest.MonkeyPatch) -> None:
    w = 0.8  # the shipped weights are 0 (the dev sweep chose the picture); the ramp is tested here
    monkeypatch.setitem(S.LIFT_WEIGHT, "front_knee_angle_deg", w)
    pic = Metrics(front_knee_angle_deg=100.0, shin_tilt_deg=1.0, pelvic_tilt_deg=-3.0)
    lift = Metrics(front_knee_angle_deg=90.0, shin_tilt_deg=5.0)
    assert S.blend_metrics(pic, lift, 0.0).front_knee_angle_deg == 100.0
    assert S.blend_metrics(pic, lift, -S.LIFT_FULL_DEG).front_knee_angle_deg == pytest.approx(100.0 - 10.0 * w)
    half = 0.5 * (S.LIFT_START_DEG + S.LIFT_FULL_DEG)
    assert S.blend_metrics(pic, lift, half).front_knee_angle_deg == pytest.approx(100.0 - 5.0 * w)
    assert S.blend_metrics(pic, lift, 40.0).pelvic_tilt_deg == -3.0
    assert S.blend_metrics(pic, Metrics(), 40.0).front_knee_angle_deg == 100.0  # missing lift: the picture


def test_no_world_landmarks_no_frame() -> None:
    p = seen(10.0, 0.0, 1)
    bare = Pose(xy=p.xy, visibility=p.visibility, presence=p.presence, world=None, mask=None, image_size=p.image_size)
    assert S.body_frame(bare) is None


@pytest.mark.parametrize("view", [30.0, -30.0, 0.0])
def test_view_angle_deg_signs_the_three_cues(view: float) -> None:
    got = S.view_angle_deg(seen(view, 0.0, -1))
    assert got is not None and got == pytest.approx(view, abs=3.0)


def test_front_leg_side_comes_from_geometry_not_labels() -> None:
    for swap in (False, True):
        for facing in (1, -1):
            pose = seen(-25.0, 0.0, facing, swap_labels=swap)
            label, side = S.front_leg(pose, facing)
            assert side == "left"  # the body's left leg is in front (BODY)
            assert label == ("right" if swap else "left")  # what MediaPipe calls it


def test_steady_side_needs_a_clear_majority_to_switch() -> None:
    s = S.SteadySide(window=10, switch=0.8)
    assert s.update("left") == "left"
    for _ in range(5):
        assert s.update("right") == "left"  # half the window: not enough
    for _ in range(5):
        s.update("right")
    assert s.side == "right"
    s.reset()
    assert s.update(None) is None
