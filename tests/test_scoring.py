"""The accuracy scorer on tiny hand-made truth and output, values worked out by hand."""
from __future__ import annotations

import pytest

from benchmarks.scoring import expected_truth, pool, score_clip

STEP = 100  # ms per frame (10 fps) keeps the hand arithmetic simple


def truth(i: int, *, person: bool = True, knee: float | None = 90.0, shin: float | None = 2.0,
          fault: tuple[str, ...] = (), ambiguous: tuple[str, ...] = ()) -> dict:
    return {"frame": i, "t_ms": i * STEP, "person": person,
            "metrics": {"front_knee_angle_deg": knee, "shin_tilt_deg": shin},
            "fault": list(fault), "ambiguous": list(ambiguous)}


def out(i: int, *, person: bool = True, knee: float | None = 90.0, shin: float | None = 2.0,
        faults: tuple[str, ...] = (), cue: str | None = None) -> dict:
    return {"frame": i, "t_ms": i * STEP, "person": person,
            "metrics": {"front_knee_angle_deg": knee, "shin_tilt_deg": shin},
            "faults": list(faults), "cue": {"code": cue, "text": "x"} if cue else None}


def test_metric_mae_bias_and_coverage() -> None:
    t = [truth(0, knee=90), truth(1, knee=100), truth(2, knee=110), truth(3, knee=None),
         truth(4, person=False, knee=95)]
    o = [out(0, knee=92), out(1, knee=96), out(2, knee=None), out(3, knee=80), out(4, knee=50)]
    m = score_clip("c", t, o).metrics["front_knee_angle_deg"]
    # frames 0-2 have a true value with a person; frame 2 left null by posecoach;
    # frame 3 (truth null) and frame 4 (no person) are not scored.
    assert m.n_truth == 3 and m.n_both == 2
    assert m.mae == pytest.approx(3.0)   # |2| and |-4|
    assert m.bias == pytest.approx(-1.0)
    assert m.coverage == pytest.approx(2 / 3)


def test_fault_precision_recall_skip_ambiguous_and_reaction_time() -> None:
    code = "KNEE_PAST_ANKLE"
    # truth: ok for 10 frames (0-0.9 s), fault from frame 10 (1.0 s) to 19, ambiguous 20-21.
    t = [truth(i) for i in range(10)] + [truth(i, fault=(code,)) for i in range(10, 20)] \
        + [truth(i, ambiguous=(code,)) for i in range(20, 22)]
    # posecoach: false alarm at frame 2, late on at frame 13 (inside the 0.5 s reaction window
    # 1.0-1.4 s the first 5 fault frames are not scored), misses frame 16, on while ambiguous.
    pred = {2} | set(range(13, 16)) | set(range(17, 22))
    o = [out(i, faults=(code,) if i in pred else ()) for i in range(22)]
    f = score_clip("c", t, o).faults[code]
    # scored fault frames: 15-19 (five), of which 16 missed -> tp 4, fn 1
    assert (f.tp, f.fn) == (4, 1)
    # scored ok frames: 0-9 (no change before them), one false alarm
    assert (f.fp, f.tn) == (1, 9)
    assert f.skipped == 5 + 2
    assert f.precision == pytest.approx(4 / 5) and f.recall == pytest.approx(4 / 5)
    # a code never in truth and never predicted: nothing to score -> undefined, not perfect
    other = score_clip("c", t, o).faults["FOOT_TOO_FAR"]
    assert other.precision is None and other.recall is None and other.tn == 22


