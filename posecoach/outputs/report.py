"""A report a patient can read and a therapist can hand over: `report.html` (one self-contained
file: styles inline, plots embedded as base64 PNG, no external assets, nothing fetched) and
`metrics.csv` (one row per frame), written from an analysis folder (frames.jsonl + summary.json,
interface.md) by `posecoach analyze --report` and at the end of every live session.
"""
from __future__ import annotations

import base64
import csv
import html
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from posecoach.core.config import Band, CoachConfig, default_bands
from posecoach.core.cues import TEXTS
from posecoach.core.errors import PosecoachError
from posecoach.core.protocol import FAULT_NAMES, FORM_FAULTS, SIDES
from posecoach.core.types import METRIC_NAMES
from posecoach.outputs import plots
from posecoach.outputs.routine_report import floor_sections
from posecoach.outputs.tally import Tally

SAFETY = ("posecoach gives exercise-form guidance, not diagnosis. A stretch should feel mild; it "
          "should never feel sharp, stabbing or intensely painful. If it does, stop. See a "
          "physiotherapist or doctor for sharp, shooting or electric pain, numbness or weakness in "
          "the leg, significant pelvic pain, pain after giving birth, or pain that does not improve "
          "with gentle stretching.")
CSV_COLUMNS = ("frame", "t_ms", "time_s", "person", "view", "front_side", "in_lunge", "phase",
               *METRIC_NAMES, "faults", "cue", "hold_left_s", "hold_right_s")


