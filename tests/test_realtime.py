"""The parts that keep posecoach real time: a live source that drops stale frames instead of
queueing them, decoding ahead and encoding behind on other threads with bounded queues, cheap
shrinking of large frames, the mask kept at detection scale, and counting people."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from posecoach.core.types import Frame, Pose
from posecoach.vision.estimator import distinct_people, shrink
from posecoach.vision.sources import LatestFrameSource, prefetch


class Ticker(LatestFrameSource):
    """A camera at `hz` delivering `n` frames: t_ms is the capture time."""

    def __init__(self, hz: float, n: int) -> None:
        super().__init__()
        self.period, self.n, self.i = 1.0 / hz, n, 0
        self.t0 = time.monotonic()

    def _read(self):  # noqa: ANN202
        if self.i >= self.n:
            return None
        due = self.t0 + self.i * self.period
        time.sleep(max(0.0, due - time.monotonic()))
        self.i += 1
        return np.zeros((4, 4, 3), np.uint8), int((time.monotonic() - self.t0) * 1000)


def test_slow_consumer_gets_the_latest_frame_and_no_backlog() -> None:
    """Camera at 100 Hz, consumer needs 25 ms a frame: it sees about 40 frames a second, each at
    most one camera period old when taken, and the age does not grow over the run."""
    src = Ticker(hz=100, n=150)
    ages, seen = [], []
    for frame in src:
        ages.append((time.monotonic() - frame.captured_s) * 1000)
        seen.append(frame.t_ms)
        time.sleep(0.025)
    assert src.dropped >= 60  # stale frames were dropped, not queued
    assert len(seen) + src.dropped == 150
    assert all(b > a for a, b in zip(seen, seen[1:]))  # always newer, never a replay
    third = len(ages) // 3
    assert np.median(ages) < 20 and max(ages[-third:]) < 50  # fresh, and not growing
    assert np.mean(ages[-third:]) < np.mean(ages[:third]) + 10


def test_fast_consumer_gets_every_frame() -> None:
    src = Ticker(hz=200, n=100)
    got = [f.index for f in src]
    assert src.dropped == 0 and len(got) == 100


def test_prefetch_keeps_order_and_a_bounded_lead() -> None:
    produced = []

    def frames():
        for i in range(50):
            produced.append(i)
            yield Frame(np.zeros((2, 2, 3), np.uint8), i, i)

    out = []
    for f in prefetch(frames(), depth=3):
        time.sleep(0.002)
        assert len(produced) - f.index <= 3 + 2  # queue + the one being put + the one handed out
        out.append(f.index)
    assert out == list(range(50))


def test_prefetch_raises_the_decoder_error_and_stops_early() -> None:
    def broken():
        yield Frame(np.zeros((2, 2, 3), np.uint8), 0, 0)
        raise OSError("disk gone")

    it = prefetch(broken())
    assert next(it).index == 0
    with pytest.raises(OSError, match="disk gone"):
        next(it)

    started = threading.active_count()
    endless = prefetch(Frame(np.zeros((2, 2, 3), np.uint8), i, i) for i in range(10**9))
    next(endless)
    endless.close()  # the consumer stops: the decoding thread must end too
    time.sleep(0.3)
    assert threading.active_count() <= started


def test_shrink_matches_an_area_resize_at_a_fraction_of_its_cost() -> None:
    rng = np.random.default_rng(1)
    big = cv2.resize(rng.integers(0, 256, (540, 960, 3), np.uint8), (3840, 2160), interpolation=cv2.INTER_CUBIC)
    small, scale = shrink(big, 960)
    ref = cv2.resize(big, (960, 540), interpolation=cv2.INTER_AREA)
    assert small.shape == ref.shape and scale == pytest.approx(0.25)
    assert np.abs(small.astype(int) - ref.astype(int)).mean() < 1.0
    portrait, s = shrink(np.zeros((1920, 1080, 3), np.uint8), 960)
    assert portrait.shape[:2] == (960, 540) and s == pytest.approx(0.5)
    same, s = shrink(np.zeros((480, 640, 3), np.uint8), 960)
    assert same.shape[:2] == (480, 640) and s == 1.0


def test_mask_stays_at_detection_scale_and_maps_to_frame_pixels() -> None:
    mask = np.zeros((540, 960), np.float32)
    mask[100:200, 300:400] = 1.0  # a block in detection pixels
    pose = Pose.empty((3840, 2160))
    pose = Pose(pose.xy, pose.visibility, pose.presence, None, mask, (3840, 2160), mask_scale=0.25)
    full = pose.frame_mask()
    assert full.shape == (2160, 3840)
    assert full[450, 1400] == 1.0 and full[350, 1400] == 0.0 and full[450, 1700] == 0.0
    assert Pose(pose.xy, pose.visibility, pose.presence, None, mask, (960, 540)).frame_mask() is mask


def fake_result(*boxes: tuple[float, float, float, float]) -> SimpleNamespace:
    """A PoseLandmarkerResult-like object with one skeleton filling each (x0, y0, x1, y1) box."""
    people = []
    for x0, y0, x1, y1 in boxes:
        xs, ys = np.linspace(x0, x1, 33), np.linspace(y0, y1, 33)
        people.append([SimpleNamespace(x=x, y=y) for x, y in zip(xs, ys)])
    return SimpleNamespace(pose_landmarks=people)


def test_counting_people_merges_a_duplicate_skeleton() -> None:
    assert distinct_people(fake_result()) == 0
    assert distinct_people(fake_result((0.5, 0.2, 0.6, 0.9))) == 1
    assert distinct_people(fake_result((0.5, 0.2, 0.6, 0.9), (0.48, 0.4, 0.58, 0.88))) == 1  # a ghost over her
    assert distinct_people(fake_result((0.1, 0.2, 0.3, 0.9), (0.6, 0.2, 0.8, 0.9))) == 2  # side by side


def test_annotated_video_of_a_4k_input_is_written_at_a_bounded_size(tmp_path: Path) -> None:
    from posecoach.core.types import FrameResult, Metrics
    from posecoach.ui.video import AnnotatedVideoWriter
    writer = AnnotatedVideoWriter(tmp_path / "a.mp4", fps=30.0, max_side=1280)
    image = np.full((2160, 3840, 3), 90, np.uint8)
    for i in range(10):
        result = FrameResult(frame=i, t_ms=i * 33, person=False, view="unknown", front_side=None, phase="setup",
                             metrics=Metrics(), faults=[], cue=None, hold_s={"left": 0.0, "right": 0.0},
                             pose=Pose.empty((3840, 2160)))
        writer.write(image, result, "Step into view of the camera." if i > 5 else None)
    writer.close()
    cap = cv2.VideoCapture(str(tmp_path / "a.mp4"))
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (1280, 720)
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 10


@pytest.mark.parametrize("fps,written,out_fps", [(59.94, 10, 29.97), (30.0, 20, 30.0), (25.0, 20, 25.0), (120.0, 5, 30.0)])
def test_annotated_video_of_a_fast_clip_is_written_at_most_30_fps(tmp_path: Path, fps, written, out_fps) -> None:
    from posecoach.core.types import FrameResult, Metrics
    from posecoach.ui.video import AnnotatedVideoWriter
    writer = AnnotatedVideoWriter(tmp_path / "a.mp4", fps=fps)
    for i in range(20):
        image = np.full((240, 320, 3), 10 * i, np.uint8)  # each frame its own grey: which ones were kept
        result = FrameResult(frame=i, t_ms=round(i * 1000 / fps), person=False, view="unknown", front_side=None,
                             phase="setup", metrics=Metrics(), faults=[], cue=None,
                             hold_s={"left": 0.0, "right": 0.0}, pose=Pose.empty((320, 240)))
        writer.write(image, result, None)
    writer.close()
    cap = cv2.VideoCapture(str(tmp_path / "a.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == written == writer.frames
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(out_fps, abs=0.05)  # still plays at real speed
    ok, first = cap.read()
    ok2, second = cap.read()
    step = 20 // written
    assert abs(int(np.median(second[200:, 200:])) - 10 * step) <= 3  # the 2nd picture kept is frame `step`


def test_annotated_video_that_cannot_be_written_is_one_clear_error(tmp_path: Path) -> None:
    from posecoach.core.errors import PosecoachError
    from posecoach.core.types import FrameResult, Metrics
    from posecoach.ui.video import AnnotatedVideoWriter
    writer = AnnotatedVideoWriter(tmp_path / "missing_folder" / "a.mp4", fps=30.0)
    result = FrameResult(frame=0, t_ms=0, person=False, view="unknown", front_side=None, phase="setup",
                         metrics=Metrics(), faults=[], cue=None, hold_s={}, pose=None)
    with pytest.raises(PosecoachError, match="annotated video"):
        for _ in range(20):
            writer.write(np.zeros((100, 100, 3), np.uint8), result, None)
            time.sleep(0.01)
        writer.close()
