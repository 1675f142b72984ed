"""Landmarks and masks found in a quarter-turned picture come back to the frame's own pixels."""
import cv2
import numpy as np
import pytest

from posecoach.core.landmarks import NUM_LANDMARKS
from posecoach.core.types import Pose
from posecoach.vision.rotation import CCW, CW, unrotate_pose


@pytest.mark.parametrize("rotation", [CW, CCW])
@pytest.mark.parametrize("point", [(10, 20), (600, 33), (320, 470)])
def test_points_and_mask_map_back(rotation, point):
    w, h = 640, 480
    marker = np.zeros((h, w), np.float32)
    marker[point[1], point[0]] = 1.0
    turned = cv2.rotate(marker, rotation)
    ty, tx = np.argwhere(turned == 1.0)[0]
    xy = np.tile([tx + 0.5, ty + 0.5], (NUM_LANDMARKS, 1))  # pixel centres, continuous coordinates
    dx, dy = 0.3, -0.1  # a world vector in the frame; in the turned picture it turns like a pixel step
    turned_world = [-dy, dx, 0.2] if rotation == CW else [dy, -dx, 0.2]
    world = np.tile(turned_world, (NUM_LANDMARKS, 1))
    pose = Pose(xy=xy, visibility=np.ones(NUM_LANDMARKS), presence=np.ones(NUM_LANDMARKS), world=world,
                mask=turned, image_size=(turned.shape[1], turned.shape[0]))
    back = unrotate_pose(pose, rotation, (w, h))
    assert back.image_size == (w, h)
    assert back.xy[0] == pytest.approx([point[0] + 0.5, point[1] + 0.5])
    assert np.array_equal(back.mask, marker)
    assert back.world[0] == pytest.approx([dx, dy, 0.2])


def test_unturned_and_absent_poses_pass_through():
    empty = Pose.empty((480, 640))
    assert unrotate_pose(empty, CW, (640, 480)).present is False