def load_analysis(folder: Path) -> tuple[list[dict[str, Any]], dict]:
    """The frame records and summary of an analysis or session folder."""
    frames, summ = folder / "frames.jsonl", folder / "summary.json"
    if not frames.is_file() or not summ.is_file():
        raise PosecoachError(f"{folder} is not an analysis folder (needs frames.jsonl and summary.json)")
    records = []
    with open(frames, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    break  # a session cut off mid-line: keep what was written whole
    try:
        summary = json.loads(summ.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise PosecoachError(f"{summ} is not valid JSON: {e}") from e
    return records, summary


def write_metrics_csv(records: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """One row per frame: time, what was seen, the six measurements (blank = not measurable),
    faults joined with ';', the cue code issued at that frame, the hold timers (seconds)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in records:
            m = r.get("metrics") or {}
            hold = r.get("hold_s") or {}
            cue = r.get("cue") or {}
            w.writerow([r.get("frame"), r.get("t_ms"), f"{int(r['t_ms']) / 1000:.3f}",
                        int(bool(r.get("person"))), r.get("view") or "", r.get("front_side") or "",
                        "" if r.get("in_lunge") is None else int(bool(r.get("in_lunge"))), r.get("phase") or "",
                        *("" if m.get(k) is None else m.get(k) for k in METRIC_NAMES),
                        ";".join(map(str, r.get("faults") or [])), cue.get("code", ""),
                        hold.get("left", ""), hold.get("right", "")])
    return path


def write_report(folder: Path, hold_target_s: float | None = None, bands: Mapping[str, Band] | None = None,
                 csv_too: bool = True) -> Path:
    """Write folder/report.html (and folder/metrics.csv) from folder's frames.jsonl and summary.json.

    hold_target_s: the hold asked for per side (s); default: the summary's, else the coach default.
    bands: the fault bands the session was judged by (a plan may change them), drawn on the angle
    plots; default: the summary's "bands", else protocol.md's.
    """
    records, summary = load_analysis(folder)
    if csv_too:
        write_metrics_csv(records, folder / "metrics.csv")
    target = float(hold_target_s or summary.get("hold_target_s") or CoachConfig().hold_s)
    bands = dict(bands) if bands is not None else _bands(summary)
    page = render_html(records, summary, target, bands, _when(summary, folder))
    out = folder / "report.html"
    out.write_text(page, encoding="utf-8")
    return out


def _when(summary: Mapping[str, Any], folder: Path) -> str:
    """When the session happened, for people: '24 Nov 2026, 07:39' (local time)."""
    try:
        when = datetime.fromisoformat(str(summary["started_at"]))
    except (KeyError, ValueError):
        when = datetime.fromtimestamp((folder / "summary.json").stat().st_mtime)
    return when.strftime("%d %b %Y, %H:%M")


def _bands(summary: Mapping[str, Any]) -> dict[str, Band]:
    bands = default_bands()
    for code, b in (summary.get("bands") or {}).items():
        if code in bands and isinstance(b, Mapping) and {"fault", "ok"} <= b.keys():
            bands[code] = Band(fault=float(b["fault"]), ok=float(b["ok"]))
    return bands


def _span_s(records: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]) -> float:
    """Seconds of stream time covered (first to last frame plus one frame), not processing time."""
    if not records:
        return 0.0
    fps = float(summary.get("fps") or 30.0)
    return (int(records[-1]["t_ms"]) - int(records[0]["t_ms"])) / 1000.0 + 1.0 / fps


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _clock(t_ms: float) -> str:
    s = int(round(t_ms / 1000.0))
    return f"{s // 60}:{s % 60:02d}"


def _share(share: float | None) -> str:
    """A share as a percentage; a dash when there was nothing to share."""
    return "&ndash;" if share is None else f"{100 * share:.0f}%"


def _secs(s: float) -> str:
    return f"{s:.0f} s" if s >= 9.5 else f"{s:.1f} s"


def summary_lines(tally: Tally, summary: Mapping[str, Any], target: float) -> list[str]:
    """The plain-words summary at the top of the report (HTML-escaped sentences)."""
    hold = summary.get("hold_s") or {}
    lines = []
    for side in SIDES:
        st = tally.sides[side]
        h = float(hold.get(side, 0.0))
        if st.lunge_s <= 0 and h <= 0:
            lines.append(f"<b>{side.capitalize()} leg forward:</b> not done in this session.")
            continue
        share = st.good_share
        done = " &mdash; target reached, well done." if h >= target - 0.05 else "."
        lines.append(f"<b>{side.capitalize()} leg forward:</b> you held the stretch in good form for "
                     f"<b>{_secs(h)}</b> of the {target:g} s target{done} Your form was good "
                     f"<b>{100 * (share or 0):.0f}%</b> of the time you were in the stretch.")
    totals = {f: sum(tally.sides[s].fault_s[f] for s in SIDES) for f in FORM_FAULTS}
    worst = max(totals, key=lambda f: totals[f])
    if totals[worst] > 0:
        lines.append(f"<b>Main thing to work on:</b> {html.escape(FAULT_NAMES[worst])} "
                     f"({_secs(totals[worst])}). Next time: &ldquo;{html.escape(TEXTS.get(worst, ''))}&rdquo;")
    elif any(tally.sides[s].lunge_s > 0 for s in SIDES):
        lines.append("<b>Nothing to fix:</b> no form problems were seen while you held the stretch.")
    det = float(summary.get("detected_fraction") or 0.0)
    seen = f"The camera could see you in <b>{100 * det:.0f}%</b> of the frames"
    lines.append(seen + ("." if det >= 0.9 else ": check that your whole body is in view next time."))
    return lines


def render_html(records: Sequence[Mapping[str, Any]], summary: Mapping[str, Any], target: float,
                bands: Mapping[str, Band], when: str) -> str:
    tally = Tally.of(records)
    cues = list(summary.get("cues") or [])
    esc = html.escape
    parts = ["<h1>Your hip-flexor stretch report</h1>",
             f'<p class="meta">{esc(when)} &middot; {esc(Path(str(summary.get("video", ""))).name)} &middot; '
             f'{_secs(_span_s(records, summary))} long</p>']
    if summary.get("truncated") or summary.get("interrupted"):
        parts.append('<p class="meta">The recording ended early: this report covers the part that was read.</p>')
    if summary.get("pain_stop"):
        t = summary.get("pain_stop_t_ms")
        at = f" at {_clock(float(t))}" if t is not None else ""
        parts.append(f'<div class="pain"><b>You stopped the exercise because it hurt{at}.</b> '
                     "A stretch should never feel sharp or painful. If the pain was sharp, shooting or "
                     "does not settle, see a physiotherapist or doctor before doing it again.</div>")
    parts.append('<div class="summary"><h2>In short</h2><ul>'
                 + "".join(f"<li>{ln}</li>" for ln in summary_lines(tally, summary, target)) + "</ul></div>")
    parts.append(floor_sections(summary))  # rest, ball, the routine; empty for the lunge alone
    if summary.get("exercise") not in ("rest", "ball"):
        parts.append(_side_table(tally, summary, target))
    if records:
        parts.append("<h2>Your hold, and what happened when</h2>")
        parts.append(_img(plots.png(plots.timeline_figure(records, cues, target, FAULT_NAMES)),
                          "hold timer per side and a timeline of good form, faults and cues"))
    parts.append(_cue_table(cues))
    if records:
        parts.append("<h2>Your angles over time</h2><p>Green bands are the good range, red hatched "
                     "bands need fixing. Blue is the left leg forward, orange the right; grey is time "
                     "outside the stretch.</p>")
        parts.append(_img(plots.png(plots.angle_figure(records, bands)),
                          "the six measurements over time with their good ranges"))
    parts.append(_camera_section(tally, summary))
    parts.append(f'<div class="safety"><h2>Safety</h2><p>{esc(SAFETY)}</p></div>')
    parts.append(f'<p class="meta">Made by posecoach {esc(str(summary.get("posecoach_version", "")))} '
                 "on this computer; nothing was sent anywhere. Per-frame numbers: metrics.csv.</p>")
    return PAGE.format(body="\n".join(parts))


def _side_table(tally: Tally, summary: Mapping[str, Any], target: float) -> str:
    hold = summary.get("hold_s") or {}
    head = "".join(f"<th>{s.capitalize()} leg forward</th>" for s in SIDES)
    rows = [("Hold achieved in good form", [f"{_secs(float(hold.get(s, 0.0)))} of {target:g} s"
                                            for s in SIDES]),
            ("Time in the stretch", [_secs(tally.sides[s].lunge_s) for s in SIDES]),
            ("Share of that time in good form",
             [_share(tally.sides[s].good_share) for s in SIDES])]
    for f in FORM_FAULTS:
        rows.append((f"Time with {html.escape(FAULT_NAMES[f])}", [_secs(tally.sides[s].fault_s[f]) for s in SIDES]))
    body = "".join(f"<tr><th scope=row>{name}</th>" + "".join(f"<td>{v}</td>" for v in vals) + "</tr>"
                   for name, vals in rows)
    return f"<h2>Each side</h2><table class=sides><tr><th></th>{head}</tr>{body}</table>"


def _cue_table(cues: Sequence[Mapping[str, Any]]) -> str:
    if not cues:
        return "<h2>What the coach said</h2><p>The coach had nothing to say in this session.</p>"
    rows = "".join(f"<tr><td>{n}</td><td>{_clock(float(c['t_ms']))}</td><td>{html.escape(str(c.get('text', '')))}"
                   f' <span class="code">{html.escape(str(c.get("code", "")))}</span></td></tr>'
                   for n, c in enumerate(cues, 1))
    return ("<h2>What the coach said</h2><table class=cues><tr><th>#</th><th>time</th><th>said</th></tr>"
            f"{rows}</table>")


def _camera_section(tally: Tally, summary: Mapping[str, Any]) -> str:
    det = float(summary.get("detected_fraction") or 0.0)
    frames = summary.get("frames", tally.frames)
    extra = "".join(f"<li>{html.escape(FAULT_NAMES[f]).capitalize()}: {_secs(s)}</li>"
                    for f, s in tally.setup_s.items() if s > 0)
    return ("<h2>How well the camera saw you</h2>"
            f"<p>Detection rate: you were found in <b>{100 * det:.0f}%</b> of the {frames} frames analysed.</p>"
            + (f"<ul>{extra}</ul>" if extra else ""))


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>posecoach report</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       max-width: 1120px; margin: 0 auto; padding: 24px; line-height: 1.45; font-size: 17px; }}
h1 {{ margin-bottom: 0; }} h2 {{ margin-top: 1.6em; border-bottom: 2px solid #e0e0e0; }}
.meta {{ color: #555; font-size: 14px; }}
.summary {{ background: #f1f8e9; border-left: 6px solid #2e7d32; padding: 4px 20px; }}
.summary li {{ margin: 6px 0; }}
.pain {{ background: #ffebee; border-left: 6px solid #c62828; padding: 12px 20px; margin: 12px 0; }}
.safety {{ background: #fff8e1; border-left: 6px solid #f9a825; padding: 4px 20px; margin-top: 2em; }}
table {{ border-collapse: collapse; margin: 8px 0; }}
th, td {{ border: 1px solid #d0d0d0; padding: 6px 12px; text-align: left; vertical-align: top; }}
table.sides td {{ text-align: right; min-width: 150px; }}
.code {{ color: #666; font-size: 12px; font-family: monospace; }}
img {{ max-width: 100%; height: auto; display: block; margin: 8px 0; }}
@media print {{ body {{ font-size: 12pt; }} img {{ page-break-inside: avoid; }} }}
</style></head>
<body>
{body}
</body></html>
"""
