"""The fast path of `analyze` (runner.sampling): the pose model on a subset of frames, the frames
between given interpolated poses, every frame still judged and logged with its "model" key; the
video source decodes what the model will not see without converting it."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from builders import lunge_pose
from conftest import SAMPLES, assert_interface_ok

from posecoach.core.types import Frame, Pose
from posecoach.runner.analyze import AnalyzeOptions, analyze_video
from posecoach.runner.sampling import SampledDetector, interpolate, model_stride

SIZE = (640, 480)


class Scripted:
    """A pose model that returns a known pose per frame index and notes which frames it saw."""

    def __init__(self, poses: dict[int, Pose]) -> None:
        self.poses, self.seen = poses, []

    def detect(self, frame: Frame) -> Pose:
        self.seen.append(frame.index)
        return self.poses[frame.index]

    def close(self) -> None:
        pass


def frames(n: int, fps: float = 30.0) -> list[Frame]:
    img = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    return [Frame(img, int(round(i * 1000 / fps)), i) for i in range(n)]


def shifted(dx: float) -> Pose:
    p = lunge_pose()
    return replace(p, xy=p.xy + np.array([dx, 0.0]))


@pytest.mark.parametrize("fps, model_fps, stride", [(30, 10, 3), (60, 10, 3), (59.94, 10, 3), (25, 10, 2),
                                                     (120, 10, 3), (60, 20, 3), (60, 30, 2), (30, 0, 1),
                                                     (30, None, 1), (8, 10, 1)])
def test_stride_gives_the_model_at_least_model_fps(fps: float, model_fps: float | None, stride: int) -> None:
    assert model_stride(fps, model_fps) == stride


def test_model_sees_every_stride_th_frame_and_the_rest_are_interpolated() -> None:
    fs = frames(10)
    model = Scripted({i: shifted(10.0 * i) for i in range(10)})
    out = list(SampledDetector(model, 3).poses(fs))
    assert model.seen == [0, 3, 6, 9]
    assert [f.index for f, _ in out] == list(range(10))
    assert [p.seen for _, p in out] == [i % 3 == 0 for i in range(10)]
    base = lunge_pose().xy
    for f, p in out:  # the truth moves 10 px a frame: linear interpolation finds it exactly
        np.testing.assert_allclose(p.xy - base, np.tile([10.0 * f.index, 0.0], (len(base), 1)), atol=0.4)


def test_frames_after_the_last_model_frame_hold_it() -> None:
    model = Scripted({i: shifted(5.0 * i) for i in range(8)})
    out = list(SampledDetector(model, 3).poses(frames(8)))
    assert model.seen == [0, 3, 6]
    held = [p for f, p in out if f.index == 7]
    np.testing.assert_allclose(held[0].xy, shifted(30.0).xy)
    assert not held[0].seen


def test_nobody_is_never_half_interpolated() -> None:
    """A person entering between two model frames: the frames nearer the empty one are empty."""
    empty = Pose.empty(SIZE)
    a, b = interpolate(empty, lunge_pose(), 0.3, SIZE), interpolate(empty, lunge_pose(), 0.7, SIZE)
    assert not a.present and b.present and not b.seen
    np.testing.assert_allclose(b.xy, lunge_pose().xy)


def test_stride_one_is_the_model_on_every_frame() -> None:
    model = Scripted({i: shifted(i) for i in range(5)})
    out = list(SampledDetector(model, 1).poses(frames(5)))
    assert model.seen == list(range(5)) and all(p.seen for _, p in out)


def test_video_source_converts_only_the_frames_kept(tmp_path: Path) -> None:
    from posecoach.vision.sources import VideoSource
    clip = SAMPLES / "lunge_good_left.mp4"
    full = list(VideoSource(clip))
    fast = VideoSource(clip, max_side=320, keep_every=3)
    got = list(fast)
    assert [f.t_ms for f in got] == [f.t_ms for f in full]
    assert all(max(f.image.shape[:2]) == 320 for f in got)
    for f in got:  # frames between kept ones carry the last kept picture, the very same array
        assert f.image is got[f.index - f.index % 3].image


def test_analyze_logs_every_frame_and_which_the_model_saw(tmp_path: Path) -> None:
    clip = SAMPLES / "lunge_good_left.mp4"
    every = analyze_video(clip, AnalyzeOptions(out_dir=tmp_path / "every", progress=False, model_fps=0))
    fast = analyze_video(clip, AnalyzeOptions(out_dir=tmp_path / "fast", progress=False))
    recs = [json.loads(x) for x in (tmp_path / "fast" / clip.stem / "frames.jsonl").read_text().splitlines()]
    base = [json.loads(x) for x in (tmp_path / "every" / clip.stem / "frames.jsonl").read_text().splitlines()]
    assert every["frames"] == fast["frames"] == len(recs) == len(base) == 180
    assert [r["model"] for r in recs] == [i % 3 == 0 for i in range(180)]  # 30 fps: 10 a second
    assert all(r["model"] for r in base)
    assert [r["faults"] for r in recs] == [r["faults"] for r in base]
    for name in ("front_knee_angle_deg", "back_hip_extension_deg", "trunk_lean_deg"):
        gap = np.mean([abs(a["metrics"][name] - b["metrics"][name]) for a, b in zip(recs, base)])
        assert gap < 0.5, (name, gap)
    assert_interface_ok(tmp_path / "fast" / clip.stem)
