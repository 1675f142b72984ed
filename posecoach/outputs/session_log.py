"""What a run leaves behind, written as it goes. `SessionLog` is the one writer of a folder's
frames.jsonl (every frame, flushed) and summary.json, for `live` and `analyze` alike; `run_summary`
builds summary.json from a session's summary and how the run went. `SessionRecorder` is what a live
session keeps: the log, the raw camera video only when asked (--record), the history rows
(committed every couple of seconds), and at the end report.html and metrics.csv.

Nothing is written outside the session folder and the local history; no video without --record.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecoach import __version__
from posecoach.core.config import Band
from posecoach.core.errors import PosecoachError
from posecoach.outputs.history import History, now_iso
from posecoach.outputs.tally import Tally

if TYPE_CHECKING:
    from posecoach.core.types import Frame, FrameResult
    from posecoach.sessions.protocol import Summary

RAW_VIDEO = "camera.mp4"
FRAMES = "frames.jsonl"
SUMMARY = "summary.json"


class SessionLog:
    """frames.jsonl (one JSON line a frame, flushed, so a crash keeps every judged frame) and, at the
    end, summary.json, in `folder`. One writer for every kind of run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._fh = open(folder / FRAMES, "w", encoding="utf-8")
        except OSError as e:
            raise PosecoachError(f"cannot write to {folder}: {e.strerror or e}") from e

    def write(self, result: "FrameResult") -> dict[str, object]:
        """Append one frame's record; returns it."""
        rec = result.to_record()
        self._fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
        self._fh.flush()
        return rec

    def close(self) -> None:
        self._fh.close()

    def write_summary(self, summary: Mapping[str, object]) -> None:
        (self.folder / SUMMARY).write_text(json.dumps(summary, indent=2), encoding="utf-8")


def run_summary(video: str, fps: float, duration_s: float, session: "Summary", **extra: object) -> dict[str, object]:
    """summary.json of a run: where the frames came from, then the session's own summary, this
    posecoach's version and `extra` (how the run went: truncated, latency, end reason...)."""
    s = session.to_json()
    return {"video": video, "frames": s.pop("frames"), "fps": round(fps, 3), "duration_s": round(duration_s, 3),
            **s, "posecoach_version": __version__, **extra}


class SessionRecorder:
    """`frame(frame, result)` for every analysed frame, `close(summary)` once at the end.

    folder: the session folder (None: keep nothing, not even history). record: also write the raw
    camera frames to folder/camera.mp4 at `fps`. history: add the session to the local history.
    """

    def __init__(self, folder: Path | None, *, source_name: str, hold_target_s: float, fps: float = 30.0,
                 record: bool = False, history: bool = True, report: bool = True,
                 bands: Mapping[str, Band] | None = None, flush_every_ms: int = 2000) -> None:
        self.folder = folder
        self.hold_target_s = hold_target_s
        self.bands = dict(bands) if bands is not None else None
        self.fps = fps
        self.report = report
        self.started_at = now_iso()
        self.tally = Tally()
        self._hold: dict[str, float] = {}
        self._log: SessionLog | None = None
        self._writer: Any = None  # cv2.VideoWriter, opened on the first frame (cv2 only when recording)
        self._raw_t0, self._raw_n = 0, 0  # first frame's t_ms, frames written to the raw video
        self._record = record and folder is not None
        self._history: History | None = None
        self._session_id: int | None = None
        self._flush_every_ms = flush_every_ms
        self._last_flush: int | None = None
        if folder is None:
            return
        self._log = SessionLog(folder)
        if history:
            try:
                self._history = History()
                self._session_id = self._history.start_session("live", source_name, folder, self.started_at)
            except (PosecoachError, OSError) as e:
                print(f"posecoach: this session will not be added to the history ({e})", file=sys.stderr)
                self._history = None

    def frame(self, frame: "Frame", result: "FrameResult") -> None:
        rec = self._log.write(result) if self._log is not None else result.to_record()
        if self._record:
            self._write_raw(frame)
        self.tally.add(rec)
        self._hold = dict(result.hold_s)
        if self._last_flush is None or frame.t_ms - self._last_flush >= self._flush_every_ms:
            self._save_history()
            self._last_flush = frame.t_ms

    def _write_raw(self, frame: "Frame") -> None:
        """Frames go in at a fixed rate; a frame the live loop skipped (it keeps only the latest)
        is filled by repeating the previous one, so the video plays at the session's real pace."""
        import cv2
        assert self.folder is not None
        if self._writer is None:
            h, w = frame.image.shape[:2]
            self._writer = cv2.VideoWriter(str(self.folder / RAW_VIDEO), cv2.VideoWriter.fourcc(*"mp4v"),
                                           self.fps, (w, h))
            self._raw_t0, self._raw_n = frame.t_ms, 0
        due = int(round((frame.t_ms - self._raw_t0) * self.fps / 1000.0)) + 1
        for _ in range(max(1, due - self._raw_n)):
            self._writer.write(frame.image)
            self._raw_n += 1

    def _save_history(self) -> None:
        if self._history is None or self._session_id is None:
            return
        try:
            self._history.save_progress(self._session_id, self.tally, self._hold, self.hold_target_s)
        except Exception as e:  # a full disk or locked file must not stop the coaching
            print(f"posecoach: could not update the history ({e}); the session log is still kept",
                  file=sys.stderr)
            self._history = None

    def close(self, summary: dict[str, object]) -> Path | None:
        """Finish everything; returns the report's path when one was written. Adds started_at,
        hold_target_s and the fault bands used to `summary` (and writes it as summary.json)."""
        summary.setdefault("started_at", self.started_at)
        summary.setdefault("hold_target_s", self.hold_target_s)
        if self.bands is not None:
            summary.setdefault("bands", {k: {"fault": b.fault, "ok": b.ok} for k, b in self.bands.items()})
        if self._writer is not None:
            self._writer.release()
        if self._log is not None:
            self._log.close()
        self._save_history()
        if self._history is not None and self._session_id is not None:
            try:
                self._history.finish_session(self._session_id, str(summary.get("end_reason", "")),
                                             bool(summary.get("pain_stop")))
            except Exception as e:
                print(f"posecoach: could not update the history ({e})", file=sys.stderr)
            self._history.close()
        if self._log is None or self.folder is None:
            return None
        self._log.write_summary(summary)
        if not self.report or self.tally.frames == 0:
            return None
        try:
            from posecoach.outputs.report import write_report
            return write_report(self.folder, hold_target_s=self.hold_target_s)
        except Exception as e:  # the session is saved; a failed report is a notice, not a crash
            print(f"posecoach: could not write the report ({e})", file=sys.stderr)
            return None
