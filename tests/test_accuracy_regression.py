"""Accuracy regression: posecoach's analysis of the committed sample clips stays within the targets
of issue 3 (scored by benchmarks/scoring.py against each clip's ground truth), and the real
good-form clips get no fault cue. No renderer needed: the clips and truth files are committed.

Every clip is analysed once per test session (two `posecoach analyze` processes at a time).
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REAL_CLIPS, SAMPLES

from benchmarks.accuracy import REAL_EXPECT, TARGET_CODES, TARGETS_MAE, Clip, run_analysis
from benchmarks.scoring import (CODES, FORM_CODES, ClipScore, judge_form_3d, load_frames, load_truth, pool,
                                pooled_latency, score_clip)
from samplegen.metrics import BANDS

SAMPLE_CLIPS = sorted(p for p in SAMPLES.glob("*.mp4") if p.with_name(p.stem + ".truth.json").is_file())
# Real footage (issue 2: no fault cue on good form, a front view flagged). Kept to the short clips;
# benchmarks.accuracy runs them all.
REAL_GOOD_SIDE = ("kneeling_stretch_side", "static_lunge_side")
REAL_FRONT = ("lunge_front_view",)
pytestmark = pytest.mark.skipif(not SAMPLE_CLIPS, reason="no sample clips with truth")


def _truth(video: Path) -> dict:
    return load_truth(video.with_name(video.stem + ".truth.json"))


@pytest.fixture(scope="session")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """stem -> frames.jsonl records, for every sample clip and the real clips present."""
    out = tmp_path_factory.mktemp("accuracy")
    clips = [Clip(v, v.with_name(v.stem + ".truth.json"), out / "samples") for v in SAMPLE_CLIPS]
    for name in REAL_GOOD_SIDE + REAL_FRONT:
        p = REAL_CLIPS / f"{name}.mp4"
        if p.is_file():
            clips.append(Clip(p, None, out / "real"))
    with ThreadPoolExecutor(max_workers=2) as ex:
        list(ex.map(lambda c: run_analysis(c, False, False), clips))
    return {c.stem: load_frames(c.result_dir(False) / "frames.jsonl") for c in clips
            if (c.result_dir(False) / "frames.jsonl").is_file()}


@pytest.fixture(scope="session")
def scores(analysed: dict[str, list[dict]]) -> dict[str, ClipScore]:
    return {v.stem: score_clip(v.stem, _truth(v)["per_frame"], analysed[v.stem]) for v in SAMPLE_CLIPS}


# Clips of issue 12 (a camera off the side view or high up): scored against issue 12's targets
# below, not pooled into issue 3's, which are about the near-square side views the other clips show.
OBLIQUE_TAG = "oblique_sample"


def _oblique(stem: str) -> bool:
    return OBLIQUE_TAG in _truth(SAMPLES / f"{stem}.mp4").get("tags", [])


@pytest.fixture(scope="session")
def pooled(scores: dict[str, ClipScore]) -> ClipScore:
    return pool("all", [s for stem, s in scores.items() if not _oblique(stem)])


def test_every_clip_was_analysed(analysed: dict[str, list[dict]]) -> None:
    for v in SAMPLE_CLIPS:
        assert len(analysed.get(v.stem, [])) == len(_truth(v)["per_frame"]), v.stem


@pytest.mark.parametrize("metric", sorted(TARGETS_MAE))
def test_metric_mae_within_target(pooled: ClipScore, metric: str) -> None:
    m = pooled.metrics[metric]
    assert m.n_truth > 0
    assert m.mae is not None and m.mae <= TARGETS_MAE[metric], f"{metric}: MAE {m.mae}"
    assert m.coverage is not None and m.coverage >= 0.9, f"{metric}: coverage {m.coverage}"


@pytest.mark.parametrize("code", TARGET_CODES)
def test_fault_precision_and_recall(pooled: ClipScore, code: str) -> None:
    f = pooled.faults[code]
    if f.tp + f.fn == 0:
        pytest.skip(f"no sample clip shows {code}")
    assert f.recall is not None and f.recall >= 0.9, f"{code}: recall {f.recall} ({f.to_dict()})"
    assert f.precision is not None and f.precision >= 0.9, f"{code}: precision {f.precision} ({f.to_dict()})"


def test_cue_latency(pooled: ClipScore) -> None:
    lat = pooled_latency(pooled, [c for c in CODES if c != "ANTERIOR_TILT"])
    assert lat.episodes > 0
    assert lat.median_s is not None and lat.median_s <= 1.0, lat.to_dict()
    assert lat.misses <= max(1, lat.episodes // 10), lat.to_dict()


ISSUE12_MAE = ("front_knee_angle_deg", "shin_tilt_deg", "back_hip_extension_deg", "trunk_lean_deg")


@pytest.mark.xfail(strict=True, reason="issue 12 closed short of this, take by take: the targets are met "
                   "pooled over fresh camera sweeps, but single committed takes miss them (30 deg in front: "
                   "back hip 7.1 deg; 1.3 m high: knee 2.7, trunk 2.9; 25 deg behind: back hip 3.1; "
                   "docs/accuracy.md)")
def test_oblique_clips_meet_issue_12_targets(analysed: dict[str, list[dict]]) -> None:
    """Issue 12's done-when on the oblique/high sample clips, against the body's own (3D) angles:
    each angle's MAE <= 3 deg (<= 2 within 20 deg of the side view) with coverage >= 0.9, form
    faults judged on the 3D truth, and no "tuck your tailbone" (ANTERIOR_TILT) cue on a pelvis whose
    truth is not anterior, on every clip alone (the issue scores them pooled over a sweep). Strict:
    when every committed take meets them this passes and the marker must go."""
    clips = [v for v in SAMPLE_CLIPS if OBLIQUE_TAG in _truth(v).get("tags", [])]
    if not clips:
        pytest.skip("no oblique sample clip")
    problems = []
    for v in clips:
        per = _truth(v)["per_frame"]
        s = score_clip(v.stem, judge_form_3d(per, BANDS), analysed[v.stem])
        views = [r["view_deg"] for r in per if r.get("in_lunge") and r.get("view_deg") is not None]
        limit = 2.0 if views and max(views) <= 20.5 else 3.0
        for name in ISSUE12_MAE:
            m = s.metrics[name]
            if m.mae is None or m.mae > limit or (m.coverage or 0.0) < 0.9:
                problems.append(f"{v.stem} {name}: MAE {m.mae} coverage {m.coverage} (target {limit})")
        problems += [f"{v.stem}: wrong cue {e}" for e in s.wrong_cues if e["code"] == "ANTERIOR_TILT"]
    assert not problems, problems


def test_each_fault_clip_cues_its_fault(scores: dict[str, ClipScore]) -> None:
    """A clip made to show a fault (tagged with its code) gets that cue during the fault. Hips
    pushed forward with an arched back get one cue for both (tuck the tailbone), by design."""
    for v in SAMPLE_CLIPS:
        tags = _truth(v).get("tags", [])
        s = scores[v.stem]
        for code in FORM_CODES:
            if code not in tags or code == "ANTERIOR_TILT" or not s.cues[code].episodes:
                continue
            merged = code == "HIPS_FORWARD" and bool(s.cues["ANTERIOR_TILT"].latencies_s)
            assert s.cues[code].latencies_s or merged, f"{v.stem}: {code} never cued"


def test_no_false_cues_on_good_form_clips(scores: dict[str, ClipScore]) -> None:
    good = [s for v in SAMPLE_CLIPS if "good_form" in _truth(v).get("tags", []) for s in [scores[v.stem]]]
    if not good:
        pytest.skip("no good-form clip")
    total = pool("good", good)
    assert total.false_cues_per_min is not None and total.false_cues_per_min <= 1.0, total.false_cues
    assert not total.wrong_cues, total.wrong_cues


@pytest.mark.parametrize("name", REAL_GOOD_SIDE)
def test_real_good_form_side_clips_get_no_fault_cue(analysed: dict[str, list[dict]], name: str) -> None:
    if name not in analysed:
        pytest.skip(f"{name} not present")
    frames = analysed[name]
    # a fault the clip is known to sit at the edge of (REAL_EXPECT: "ambiguous") is not scored
    ok = {code for code, v in REAL_EXPECT[name]["expect"].items() if v == "ok"}
    cues = [(r["t_ms"], r["cue"]["code"]) for r in frames if r.get("cue") and r["cue"]["code"] in ok]
    assert sum(r["person"] for r in frames) >= 0.9 * len(frames)
    assert ok >= {"HIPS_FORWARD", "ANTERIOR_TILT", "LEANING_FORWARD", "FOOT_TOO_FAR"}
    assert not cues, f"{name}: {cues}"


@pytest.mark.parametrize("name", REAL_FRONT)
def test_real_front_view_is_flagged(analysed: dict[str, list[dict]], name: str) -> None:
    if name not in analysed:
        pytest.skip(f"{name} not present")
    frames = analysed[name]
    flagged = sum("NOT_SIDE_VIEW" in r["faults"] for r in frames)
    assert flagged >= 0.8 * len(frames)
    assert not any(r["faults"] for r in frames if set(r["faults"]) - {"NOT_SIDE_VIEW", "NO_PERSON"})
    assert json.dumps([r["cue"]["code"] for r in frames if r.get("cue")]).count("NOT_SIDE_VIEW") >= 1
