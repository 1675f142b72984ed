"""Therapist plans: the example ships valid; mistakes are errors that name the field."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from posecoach.commands.main import main
from posecoach.core.config import Settings
from posecoach.core.errors import ConfigError
from posecoach.core.plan import LIMITS, load_plan, parse_plan
from posecoach.exercises.lunge_coach import Coach

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "plans" / "example.toml"


def test_the_example_plan_loads_into_typed_settings():
    plan = load_plan(EXAMPLE)
    c = plan.settings.coach
    assert c.hold_s == 30 and c.sides == ("left", "right", "left", "right") and c.voice and c.cue_cooldown_s == 10
    assert plan.settings.bands["KNEE_PAST_ANKLE"].fault == 12 and plan.settings.bands["KNEE_PAST_ANKLE"].ok == 5
    assert plan.settings.bands["ANTERIOR_TILT"].fault == 6
    assert plan.settings.bands["HIPS_FORWARD"] == Settings().bands["HIPS_FORWARD"]  # untouched
    assert plan.exercise("constructive_rest").hold_s == 300
    assert "tailbone" in plan.strings["ANTERIOR_TILT"]


def test_plan_strings_reach_the_coach():
    plan = parse_plan({"strings": {"SWITCH_SIDES": "Jetzt die Seite wechseln: {front} Fuss nach vorn."}})
    coach = Coach(plan.settings.coach, plan.strings)
    coach.completed.append("left")
    cue = coach._choose(["SWITCH_SIDES"], 0)
    assert cue is not None and cue.text == "Jetzt die Seite wechseln: right Fuss nach vorn."


@pytest.mark.parametrize("data, field", [
    ({"hold": 30}, "'hold'"),
    ({"exercises": [{"name": "kneeling_lunge", "hold_secs": 30}]}, "exercises[0].'hold_secs'"),
    ({"exercises": [{"name": "kneeling_lunge", "hold_s": 500}]}, "exercises[0].hold_s"),
    ({"exercises": [{"name": "kneeling_lunge", "hold_s": "30"}]}, "exercises[0].hold_s"),
    ({"exercises": [{"name": "kneeling_lunge", "sides": ["left", "middle"]}]}, "exercises[0].sides"),
    ({"exercises": [{"name": "kneeling_lunge", "repetitions": 9}]}, "exercises[0].repetitions"),
    ({"exercises": [{"name": "yoga"}]}, "exercises[0].name"),
    ({"exercises": [{"name": "constructive_rest", "sides": ["left"]}]}, "exercises[0].sides"),
    ({"thresholds": {"KNEE_PAST_ANKLE": {"fault": 30}}}, "thresholds.KNEE_PAST_ANKLE.fault"),
    ({"thresholds": {"ANTERIOR_TILT": {"fault": 6, "ok": 5}}}, "thresholds.ANTERIOR_TILT.ok"),
    ({"thresholds": {"KNEE_PAST": {"fault": 10}}}, "thresholds.'KNEE_PAST'"),
    ({"thresholds": {"HIPS_FORWARD": {"fualt": 10}}}, "thresholds.HIPS_FORWARD.'fualt'"),
    ({"voice": "yes"}, "voice"),
    ({"language": "english please"}, "language"),
    ({"coach": {"cue_gap_s": 0.1}}, "coach.cue_gap_s"),
    ({"strings": {"TEN_SECOND": "Ten!"}}, "strings.'TEN_SECOND'"),
    ({"strings": {"TEN_SECONDS": "Ten {side}!"}}, "strings.TEN_SECONDS"),
    ({"strings": {"TEN_SECONDS": ""}}, "strings.TEN_SECONDS"),
])
def test_mistakes_name_the_field(data, field):
    with pytest.raises(ConfigError) as e:
        parse_plan(data)
    assert field in str(e.value), str(e.value)


def test_every_safety_cap_is_at_least_the_protocol_band():
    defaults = Settings().bands
    for code, (lo, hi, ok_lo) in LIMITS.items():
        assert lo <= defaults[code].fault <= hi and defaults[code].ok >= ok_lo, code


def test_plan_check_command(tmp_path, capsys):
    assert main(["plan", "check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK") and "kneeling_lunge: hold 30 s, sides left then right, 2 repetition(s)" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('[thresholds.KNEE_PAST_ANKLE]\nfault = 40\n')
    assert main(["plan", "check", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "thresholds.KNEE_PAST_ANKLE.fault = 40" in err and "25" in err
    broken = tmp_path / "broken.toml"
    broken.write_text("hold_s = \n")
    assert main(["plan", "check", str(broken)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["plan", "check", str(tmp_path / "missing.toml")]) == 2
    assert "plan not found" in capsys.readouterr().err


def test_plan_check_as_a_process_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('voice = "loud"\n')
    r = subprocess.run([sys.executable, "-m", "posecoach", "plan", "check", str(bad)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "voice must be true or false" in r.stderr


def test_plan_reaches_analyze_and_live(tmp_path):
    """A plan's words appear in what analyze records, and its voice = false mutes live."""
    from conftest import real_clip
    from live_helpers import base_env, run_cli, write_clip
    clip = write_clip(tmp_path / "side.mp4", [(real_clip("kneeling_stretch_side.mp4"), 1.5, False)])
    plan = tmp_path / "plan.toml"
    plan.write_text('voice = false\n[strings]\nHOLD_START = "Prima. Halten und atmen."\n')
    env = base_env(tmp_path / "home")
    r = run_cli(["analyze", str(clip), "--out", str(tmp_path / "out"), "--plan", str(plan), "--quiet"], env)
    assert r.returncode == 0, r.stderr
    cues = [json.loads(x)["cue"] for x in (tmp_path / "out" / "side" / "frames.jsonl").read_text().splitlines()]
    assert {"code": "HOLD_START", "text": "Prima. Halten und atmen."} in cues
    r = run_cli(["live", "--video", str(clip), "--no-window", "--plan", str(plan), "--session-dir",
                 str(tmp_path / "live")], env)
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "live" / "summary.json").read_text())
    assert summary["voice"]["muted"] is True
