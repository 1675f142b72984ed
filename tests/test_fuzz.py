"""Fuzzing the inputs a user hands us: random and damaged video bytes, and random or mutated plan
files. The only acceptable outcomes are a result or a PosecoachError (one clear sentence), never
another exception; and whatever was analysed is written in full. Seeded and bounded in time."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from clipmaker import cut_bytes, make_clip, mutate_bytes
from conftest import ROOT, real_clip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecoach.core.errors import PosecoachError

SEED = 20260524


@pytest.fixture(scope="module")
def estimator():
    from posecoach.vision.estimator import PoseEstimator
    est = PoseEstimator(masks=False)
    yield est
    est.close()


def video_variants(tmp: Path) -> list[Path]:
    """Random bytes (bare, or behind an MP4 or AVI header), and a short real clip as MP4 and AVI
    with bytes overwritten, cut at random points, or both."""
    rng = np.random.default_rng(SEED)
    src = real_clip("kneeling_stretch_side.mp4")
    mp4 = make_clip(tmp / "base.mp4", src, 1.0, size=(320, 180))
    avi = make_clip(tmp / "base.avi", src, 1.0, size=(320, 180), fourcc="MJPG")
    out = []
    for i, n in enumerate((1, 64, 5_000, 300_000)):
        p = tmp / f"random{i}.mp4"
        p.write_bytes(rng.bytes(n))
        out.append(p)
    for header, suffix in ((b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", ".mp4"),
                           (b"RIFF\x00\x10\x00\x00AVI LIST", ".avi")):
        p = tmp / f"header_only{suffix}"
        p.write_bytes(header + rng.bytes(20_000))
        out.append(p)
    for base in (mp4, avi):
        for k in range(3):
            out.append(mutate_bytes(base, tmp / f"mut{k}{base.suffix}", seed=SEED + k,
                                    flips=int(rng.integers(5, 2000)), skip_head=float(rng.uniform(0.0, 0.5))))
            out.append(cut_bytes(base, tmp / f"cut{k}{base.suffix}", float(rng.uniform(0.05, 0.95))))
        out.append(mutate_bytes(base, tmp / f"frames_only{base.suffix}", seed=SEED, flips=40, stop=0.85))
        both = mutate_bytes(base, tmp / f"mutcut{base.suffix}", seed=SEED, flips=100)
        out.append(cut_bytes(both, tmp / f"mutcut{base.suffix}", 0.7))
    return out


def test_random_and_damaged_video_bytes(tmp_path: Path, estimator) -> None:
    from posecoach.runner.analyze import AnalyzeOptions, analyze_video

    class Shared:
        """Reuses one estimator for all the variants (loading the model each time is slow)."""
        def detect(self, frame):  # type: ignore[no-untyped-def]
            return estimator.detect(frame)

        def close(self) -> None:
            pass

    outcomes = {}
    for video in video_variants(tmp_path):
        opts = AnalyzeOptions(out_dir=tmp_path / "out", progress=False)
        try:
            summary = analyze_video(video, opts, estimator=Shared())
        except PosecoachError as e:
            assert "\n" not in str(e) and str(e), video
            outcomes[video.name] = "error"
            continue
        rows = (tmp_path / "out" / video.stem / "frames.jsonl").read_text().splitlines()
        assert summary["frames"] == len(rows) > 0
        assert all(json.loads(r)["frame"] == i for i, r in enumerate(rows))
        saved = json.loads((tmp_path / "out" / video.stem / "summary.json").read_text())
        assert saved["frames"] == summary["frames"]
        outcomes[video.name] = "analysed"
    # both kinds of outcome really happen (the fuzzing reaches the decoder, not just the door)
    assert set(outcomes.values()) == {"error", "analysed"}, outcomes


EXAMPLE = ROOT / "plans" / "example.toml"


def mutate_text(text: str, data: st.DataObject) -> str:
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "flip", "number", "junk"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "flip" and lines[i]:
            j = data.draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:j] + data.draw(st.characters()) + lines[i][j + 1:]
        elif op == "number":
            lines[i] = lines[i].split("=")[0] + "= " + repr(data.draw(st.one_of(
                st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=5), st.booleans())))
        else:
            lines[i] = data.draw(st.text(max_size=40))
    return "\n".join(lines)


def check_plan(path: Path) -> None:
    from posecoach.core.plan import Plan, load_plan
    try:
        plan = load_plan(path)
    except PosecoachError as e:
        assert str(e) and "\n" not in str(e).strip(), repr(str(e))
        return
    assert isinstance(plan, Plan)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_plans(tmp_path: Path, data: st.DataObject) -> None:
    pytest.importorskip("posecoach.core.plan")
    if not EXAMPLE.is_file():
        pytest.skip("no example plan")
    p = tmp_path / "plan.toml"
    p.write_text(mutate_text(EXAMPLE.read_text(encoding="utf-8"), data), encoding="utf-8")
    check_plan(p)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=2000))
def test_random_plan_bytes(tmp_path: Path, raw: bytes) -> None:
    pytest.importorskip("posecoach.core.plan")
    p = tmp_path / "plan.toml"
    p.write_bytes(raw)
    check_plan(p)
