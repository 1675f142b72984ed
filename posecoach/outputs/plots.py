"""The report's figures, drawn with matplotlib's object API on the Agg canvas (no pyplot, no
window, no global backend switch) and returned as PNG bytes to embed in the HTML.

Every series is labelled in words as well as colour: rows carry names, bands carry a legend.
"""
from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from posecoach.core.config import Band
from posecoach.core.protocol import (
    FAULT_METRIC,
    FORM_FAULTS,
    METRIC_NAMES,
    SETUP_FAULTS,
    SIDES,
    Fault,
)
from posecoach.outputs.tally import in_lunge_side

GOOD = "#2e7d32"
FAULT = "#c62828"
SIDE_COLOUR = {"left": "#1565c0", "right": "#ef6c00"}

# Patient words for the measurements: (title, unit, what the + direction means).
METRIC_LABEL: dict[str, tuple[str, str, str]] = {
    "front_knee_angle_deg": ("Front knee angle", "degrees", "90 = knee at a right angle"),
    "shin_tilt_deg": ("Front shin tilt", "degrees", "+ = knee ahead of the ankle"),
    "knee_ahead_of_ankle": ("Knee ahead of ankle", "shin lengths", "+ = knee ahead of the ankle"),
    "back_hip_extension_deg": ("Back thigh angle", "degrees", "+ = hips pushed forward"),
    "trunk_lean_deg": ("Trunk lean", "degrees", "+ = leaning forward"),
    "pelvic_tilt_deg": ("Pelvic tilt", "degrees", "+ = low back arched, - = tailbone tucked"),
}
# The fault each measurement's plot shades the bands of (the knee's offset shares the shin's).
METRIC_FAULT: dict[str, str] = {**{m: f for f, m in FAULT_METRIC.items()}, "knee_ahead_of_ankle": Fault.KNEE_PAST_ANKLE}


def good_band(metric: str, bands: Mapping[str, Band]) -> tuple[float, float, float]:
    """(low, high) of the good range and the fault threshold for a metric, from protocol.md's
    bands: the upper edge is the band's "ok" value, the lower edge mirrors it about the target
    (90 deg for the knee, 0 elsewhere; 0 for the back thigh, whose good range is 0-10; none
    below for the pelvis, where tucked is good). knee_ahead_of_ankle is the shin tilt's tangent.
    """
    band = bands[METRIC_FAULT[metric]]
    if metric == "front_knee_angle_deg":
        return 180.0 - band.ok, band.ok, band.fault
    if metric == "knee_ahead_of_ankle":
        ok, bad = math.tan(math.radians(band.ok)), math.tan(math.radians(band.fault))
        return -ok, ok, bad
    if metric == "back_hip_extension_deg":
        return 0.0, band.ok, band.fault
    if metric == "pelvic_tilt_deg":
        return -math.inf, band.ok, band.fault
    return -band.ok, band.ok, band.fault


def png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def _series(records: Sequence[Mapping[str, Any]], metric: str) -> np.ndarray:
    out = np.full(len(records), np.nan)
    for i, r in enumerate(records):
        v = (r.get("metrics") or {}).get(metric)
        if v is not None:
            out[i] = float(v)
    return out


