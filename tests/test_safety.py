"""The first-run safety screen is remembered per data folder, and shown again when its text changes."""
from __future__ import annotations

import json

from posecoach.core.paths import data_dir
from posecoach.ui import safety
from posecoach.ui.screens import end_lines, safety_gate


def test_shown_once_per_data_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("POSECOACH_HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home"
    assert not safety.safety_shown()
    assert safety_gate(None) is True  # no window: printed, then remembered
    out = capsys.readouterr().out
    assert "form guidance, not diagnosis" in out and "physiotherapist" in out
    assert safety.safety_shown()
    assert safety_gate(None) is True and capsys.readouterr().out == ""
    assert safety_gate(None, force=True) is True and "not diagnosis" in capsys.readouterr().out


def test_a_new_safety_text_is_shown_again(tmp_path, monkeypatch):
    monkeypatch.setenv("POSECOACH_HOME", str(tmp_path))
    (tmp_path / safety.MARKER).write_text(json.dumps({"version": safety.SAFETY_VERSION - 1}))
    assert not safety.safety_shown()
    (tmp_path / safety.MARKER).write_text("not json")
    assert not safety.safety_shown()


def test_the_safety_text_carries_the_protocol_facts():
    text = safety.safety_text().lower()
    for fact in ("not diagnosis", "sharp", "stop", "belly", "numbness", "pelvic", "giving birth",
                 "does not ease"):
        assert fact in text, fact


def test_end_screen_reports_a_pain_stop():
    title, lines = end_lines({"end_reason": "pain", "pain_stop": True, "hold_s": {"left": 12.0, "right": 0.0},
                              "sides_completed": [], "cues": []})
    assert title == "Stopped for pain"
    assert any("physiotherapist" in line for line in lines)
    assert lines[0].startswith("Left leg forward: 12 s")