def test_cue_latency_miss_and_early_cue_in_approach() -> None:
    code = "HIPS_FORWARD"
    t = ([truth(i) for i in range(5)]
         + [truth(i, fault=(code,)) for i in range(5, 15)]           # episode 1 onset 0.5 s
         + [truth(i) for i in range(15, 20)]
         + [truth(i, ambiguous=(code,)) for i in range(20, 23)]      # approach...
         + [truth(i, fault=(code,)) for i in range(23, 28)]          # episode 2 onset 2.3 s
         + [truth(i) for i in range(28, 30)]
         + [truth(i, fault=(code,)) for i in range(30, 33)])         # episode 3 never cued
    cues = {12: code, 21: code, 31: "KNEE_PAST_ANKLE"}
    o = [out(i, cue=cues.get(i)) for i in range(33)]
    c = score_clip("c", t, o).cues[code]
    assert c.latencies_s == pytest.approx([0.7, 0.0])  # 1.2 - 0.5; cue at 2.1 s in the approach
    assert c.misses == 1 and c.episodes == 3
    assert c.median_s == pytest.approx(0.35) and c.max_s == pytest.approx(0.7)


def test_false_cues_only_when_every_code_is_ok() -> None:
    t = ([truth(i) for i in range(300)]                                       # 30 s all ok
         + [truth(i, ambiguous=("HIPS_FORWARD",)) for i in range(300, 400)]   # 10 s not all ok
         + [truth(i, fault=("LEANING_FORWARD",)) for i in range(400, 600)])
    cues = {10: "KNEE_PAST_ANKLE", 100: "HOLD_START", 350: "KNEE_PAST_ANKLE", 450: "KNEE_PAST_ANKLE",
            500: "LEANING_FORWARD"}
    o = [out(i, cue=cues.get(i)) for i in range(600)]
    clip = score_clip("c", t, o)
    assert [e["t_s"] for e in clip.false_cues] == [1.0]           # guidance cues never count
    assert clip.all_ok_s == pytest.approx(30.0)
    assert clip.false_cues_per_min == pytest.approx(2.0)
    # cues of a code whose own truth is ok, whatever the others: frames 10, 350, 450
    assert [e["t_s"] for e in clip.wrong_cues] == [1.0, 35.0, 45.0]


def test_pool_weights_frames_and_keeps_latencies() -> None:
    code = "FOOT_TOO_FAR"
    a = score_clip("a", [truth(0, knee=100), truth(1, knee=100)], [out(0, knee=101), out(1, knee=101)])
    b = score_clip("b", [truth(0, knee=100, fault=(code,))], [out(0, knee=104, cue=code, faults=(code,))])
    total = pool("all", [a, b])
    assert total.metrics["front_knee_angle_deg"].mae == pytest.approx((1 + 1 + 4) / 3)
    assert total.cues[code].latencies_s == [0.0]
    assert total.faults[code].tp == 1 and total.faults[code].tn == 2
    assert total.frames == 3


def test_missing_output_frames_count_as_null_and_not_flagged() -> None:
    code = "NO_PERSON"
    t = [truth(i, person=False, knee=None, shin=None, fault=(code,)) for i in range(3)] + [truth(3)]
    o = [out(0, person=False, faults=(code,))]  # the output stopped after one frame
    clip = score_clip("c", t, o)
    assert clip.faults[code].tp == 1 and clip.faults[code].fn == 2
    assert clip.metrics["shin_tilt_deg"].coverage == 0.0


def test_expected_truth_for_real_clips() -> None:
    o = [out(i, cue="NOT_SIDE_VIEW" if i == 3 else ("LEANING_FORWARD" if i == 5 else None),
             faults=("NOT_SIDE_VIEW",) if i >= 2 else ()) for i in range(8)]
    t = expected_truth(o, {"NOT_SIDE_VIEW": "fault", "LEANING_FORWARD": "ok"}, until_s=0.7)
    clip = score_clip("real", t, o)
    f = clip.faults["NOT_SIDE_VIEW"]
    assert (f.tp, f.fn) == (5, 2) and f.skipped == 1            # frame 7 (0.7 s) is past until_s
    assert [e["code"] for e in clip.wrong_cues] == ["LEANING_FORWARD"]
    assert clip.cues["NOT_SIDE_VIEW"].latencies_s == pytest.approx([0.3])
