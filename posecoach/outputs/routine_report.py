"""The report's section for constructive rest, the soft-ball release and the whole routine: one
short paragraph and a row of numbers per exercise, from summary.json (no plots: these exercises
are about time and calm, not angles)."""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from posecoach.core.protocol import TITLES


def _secs(s: float) -> str:
    s = max(0.0, float(s))
    return f"{int(s) // 60} min {int(s) % 60} s" if s >= 60 else f"{s:.0f} s"


def _rest(s: Mapping) -> list[str]:
    out = [f"You rested in the position for <b>{_secs(s.get('rest_s', 0))}</b> of the "
           f"{_secs(s.get('target_s', 0))} planned."]
    rate = (s.get("breathing_rate_bpm") or {})
    if rate.get("mean") is not None:
        fast = rate.get("fast_fraction") or 0.0
        out.append(f"Your breathing was about <b>{rate['mean']:.0f} breaths a minute</b>"
                   + (f"; faster than 20 a minute {100 * fast:.0f}% of the time: let it slow down next time."
                      if fast > 0.2 else ", calm and slow."))
    faults = s.get("fault_fraction") or {}
    names = {"KNEES_STRAIGHT": "knees too straight", "FEET_NOT_FLAT": "feet not flat",
             "PELVIS_LIFTED": "hips lifted off the floor",
             "ARCHED_BACK_LYING": "low back arched off the floor"}
    seen = [f"{names.get(k, k)} ({100 * v:.0f}% of the time)" for k, v in faults.items() if v > 0.02]
    out.append("To watch: " + ", ".join(seen) + "." if seen else "Your position was good throughout.")
    return out


def _ball(s: Mapping) -> list[str]:
    hold = s.get("hold_s") or {}
    out = [f"You released on the ball for <b>{hold.get('left', 0):.0f} s</b> on the left and "
           f"<b>{hold.get('right', 0):.0f} s</b> on the right ({s.get('spot_s', 45):.0f} s per tender spot)."]
    out.append("Remember: never press harder; the release should never feel sharp.")
    return out


def _lunge(s: Mapping) -> list[str]:
    hold = s.get("hold_s") or {}
    good = s.get("good_form_fraction")
    return [f"You held the stretch <b>{hold.get('left', 0):.0f} s</b> on the left and "
            f"<b>{hold.get('right', 0):.0f} s</b> on the right"
            + (f", in good form {100 * good:.0f}% of the time." if good else ".")]


def floor_sections(summary: Mapping[str, Any]) -> str:
    """HTML for the routine's exercises (summary["exercises"]) or a single floor exercise
    (summary["exercise"] = rest | ball); "" for a kneeling-lunge-only session."""
    sections = summary.get("exercises")
    if not isinstance(sections, Mapping):
        ex = summary.get("exercise")
        if ex not in ("rest", "ball"):
            return ""
        sections = {ex: {**summary, "ran": True}}
    parts = ["<h2>The routine</h2>" if "lunge" in sections else "<h2>This exercise</h2>", "<ul>"]
    for name, s in sections.items():
        if not isinstance(s, Mapping):
            continue
        title = html.escape(TITLES.get(str(name), str(name)))
        if not s.get("ran"):
            parts.append(f"<li><b>{title}:</b> not reached in this session.</li>")
            continue
        body = {"rest": _rest, "ball": _ball, "lunge": _lunge}.get(name, lambda _: [])(s)
        ended = s.get("end_reason")
        note = {"key": " You moved on early.", "posture": " You moved on to the next exercise.",
                "pain": " You stopped here because it hurt."}.get(str(ended), "")
        parts.append(f"<li><b>{title}:</b> " + " ".join(body) + note + "</li>")
    parts.append("</ul>")
    return "\n".join(parts)
