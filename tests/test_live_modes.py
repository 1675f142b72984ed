"""The live coach driven as a person would: a real clip stands in for the camera, headless and in a
real window under Xvfb, with screenshots checked at the key moments and the voice heard in a WAV.

The clip: 1.5 s of a three-quarter view (the person must turn sideways), then the same woman's
half-kneeling stretch from the side, then that footage mirrored (the other leg in front), so one
run covers setup, both sides and the end. Screens are checked by their look (a banner with
high-contrast text, a mostly black text page) and by the frame log of what was shown.
"""
from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import real_clip
from live_helpers import (
    Xvfb,
    base_env,
    checklist_shown,
    contrast,
    cue_banner,
    records,
    run_cli,
    text_page_stats,
    wait_for,
    write_clip,
)

SHOTS_ENV = "POSECOACH_TEST_SHOTS"  # keep the screenshots in this folder (to look at them)


@pytest.fixture(scope="module")
def two_sided(tmp_path_factory) -> Path:
    side = real_clip("kneeling_stretch_side.mp4")
    oblique = real_clip("kneeling_stretch_oblique.mp4")
    path = tmp_path_factory.mktemp("clips") / "two_sided.mp4"
    # the side clip is a steady 6.8 s hold: played 1.5 times, then mirrored 1.5 times
    return write_clip(path, [(oblique, 1.5, False), (side, 6.8, False), (side, 3.0, False), (side, 6.8, True),
                             (side, 3.0, True)])


@pytest.fixture(scope="module")
def xvfb():
    missing = Xvfb.missing()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install xvfb imagemagick xdotool)")
    x = Xvfb()
    yield x
    x.close()


def shots_dir(tmp_path: Path) -> Path:
    import os
    d = Path(os.environ.get(SHOTS_ENV) or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def is_text_page(img: np.ndarray) -> bool:
    """A full-window text screen: mostly black, with white text (drawn completely)."""
    dark, bright = text_page_stats(img)
    return dark > 0.8 and bright > 0.003


def wav_rms(path: Path) -> tuple[float, float]:
    with wave.open(str(path)) as w:
        a = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float64)
        return float(np.sqrt(np.mean(a ** 2))), a.size / w.getframerate()


def codes(summary: dict) -> list[str]:
    return [c["code"] for c in summary["cues"]]


def test_headless_guided_session_both_sides_with_voice(two_sided, tmp_path):
    home, out = tmp_path / "home", tmp_path / "session"
    env = base_env(home, voice_file=out / "voice.wav")
    r = run_cli(["live", "--video", str(two_sided), "--no-window", "--hold", "5", "--speed", "2.5",
                 "--session-dir", str(out)], env)
    assert r.returncode == 0, r.stderr
    assert "form guidance, not diagnosis" in r.stdout  # first run: the safety facts are printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["end_reason"] == "done" and sorted(summary["sides_completed"]) == ["left", "right"]
    c = codes(summary)
    assert c[0] == "NOT_SIDE_VIEW"  # the three-quarter view is named first
    assert c.index("SETUP_OK") < c.index("HOLD_START") < c.index("HOLD_COMPLETE") < c.index("ALL_DONE")
    assert summary["pain_stop"] is False
    recs = records(out / "frames.jsonl")
    setup_ok_t = next(x["t_ms"] for x in summary["cues"] if x["code"] == "SETUP_OK")
    assert setup_ok_t >= 1500 + 1000  # not before the person has been side-on for a second
    assert all(max(x["hold_s"].values()) == 0 for x in recs if x["t_ms"] < setup_ok_t)
    assert "NOT_SIDE_VIEW" in recs[0].get("setup_issues", [])
    # the session's length is stream time (the clip's clock), not the time spent computing
    assert abs(summary["duration_s"] - (recs[-1]["t_ms"] - recs[0]["t_ms"]) / 1000) < 0.1
    # the voice said the same things, audibly
    said = (out / "voice.wav.txt").read_text().splitlines()
    assert said[0] == "Turn sideways to the camera." and "Good, I can see all of you, from the side." in said
    assert said[-1] == "All done. Well done."
    rms, seconds = wav_rms(out / "voice.wav")
    assert rms > 500 and seconds > 4

    assert (home / "safety_shown.json").is_file()  # not shown again (tests/test_safety.py)


