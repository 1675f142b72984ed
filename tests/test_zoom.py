"""A person too small for the detector in the whole picture is looked for, and followed, in a
window of it (posecoach.vision.zoom): the geometry, and the estimator on a shrunken clip."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from posecoach.core.landmarks import Landmark as L
from posecoach.core.types import Frame
from posecoach.vision import zoom as Z
from posecoach.vision.estimator import PoseEstimator

SIZE = (640, 480)
CLIP = Path(__file__).resolve().parents[1] / "sample_videos" / "lunge_good_left.mp4"


def test_search_windows_cover_the_picture_centre_first():
    windows = Z.search_windows(SIZE)
    assert windows[0] == (160, 120, 480, 360)
    assert len(set(windows)) == len(windows) == 25
    for x0, y0, x1, y1 in windows:
        assert (x1 - x0, y1 - y0) == (320, 240) and 0 <= x0 and x1 <= 640 and 0 <= y0 and y1 <= 480
    # any person up to a quarter of the picture's size lies wholly in one of them
    rng = np.random.default_rng(0)
    for _ in range(200):
        x0, y0 = rng.uniform(0, 640 - 160), rng.uniform(0, 480 - 120)
        person = (int(x0), int(y0), int(x0) + 160, int(y0) + 120)
        assert any(Z.inside(person, w, slack=0.0) for w in windows)


def test_follow_window_frames_the_person_with_the_pictures_aspect():
    person = (500, 300, 560, 420)  # near the bottom-right corner
    w = Z.follow_window(person, SIZE)
    assert Z.inside(person, w, slack=0.0)
    assert (w[2] - w[0]) * 480 == pytest.approx((w[3] - w[1]) * 640, rel=0.01)
    assert w[2] <= 640 and w[3] <= 480
    assert w[3] - w[1] == pytest.approx(Z.FOLLOW * 120, abs=1)


def test_zoom_search_follows_keeps_and_lets_go():
    z = Z.ZoomSearch()
    first = z.next_search(SIZE)
    assert first == Z.search_windows(SIZE)[0] and z.next_search(SIZE) == Z.search_windows(SIZE)[1]
    z.found(None, SIZE, first)
    assert not z.following  # nobody there: keep searching
    person = (290, 200, 350, 300)  # well inside the centre window: followed in it
    z.found(person, SIZE, first)
    assert z.window == first
    z.found((165, 125, 215, 205), SIZE, first)  # at its edge: re-framed around the person
    assert z.window != first and Z.inside((165, 125, 215, 205), z.window, slack=0.0)
    for _ in range(Z.MISSES):
        z.found(None, SIZE, z.window)
    assert z.following  # a few frames lost: still looked for there
    z.found(None, SIZE, z.window)
    assert not z.following
    z.found((100, 100, 300, 100 + int(Z.BIG_ENOUGH * 480)), SIZE, first)
    assert not z.following  # big enough for the whole picture


def _small_clip(frames: int, factor: float) -> tuple[list[np.ndarray], list[np.ndarray], tuple[int, int]]:
    """The clip's frames shrunk by `factor` into the lower right of a plain picture, and the
    full-size frames; the paste's top-left corner."""
    cap = cv2.VideoCapture(str(CLIP))
    full, small = [], []
    x0, y0 = 384, 264
    for _ in range(frames):
        ok, img = cap.read()
        assert ok
        h, w = img.shape[:2]
        canvas = np.full_like(img, img[5, 5])
        canvas[y0:y0 + int(h * factor), x0:x0 + int(w * factor)] = cv2.resize(
            img, (int(w * factor), int(h * factor)), interpolation=cv2.INTER_AREA)
        full.append(img)
        small.append(canvas)
    cap.release()
    return full, small, (x0, y0)


