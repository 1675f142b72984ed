"""Hard scenes, made from the real clips in tmp_path and analysed through the real command line:
nobody in view, two people, very dark and washed-out pictures, and single-person clips on which
MediaPipe returns a second, ghost skeleton. Sensible guidance and no false form faults (the source
footage shows good form)."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from clipmaker import gain, make_clip, read_frames, records, run_cli, write_frames
from conftest import real_clip

from posecoach.exercises.lunge import FORM_FAULTS


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[dict], dict]]:
    """name -> (frames.jsonl records, summary) for every scene, from one `posecoach analyze`."""
    side = real_clip("kneeling_stretch_side.mp4")
    static = real_clip("static_lunge_side.mp4")
    walking = real_clip("walking_lunge_side.mp4")
    d = tmp_path_factory.mktemp("scenes")
    clips = d / "clips"
    clips.mkdir()
    # the empty left part of the studio (the person stands right of x=430)
    make_clip(clips / "nobody.mp4", static, 3.0, size=None, fn=lambda im: np.ascontiguousarray(im[:, :320]))
    # the same woman twice, facing each other: two people in view
    person = [f[:, 240:720] for f in read_frames(side, 2.0)]
    write_frames(clips / "two.mp4", [np.hstack([f, cv2.flip(f, 1)]) for f in person])
    make_clip(clips / "dark.mp4", side, 2.0, fn=gain(0.12))     # mean luma ~13
    make_clip(clips / "black.mp4", side, 2.0, fn=gain(0.04))    # nobody can be seen
    make_clip(clips / "washed.mp4", side, 2.0, fn=gain(2.5, 60))  # blown out
    # moments where MediaPipe's two-person search returns the one person twice
    make_clip(clips / "ghost.mp4", static, 2.0, size=None, start_s=4.0)
    make_clip(clips / "duplicate.mp4", walking, 2.0, size=(960, 540), start_s=9.0)
    out = d / "out"
    proc = run_cli(["analyze", str(clips), "--out", str(out), "--quiet"], timeout=180)
    assert proc.returncode == 0, proc.stderr
    return {p.stem: (records(out / p.stem / "frames.jsonl"), json.loads((out / p.stem / "summary.json").read_text()))
            for p in clips.iterdir()}


def cues(summary: dict) -> list[tuple[int, str]]:
    return [(c["t_ms"], c["code"]) for c in summary["cues"]]


def form_faults(rows: list[dict]) -> set[str]:
    return {f for r in rows for f in r["faults"] if f in FORM_FAULTS}


def test_nobody_in_view(scenes) -> None:
    rows, summary = scenes["nobody"]
    assert not any(r["person"] for r in rows)
    assert not form_faults(rows)
    said = cues(summary)
    assert [c for _, c in said] == ["NO_PERSON"]  # said once, and nothing else
    assert said[0][0] >= 2000  # only after the grace period


def test_two_people_follow_one_and_ask_for_one_person(scenes) -> None:
    rows, summary = scenes["two"]
    assert all(r["person"] for r in rows)
    assert sum(r["people"] == 2 for r in rows) >= 0.9 * len(rows)
    assert "ONE_PERSON" in [c for _, c in cues(summary)]
    assert not form_faults(rows)
    # one person followed throughout: her side of the picture and her front leg never change
    assert len({r["front_side"] for r in rows if r["front_side"]}) == 1


def test_two_people_followed_person_stays_the_same(tmp_path: Path) -> None:
    """Frame by frame: the followed skeleton never jumps to the other half of the picture."""
    from posecoach.vision.estimator import PoseEstimator
    from posecoach.vision.sources import VideoSource
    side = real_clip("kneeling_stretch_side.mp4")
    person = [f[:, 240:720] for f in read_frames(side, 2.0)]
    clip = write_frames(tmp_path / "two.mp4", [np.hstack([f, cv2.flip(f, 1)]) for f in person])
    xs, people = [], []
    with PoseEstimator(masks=False) as est:
        for frame in VideoSource(clip):
            pose = est.detect(frame)
            xs.append(float(np.nanmean(pose.xy[[23, 24], 0])))
            people.append(pose.num_people)
    halves = {x >= 480 for x in xs}
    assert len(halves) == 1, xs
    assert people.count(2) >= 0.9 * len(people)


def test_dark_picture(scenes) -> None:
    rows, summary = scenes["dark"]
    assert "TOO_DARK" in [c for _, c in cues(summary)]
    assert not form_faults(rows)
    assert "ONE_PERSON" not in [c for _, c in cues(summary)]


def test_black_picture_says_light_not_step_into_view(scenes) -> None:
    rows, summary = scenes["black"]
    assert not any(r["person"] for r in rows)
    assert [c for _, c in cues(summary)] == ["TOO_DARK"]
    assert not form_faults(rows)


def test_washed_out_picture(scenes) -> None:
    rows, summary = scenes["washed"]
    said = [c for _, c in cues(summary)]
    assert "TOO_BRIGHT" in said and "TOO_DARK" not in said
    assert not form_faults(rows)


@pytest.mark.parametrize("name", ["ghost", "duplicate"])
def test_one_person_is_never_counted_twice(scenes, name: str) -> None:
    rows, summary = scenes[name]
    assert all(r["people"] <= 1 for r in rows)
    assert "ONE_PERSON" not in [c for _, c in cues(summary)]
    assert "TOO_BRIGHT" not in [c for _, c in cues(summary)]  # a white studio is not overexposed
