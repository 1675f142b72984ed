"""The HTML report and metrics.csv, from hand-built frame records whose times are known."""
from __future__ import annotations

import base64
import csv
import re
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest
from record_builders import left_then_right, summary_for, write_analysis

from posecoach.core.errors import PosecoachError
from posecoach.core.types import METRIC_NAMES
from posecoach.outputs.report import load_analysis, write_metrics_csv, write_report
from posecoach.outputs.tally import Tally

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Tables(HTMLParser):
    """Every table row's cell texts, and the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse(page: str) -> _Tables:
    p = _Tables()
    p.feed(page)
    return p


def test_tally_splits_time_by_side_and_fault() -> None:
    t = Tally.of(left_then_right())
    left, right = t.sides["left"], t.sides["right"]
    assert left.lunge_s == pytest.approx(10.0)
    assert left.good_s == pytest.approx(6.0)
    assert left.fault_s["HIPS_FORWARD"] == pytest.approx(4.0)
    assert sum(left.fault_s.values()) == pytest.approx(4.0)
    assert left.good_share == pytest.approx(0.6)
    assert left.main_fault() == "HIPS_FORWARD"
    assert right.lunge_s == pytest.approx(4.0) and right.good_share == pytest.approx(1.0)
    assert right.main_fault() is None
    assert t.setup_s["NO_PERSON"] == pytest.approx(0.9)
    assert t.total_s == pytest.approx(14.9) and t.detected_s == pytest.approx(14.0)


def test_report_embeds_decodable_plots_and_the_numbers(tmp_path) -> None:
    recs = left_then_right()
    folder = write_analysis(tmp_path / "clip", recs, summary_for(recs))
    page = write_report(folder, hold_target_s=30).read_text(encoding="utf-8")

    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2  # the hold/timeline figure and the angle plots
    for b64 in images:
        data = base64.b64decode(b64, validate=True)
        assert data[:8] == PNG_MAGIC
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[0] > 400 and img.shape[1] > 800
        assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50  # drawn, not blank
    # self-contained: nothing fetched from elsewhere
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<script" not in page and "<link" not in page

    doc = parse(page)
    rows = {r[0]: r[1:] for r in doc.rows if r}
    assert rows["Hold achieved in good form"] == ["5.9 s of 30 s", "3.9 s of 30 s"]
    assert rows["Time in the stretch"] == ["10 s", "4.0 s"]
    assert rows["Share of that time in good form"] == ["60%", "100%"]
    assert rows["Time with hips pushed forward (lunging too deep)"] == ["4.0 s", "0.0 s"]
    assert rows["Time with front knee past the ankle"] == ["0.0 s", "0.0 s"]
    # cue timeline: number, clock time, what was said
    assert ["1", "0:01", "Good. Hold it there and breathe. HOLD_START"] in doc.rows
    assert ["2", "0:07", "Don't lunge deeper. Ease your hips back. HIPS_FORWARD"] in doc.rows
    text = " ".join(" ".join(doc.text).split())
    assert "you held the stretch in good form for 5.9 s of the 30 s target" in text
    assert "Main thing to work on: hips pushed forward (lunging too deep) (4.0 s)" in text
    assert "you were found in 93% of the 150 frames analysed" in text
    assert "Out of the camera's view: 0.9 s" in text
    assert "not diagnosis" in text


def test_report_for_a_short_one_sided_session_with_pain_stop(tmp_path) -> None:
    recs = left_then_right()[:40]
    summary = summary_for(recs, pain_stop=True, pain_stop_t_ms=3900, hold_target_s=45)
    folder = write_analysis(tmp_path / "s", recs, summary)
    text = " ".join(" ".join(parse(write_report(folder).read_text(encoding="utf-8")).text).split())
    assert "You stopped the exercise because it hurt at 0:04." in text
    assert "Right leg forward: not done in this session." in text
    assert "2.9 s of the 45 s target" in text  # the summary's own target when none is given
    assert "Nothing to fix" in text


def test_metrics_csv_has_one_row_per_frame_and_the_metric_columns(tmp_path) -> None:
    recs = left_then_right()
    path = write_metrics_csv(recs, tmp_path / "metrics.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(recs)
    assert set(METRIC_NAMES) <= set(rows[0])
    assert [int(r["frame"]) for r in rows] == [r["frame"] for r in recs]
    assert rows[80]["back_hip_extension_deg"] == "30.0" and rows[80]["faults"] == "HIPS_FORWARD"
    assert rows[80]["front_side"] == "left" and rows[80]["time_s"] == "8.000"
    assert rows[5]["front_knee_angle_deg"] == "" and rows[5]["person"] == "0"  # not measurable = blank
    assert rows[20]["pelvic_tilt_deg"] == ""
    assert rows[10]["cue"] == "HOLD_START" and float(rows[-1]["hold_right_s"]) == pytest.approx(3.9)


def test_a_log_cut_off_mid_line_still_reports_what_was_whole(tmp_path) -> None:
    recs = left_then_right()
    folder = write_analysis(tmp_path / "crash", recs, summary_for(recs))
    with open(folder / "frames.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"frame": 150, "t_ms": 15')
    records, _ = load_analysis(folder)
    assert len(records) == len(recs)
    assert write_report(folder).is_file()


def test_not_an_analysis_folder_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(PosecoachError, match="not an analysis folder"):
        write_report(tmp_path)


def test_good_bands_follow_the_fault_bands_a_plan_sets() -> None:
    from posecoach.core.config import Band, default_bands
    from posecoach.outputs.plots import good_band
    from posecoach.outputs.report import _bands

    bands = {**default_bands(), "FOOT_TOO_FAR": Band(fault=110.0, ok=95.0), "LEANING_FORWARD": Band(fault=15.0, ok=5.0)}
    assert good_band("front_knee_angle_deg", bands) == (85.0, 95.0, 110.0)  # mirrored about 90
    assert good_band("trunk_lean_deg", bands) == (-5.0, 5.0, 15.0)
    assert good_band("back_hip_extension_deg", bands) == (0.0, 10.0, 22.0)
    lo, hi, bad = good_band("pelvic_tilt_deg", bands)
    assert lo == float("-inf") and (hi, bad) == (0.0, 8.0)
    lo, hi, bad = good_band("knee_ahead_of_ankle", bands)
    assert (lo, hi, bad) == pytest.approx((-0.1051, 0.1051, 0.2679), abs=1e-4)  # tan 6 deg, tan 15 deg
    # a session's summary carries the bands it was judged by
    parsed = _bands({"bands": {"FOOT_TOO_FAR": {"fault": 110, "ok": 95}, "BOGUS": {"fault": 1, "ok": 0}}})
    assert parsed["FOOT_TOO_FAR"] == Band(110.0, 95.0) and "BOGUS" not in parsed