def test_a_person_too_small_for_the_whole_picture_is_found_in_a_window():
    """The sample clip's kneeling person shrunk to 0.3 of the picture (~60 px tall): MediaPipe
    finds nobody in the whole picture; with the zoom search the person is found within two of the
    search's cycles and followed, the landmarks where the full-size frame puts them (shrunk), the
    mask at the frame's size with the person where they are."""
    factor = 0.3
    full, small, (x0, y0) = _small_clip(70, factor)
    with PoseEstimator(masks=True, zoom=False) as est:
        assert not any(est.detect(Frame(img, 33 * i, i)).present for i, img in enumerate(small))
    with PoseEstimator(masks=True, zoom=False) as est:
        ref = [est.detect(Frame(img, 33 * i, i)) for i, img in enumerate(full)]
    with PoseEstimator(masks=True, zoom=True) as est:
        poses = [est.detect(Frame(img, 33 * i, i)) for i, img in enumerate(small)]
    first = next(i for i, p in enumerate(poses) if p.present)
    assert first < 2 * len(Z.search_windows(SIZE))  # a cycle, or two when a find is not yet trusted
    assert sum(p.present for p in poses[first:]) >= 0.9 * (len(poses) - first)
    joints = [L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE, L.LEFT_ANKLE, L.RIGHT_ANKLE,
              L.LEFT_SHOULDER, L.RIGHT_SHOULDER]
    errors = []
    for p, r in zip(poses, ref):
        if p.present and r.present:
            expected = r.xy[joints] * factor + np.array([x0, y0])
            errors.append(np.linalg.norm(p.xy[joints] - expected, axis=1))
    height = factor * float(np.median([np.ptp(r.xy[joints, 1]) for r in ref if r.present]))
    assert np.median(np.concatenate(errors)) < 0.1 * height
    mask = poses[-1].frame_mask()
    assert mask is not None and mask.shape == small[-1].shape[:2]
    inside = mask[y0:y0 + int(480 * factor), x0:x0 + int(640 * factor)].sum()
    assert inside > 0.9 * mask.sum() > 0


def test_an_empty_picture_stays_empty_with_the_zoom_search():
    """No person anywhere: every window is tried in turn and nobody is invented."""
    cap = cv2.VideoCapture(str(CLIP))
    ok, img = cap.read()
    cap.release()
    assert ok
    blank = np.full_like(img, img[5, 5])
    with PoseEstimator(masks=True, zoom=True) as est:
        assert not any(est.detect(Frame(blank, 33 * i, i)).present for i in range(30))


def test_no_person_is_invented_in_real_footage_without_one():
    """A strip of real footage with nobody in it (a room with a potted plant, the person cropped
    away): the pose model finds a "person" in the plant in a window of it; a new find is only
    trusted once sure of the body's joints over a few frames (zoom.START_VISIBILITY)."""
    clip = Path(__file__).resolve().parents[2] / "shared" / "real_clips" / "reverse_lunge_dumbbells_side.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} not present")
    cap = cv2.VideoCapture(str(clip))
    frames = []
    for _ in range(120):
        ok, img = cap.read()
        assert ok
        frames.append(np.ascontiguousarray(img[:, :500]))  # the person stays right of x = 530
    cap.release()
    with PoseEstimator(masks=False, zoom=True) as est:
        assert not any(est.detect(Frame(img, 33 * i, i)).present for i, img in enumerate(frames))


def test_the_whole_picture_takes_over_when_the_person_comes_closer():
    """Followed small in a window, then full size: the whole picture finds them again within the
    periodic look at it, and the window is given up."""
    full, small, _ = _small_clip(130, 0.3)
    frames = small[:70] + full[70:]
    with PoseEstimator(masks=False, zoom=True) as est:
        poses = [est.detect(Frame(img, 33 * i, i)) for i, img in enumerate(frames)]
        assert est._zoom is not None and not est._zoom.following
    assert poses[69].present and np.ptp(poses[69].xy[:, 1]) < 0.3 * 480
    late = poses[70 + int(Z.WHOLE_CHECK_MS / 33) + 1:]
    assert late and all(p.present and np.ptp(p.xy[:, 1]) > 0.3 * 480 for p in late)


def test_a_new_find_is_trusted_only_when_sure_over_a_few_frames():
    z = Z.ZoomSearch()
    w = z.next_search(SIZE)
    assert not z.trusted(w, 0.99) and z.next_search(SIZE) == w  # looked at again
    assert not z.trusted(w, 0.95)
    assert z.trusted(w, 0.97)
    z2 = Z.ZoomSearch()
    w2 = z2.next_search(SIZE)
    for _ in range(Z.CANDIDATE_FRAMES):
        assert not z2.trusted(w2, 0.8)  # a plant: never sure
    assert z2.next_search(SIZE) != w2  # given up: the search moves on
