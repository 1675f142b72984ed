"""Hands-free control of a live session (issue 13): a spoken word heard through a WAV standing in
for the microphone, a raised or waved hand read from the pose; each listed in summary.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_helpers import base_env, records, run_cli

from posecoach.control.commands import END, MOVE_ON, NEXT_EXERCISE, PAIN_STOP, PAUSE, RESUME, START, SWITCH_SIDE
from posecoach.control.commands import Command
from posecoach.ui.hands_free import concrete, heard

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
AUDIO = ROOT / "tests" / "data" / "audio"


@pytest.mark.parametrize("command, mode, move_on, meant", [
    (MOVE_ON, "running", SWITCH_SIDE, SWITCH_SIDE),
    (MOVE_ON, "paused", NEXT_EXERCISE, NEXT_EXERCISE),
    (MOVE_ON, "running", None, None),
    (RESUME, "waiting", None, START),     # "resume" or a raised hand before the start: start
    (PAUSE, "waiting", None, START),
    (PAUSE, "paused", None, None),        # already so: nothing to do, nothing listed
    (RESUME, "running", None, None),
    (PAUSE, "running", None, PAUSE),
    (RESUME, "paused", None, RESUME),
    (PAIN_STOP, "paused", None, PAIN_STOP),
    (END, "waiting", None, END),
])
def test_what_a_command_means_now(command, mode, move_on, meant):
    assert concrete(command, mode, move_on) == meant


def test_a_spoken_end_before_the_start_is_dropped_but_not_a_key_or_a_later_one():
    assert heard(Command(0, END, "voice"), "waiting", None) is None   # a misheard "start"
    assert heard(Command(0, END, "key"), "waiting", None) == END
    assert heard(Command(0, END, "voice"), "running", None) == END
    assert heard(Command(0, PAIN_STOP, "voice"), "waiting", None) == PAIN_STOP


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def test_spoken_pause_then_resume_pause_and_resume_a_live_session(tmp_path):
    """A non-coach natural voice (other pitch and tempo, some noise) says "pause" at ~1.3 s and
    "resume" at ~6.8 s: nothing is judged in between and the hold does not count the pause."""
    pytest.importorskip("pocketsphinx")
    words = json.loads((AUDIO / "pause_resume.json").read_text())
    out = tmp_path / "s"
    r = run_cli(["live", "--video", str(SAMPLES / "pelvis_tall_floor_left.mp4"), "--mic",
                 str(AUDIO / "pause_resume.wav"), "--no-window", "--mute", "--session-dir", str(out)],
                base_env(tmp_path / "home"))
    assert r.returncode == 0, r.stderr
    s = summary_of(out)
    assert [(c["command"], c["by"]) for c in s["commands"]] == [("pause", "voice"), ("resume", "voice")]
    paused_at, resumed_at = (c["t_ms"] for c in s["commands"])
    assert abs(paused_at - words[0]["end_ms"]) < 600 and abs(resumed_at - words[1]["end_ms"]) < 600
    ts = [rec["t_ms"] for rec in records(out / "frames.jsonl")]
    # paused: nothing judged (a word is confirmed ~0.5 s after it ends, later on a loaded machine)
    assert not any(paused_at + 1000 < t < resumed_at for t in ts)
    hold = max(s["hold_s"].values())
    assert hold <= (s["duration_s"] - (resumed_at - paused_at) / 1000) + 0.5


class EveryFrame:
    """A recording played frame by frame, none dropped (the live loop's source, deterministic)."""

    def __init__(self, path: Path) -> None:
        from posecoach.vision.sources import VideoSource
        self._video = VideoSource(path)
        self.name, self.fps, self.dropped = str(path), self._video.fps, 0

    def __iter__(self):
        return iter(self._video)

    def close(self) -> None:
        pass


def run_live_on(clip: Path, folder: Path, wait_for_start: bool = False) -> dict:
    from posecoach.runner.open import open_session
    from posecoach.ui.live import LiveOptions, run_live

    opts = LiveOptions(window=False, mute=True, session_dir=folder, history=False, report=False,
                       wait_for_start=wait_for_start)
    return run_live(open_session("lunge"), EveryFrame(clip), opts)  # type: ignore[arg-type]


def test_a_raised_hand_starts_a_session_that_waits_for_it(tmp_path):
    out = tmp_path / "s"
    s = run_live_on(SAMPLES / "gestures" / "g_lunge_raise_near.mp4", out, wait_for_start=True)
    assert [(c["command"], c["by"]) for c in s["commands"]][:1] == [("start", "gesture")]
    first = records(out / "frames.jsonl")[0]["t_ms"]
    assert first >= s["commands"][0]["t_ms"]  # nothing was judged before the start


def test_a_raised_hand_pauses_a_running_session(tmp_path):
    s = run_live_on(SAMPLES / "gestures" / "g_lunge_raise_near.mp4", tmp_path / "s")
    assert [(c["command"], c["by"]) for c in s["commands"]] == [("pause", "gesture")]  # not the quick raise


def test_a_waved_hand_stops_at_once_for_pain(tmp_path):
    s = run_live_on(SAMPLES / "gestures" / "g_lunge_wave.mp4", tmp_path / "s")
    assert s["end_reason"] == "pain" and s["pain_stop"] is True
    assert [(c["command"], c["by"]) for c in s["commands"]] == [("pain_stop", "gesture")]


def test_both_arms_overhead_is_no_command(tmp_path):
    s = run_live_on(SAMPLES / "gestures" / "g_lunge_overhead.mp4", tmp_path / "s")
    assert s["commands"] == []


def test_a_camera_session_waits_for_the_start_and_says_how(tmp_path):
    """In front of a camera nothing is coached until the person starts it; the coach says how."""
    from clipmaker import run_cli as run_with_prelude

    from posecoach.core.cues import cue_text

    out, voice = tmp_path / "s", tmp_path / "voice.wav"
    proc = run_with_prelude(["live", "--camera", "0", "--no-window", "--session-dir", str(out), "--max-seconds", "4"],
                            prelude=f"import fakecam; fakecam.install({str(SAMPLES / 'lunge_good_left.mp4')!r})",
                            env={"POSECOACH_VOICE_FILE": str(voice)})
    assert proc.returncode == 0, proc.stderr
    s = summary_of(out)
    assert s["frames"] == 0 and s["commands"] == [] and s["end_reason"] == "time limit"
    said = (tmp_path / "voice.wav.txt").read_text()
    assert cue_text("CMD_HOW") in said and cue_text("CMD_READY") in said


def test_the_demo_played_for_want_of_a_camera_coaches_at_once(tmp_path):
    """The bundled demo is a recording: no wait for a raised hand, no guided pelvis calibration
    (its person cannot follow prompts)."""
    from posecoach.vision.sources import list_cameras

    if list_cameras(max_index=1):
        pytest.skip("a camera is present: live would use it")
    out = tmp_path / "s"
    r = run_cli(["live", "--no-window", "--mute", "--session-dir", str(out), "--max-seconds", "30"],
                base_env(tmp_path / "home"))
    assert r.returncode == 0, r.stderr
    s = summary_of(out)
    assert s["frames"] > 0 and not any(c["code"].startswith("CALIB") for c in s["cues"])