def angle_figure(records: Sequence[Mapping[str, Any]], bands: Mapping[str, Band]) -> Figure:
    """The six measurements over time, the good range shaded green and the fault zone red."""
    t = np.array([int(r["t_ms"]) for r in records], dtype=float) / 1000.0
    fig = Figure(figsize=(11, 10.5), layout="constrained")
    axes = fig.subplots(3, 2, sharex=True)
    for ax, metric in zip(axes.flat, METRIC_NAMES):
        title, unit, meaning = METRIC_LABEL[metric]
        y = _series(records, metric)
        lo, hi, bad = good_band(metric, bands)
        ax.set_title(f"{title}  ({meaning})", fontsize=11, loc="left")
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        finite = y[np.isfinite(y)]
        if finite.size == 0:
            ax.text(0.5, 0.5, "not measured in this session", transform=ax.transAxes,
                    ha="center", va="center", color="#555555", fontsize=11)
            ymin, ymax = (lo if math.isfinite(lo) else hi - 15.0), bad + 0.25 * (bad - hi)
        else:
            span = max(float(finite.max() - finite.min()), 0.2 * (bad - hi), 1e-3)
            ymin = min(float(finite.min()), lo if math.isfinite(lo) else float(finite.min())) - 0.15 * span
            ymax = max(float(finite.max()) + 0.1 * span, bad + 0.25 * (bad - hi))
        ax.axhspan(max(lo, ymin), hi, color=GOOD, alpha=0.15, lw=0)
        ax.axhspan(bad, ymax, color=FAULT, alpha=0.12, lw=0, hatch="//", ec=FAULT)
        for side in SIDES:
            mask = np.array([in_lunge_side(r) == side for r in records])
            ax.plot(t, np.where(mask, y, np.nan), color=SIDE_COLOUR[side], lw=1.6,
                    label=f"{side} leg forward")
        ax.plot(t, y, color="#777777", lw=0.8, alpha=0.6, zorder=1, label="not in the stretch")
        ax.set_ylim(ymin, ymax)
    end = float(t[-1]) if len(t) else 1.0
    for ax in axes[-1]:
        ax.set_xlabel("time (seconds)")
        ax.set_xlim(0, max(end, 0.1))
    handles = [Patch(color=GOOD, alpha=0.3, label="good range"),
               Patch(facecolor=FAULT, alpha=0.25, hatch="//", edgecolor=FAULT, label="needs fixing"),
               *axes.flat[0].get_lines()]
    fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=10, frameon=False)
    return fig


def _runs(mask: Sequence[bool], t: np.ndarray, end: float) -> list[tuple[float, float]]:
    """(start, width) in seconds of each run of True, for broken_barh."""
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = t[i]
        if not m and start is not None:
            out.append((start, t[i] - start))
            start = None
    if start is not None:
        out.append((start, end - start))
    return out


def timeline_figure(records: Sequence[Mapping[str, Any]], cues: Sequence[Mapping[str, Any]],
                    hold_target_s: float, fault_names: Mapping[str, str]) -> Figure:
    """Top: the hold timer of each side against its target. Bottom: what was going on when, one
    named row each (good form per side, each fault, setup problems), cues as numbered ticks."""
    t = np.array([int(r["t_ms"]) for r in records], dtype=float) / 1000.0
    end = float(t[-1] + (t[-1] - t[-2] if len(t) > 1 else 0.03)) if len(t) else 1.0
    fig = Figure(figsize=(11, 6.8), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.6])
    for side in SIDES:
        h = [float((r.get("hold_s") or {}).get(side, 0.0)) for r in records]
        top.plot(t, h, color=SIDE_COLOUR[side], lw=2, label=f"{side} leg forward")
    top.axhline(hold_target_s, color="#333333", ls="--", lw=1, label=f"target {hold_target_s:g} s")
    top.set_ylabel("hold in good form (s)")
    top.set_title("Hold timer (runs once the coach is timing you, and only while your form is good)",
                  fontsize=11, loc="left")
    top.legend(loc="upper left", fontsize=9, frameon=False)
    top.grid(alpha=0.3)

    rows: list[tuple[str, list[bool], str]] = []
    sides = [in_lunge_side(r) for r in records]
    faults = [set(map(str, r.get("faults") or [])) for r in records]
    for side in SIDES:
        rows.append((f"good form, {side} leg", [s == side and not (f & set(FORM_FAULTS))
                                                for s, f in zip(sides, faults)], GOOD))
    for code in (*FORM_FAULTS, *SETUP_FAULTS):
        on = [code in f for f in faults]
        if any(on):
            rows.append((fault_names.get(code, code), on, FAULT if code in FORM_FAULTS else "#757575"))
    for i, (_, on, colour) in enumerate(rows):
        bottom.broken_barh(_runs(on, t, end), (i - 0.35, 0.7), color=colour, alpha=0.8)
    for n, c in enumerate(cues, 1):
        x = int(c["t_ms"]) / 1000.0
        bottom.plot([x, x], [-1.35, -0.65], color="#333333", lw=1.2)
        if len(cues) <= 40:
            bottom.text(x, -1.4, str(n), ha="center", va="bottom", fontsize=9)
    bottom.set_yticks(range(-1, len(rows)), ["coach spoke (#)"] + [name for name, _, _ in rows])
    bottom.set_ylim(len(rows) - 0.4, -2.1)
    bottom.set_xlim(-0.01 * end, end)
    bottom.set_xlabel("time (seconds)")
    bottom.grid(axis="x", alpha=0.3)
    bottom.set_title("What happened when (numbers match the list of cues)", fontsize=11, loc="left")
    return fig