def test_window_under_xvfb_safety_setup_cue_timer_end(two_sided, xvfb, tmp_path):
    shots = shots_dir(tmp_path)
    home, out = tmp_path / "home", tmp_path / "session"
    env = base_env(home, voice_file=out / "voice.wav", display=xvfb.display)
    proc = subprocess.Popen([sys.executable, "-m", "posecoach", "live", "--video", str(two_sided), "--hold", "5",
                             "--speed", "1.5", "--max-seconds", "9", "--session-dir", str(out)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        win = xvfb.window(proc=proc)
        # 1. first run: the safety screen, and nothing plays until it is agreed to
        page = wait_for(lambda: (lambda im: im if is_text_page(im) else None)(xvfb.shot(window=win)),
                        10, "the safety screen", proc)
        cv2.imwrite(str(shots / "1_safety.png"), page)
        dark, bright = text_page_stats(page)
        assert dark > 0.8 and bright > 0.005
        assert not records(out / "frames.jsonl")
        xvfb.key(win, "space")

        # 2. setup: the person is not side-on; the checklist and "turn sideways" are shown
        img = wait_for(lambda: (lambda im: im if checklist_shown(im) and not is_text_page(im) else None)(xvfb.shot(window=win)), 15,
                       "the setup checklist", proc)
        cv2.imwrite(str(shots / "2_setup.png"), img)
        shown = [x for x in records(out / "frames.jsonl") if x.get("cue")]
        assert shown and shown[0]["cue"]["code"] == "NOT_SIDE_VIEW" and shown[0]["phase"] == "setup"
        b = cue_banner(img)
        assert b is not None, "no cue banner on screen"
        assert contrast(np.percentile(b, 99.5), np.median(b)) >= 4.5

        # 3. holding: a good-form cue in words and the timer with its progress bar
        wait_for(lambda: any(x["hold_s"]["right"] + x["hold_s"]["left"] > 2.0 for x in records(out / "frames.jsonl")),
                 15, "two seconds of hold", proc)
        img = xvfb.shot(shots / "3_hold.png", window=win)
        rec = records(out / "frames.jsonl")[-1]
        assert rec["phase"] == "holding" and rec.get("good_form")
        timer = img[0:140, 0:420].mean(axis=2)
        assert (timer > 230).mean() > 0.03  # white timer text and the filled bar
        b = cue_banner(img)
        assert b is not None and contrast(np.percentile(b, 99.5), np.median(b)) >= 4.5

        # 4. the end screen after both sides, until a key is pressed
        wait_for(lambda: (out / "summary.json").is_file(), 25, "the end of the session", proc)
        page = wait_for(lambda: (lambda im: im if is_text_page(im) else None)(xvfb.shot(window=win)),
                        10, "the end screen", proc)
        cv2.imwrite(str(shots / "4_end.png"), page)
        assert text_page_stats(page)[1] > 0.003
        xvfb.key(win, "space")
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["end_reason"] in ("done", "stream ended", "time limit")  # all end on the end screen
    assert "HOLD_COMPLETE" in codes(summary)
    assert (home / "safety_shown.json").is_file()


def test_large_display_mute_and_pain_key(xvfb, tmp_path):
    """Clinic display fullscreen; m mutes the voice; p stops at once, says when to see a
    professional (even when muted) and records the stop."""
    clip = real_clip("kneeling_stretch_side.mp4")
    if xvfb.wm is None:
        pytest.skip("fullscreen needs a window manager (apt-get install openbox)")
    shots = shots_dir(tmp_path)
    home, out = tmp_path / "home", tmp_path / "session"
    home.mkdir()
    (home / "safety_shown.json").write_text(json.dumps({"version": 1}))  # a returning user
    env = base_env(home, voice_file=out / "voice.wav", display=xvfb.display)
    proc = subprocess.Popen([sys.executable, "-m", "posecoach", "live", "--video", str(clip), "--large",
                             "--session-dir", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        win = xvfb.window(proc=proc)
        wait_for(lambda: any(x.get("cue") and x["cue"]["code"] == "SETUP_OK" for x in records(out / "frames.jsonl")),
                 15, "the setup to be confirmed", proc)
        xvfb.key(win, "m")
        wait_for(lambda: any(x["hold_s"]["right"] + x["hold_s"]["left"] > 1.0 for x in records(out / "frames.jsonl")),
                 15, "the hold to start", proc)
        img = xvfb.shot(shots / "5_large.png")
        b = cue_banner(img)
        assert b is not None, "no cue banner in large mode"
        top = img[: img.shape[0] // 2].mean(axis=2)
        assert (top > 0).mean() > 0.95  # fullscreen: the picture spans the whole screen, no desktop beside it
        inked = (b > 200).sum(axis=1) > 2
        start = int(np.argmax(inked))
        letters = start + int(np.argmin(inked[start:])) - start
        assert letters >= 0.06 * img.shape[0], letters  # readable from 3 m
        assert contrast(np.percentile(b, 99.5), np.median(b)) >= 15
        xvfb.key(win, "p")
        page = wait_for(lambda: (lambda im: im if is_text_page(im) else None)(xvfb.shot()), 10,
                        "the pain screen", proc)
        cv2.imwrite(str(shots / "6_pain.png"), page)
        assert text_page_stats(page)[1] > 0.003
        xvfb.key(win, "space")
        assert proc.wait(timeout=15) == 0
        stdout = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["end_reason"] == "pain" and summary["pain_stop"] is True
    assert summary["pain_stop_t_ms"] > 0 and codes(summary)[-1] == "PAIN_STOP"
    assert "physiotherapist" in stdout
    said = (out / "voice.wav.txt").read_text().splitlines()
    assert said[0] == "Good, I can see all of you, from the side."
    assert "Good. Hold it there and breathe." not in said  # muted
    assert "physiotherapist" in said[-1] and said[-1].startswith("Stopping.")
