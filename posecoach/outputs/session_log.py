"""What a run leaves behind, written as it goes. `SessionLog` is the one writer of a folder's
frames.jsonl (every frame, flushed) and summary.json, for `live` and `analyze` alike; `run_summary`
builds summary.json from a session's summary and how the run went. `SessionRecorder` is what a live
session keeps: the log, the raw camera video only when asked (--record), the history rows
(committed every couple of seconds), and at the end report.html and metrics.csv.

A hard kill (SIGKILL, power loss) at any moment leaves a readable session: every frames.jsonl line
is flushed whole (a torn last line is skipped by every reader), the history row exists from the
first frame, and the camera video is Motion-JPEG AVI (outputs.avi), which plays up to its last
frame without the index a clean close writes. The log and the video are synced to the disk with
the history's commits (every couple of seconds of stream time). `posecoach report DIR` rebuilds
summary.json and the report of a killed session from its frame log (outputs.rebuild). A disk that
fills up stops the session with one line (StorageError); what was written stays readable.

Nothing is written outside the session folder and the local history; no video without --record.
"""
from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from posecoach import __version__
from posecoach.core.config import Band
from posecoach.core.errors import PosecoachError
from posecoach.outputs.avi import RecordingWriter
from posecoach.outputs.history import History, now_iso
from posecoach.outputs.tally import Tally

if TYPE_CHECKING:
    from posecoach.core.types import Frame, FrameResult
    from posecoach.sessions.protocol import Summary

RAW_VIDEO = "camera.avi"  # the first file of the recording (outputs.avi: camera-2.avi, ... after 1 GiB)
RAW_JPEG_QUALITY = 80  # 640x480: ~30 KB a frame, ~55 MB a minute at 30 fps
FRAMES = "frames.jsonl"
SUMMARY = "summary.json"


class StorageError(PosecoachError):
    """The session's folder cannot be written any more (a full disk, a removed drive)."""

    @classmethod
    def of(cls, e: OSError, folder: Path) -> "StorageError":
        why = "the disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else (e.strerror or str(e))
        return cls(f"cannot save the session any more ({why}): it was stopped; what was saved is kept in "
                   f"{folder} (after freeing space, `posecoach report {folder}` rebuilds its summary and report)")


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
        """Append one frame's record (one write of a whole line, flushed); returns it. A write the
        disk refuses raises StorageError."""
        rec = result.to_record()
        try:
            self._fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
            self._fh.flush()
        except OSError as e:
            raise StorageError.of(e, self.folder) from e
        return rec

    def sync(self) -> None:
        """What was flushed, to the disk too (a power cut keeps it)."""
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        try:
            self._fh.close()
        except OSError:  # the last flush on a full disk: what was flushed before is kept
            pass

    def write_summary(self, summary: Mapping[str, object]) -> None:
        """summary.json, whole or not at all (written beside it, then renamed over it)."""
        write_json_atomic(self.folder / SUMMARY, summary)


def write_json_atomic(path: Path, data: Mapping[str, object]) -> None:
    """`path` holds the old content or the new, never half of it, whenever the process is killed."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
        self._writer: RecordingWriter | None = None  # opened on the first frame
        self._raw_t0, self._raw_n = 0, 0  # first frame's t_ms, frames written to the raw video
        self.failed: StorageError | None = None  # the disk refused a write: the session stops
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
        """Log one frame (and record it); raises StorageError when the disk refuses."""
        try:
            rec = self._log.write(result) if self._log is not None else result.to_record()
            if self._record:
                self._write_raw(frame)
        except StorageError as e:
            self.failed = e
            raise
        except OSError as e:
            assert self.folder is not None
            self.failed = StorageError.of(e, self.folder)
            raise self.failed from e
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
            self._writer = RecordingWriter(self.folder, Path(RAW_VIDEO).stem, self.fps)
            self._raw_t0, self._raw_n = frame.t_ms, 0
        ok, jpeg = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, RAW_JPEG_QUALITY])
        if not ok:
            return
        h, w = frame.image.shape[:2]
        data = jpeg.tobytes()
        due = int(round((frame.t_ms - self._raw_t0) * self.fps / 1000.0)) + 1
        for _ in range(max(1, due - self._raw_n)):
            self._writer.write(data, w, h)
            self._raw_n += 1

    def _save_history(self) -> None:
        try:  # the frames and video written so far reach the disk with each history commit
            if self._log is not None:
                self._log.sync()
            if self._writer is not None:
                self._writer.sync()
        except (OSError, ValueError):
            pass
        if self._history is None or self._session_id is None:
            return
        try:
            self._history.save_progress(self._session_id, self.tally, self._hold, self.hold_target_s)
        except Exception as e:  # a full disk or locked file must not stop the coaching
            if self.failed is None:
                print(f"posecoach: could not update the history ({e}); the session log is still kept",
                      file=sys.stderr)
            self._history.close()
            self._history = None

    def close(self, summary: dict[str, object]) -> Path | None:
        """Finish everything; returns the report's path when one was written. Adds started_at,
        hold_target_s and the fault bands used to `summary` (and writes it as summary.json).
        After a StorageError each step is tried quietly: the error's one line says it all."""
        summary.setdefault("started_at", self.started_at)
        summary.setdefault("hold_target_s", self.hold_target_s)
        if self.bands is not None:
            summary.setdefault("bands", {k: {"fault": b.fault, "ok": b.ok} for k, b in self.bands.items()})
        quiet = self.failed is not None
        self._save_history()
        try:
            if self._writer is not None:
                self._writer.close()
        except OSError:
            pass
        if self._log is not None:
            self._log.close()
        self._finish_history(summary)
        if self._log is None or self.folder is None:
            return None
        try:
            self._log.write_summary(summary)
        except OSError as e:
            if quiet:
                return None
            raise StorageError.of(e, self.folder) from e
        if not self.report or self.tally.frames == 0:
            return None
        try:
            from posecoach.outputs.report import write_report
            return write_report(self.folder, hold_target_s=self.hold_target_s)
        except Exception as e:  # the session is saved; a failed report is a notice, not a crash
            if not quiet:
                print(f"posecoach: could not write the report ({e})", file=sys.stderr)
            return None

    def _finish_history(self, summary: Mapping[str, object]) -> None:
        if self._history is None or self._session_id is None:
            return
        try:
            self._history.finish_session(self._session_id, str(summary.get("end_reason", "")),
                                         bool(summary.get("pain_stop")))
        except Exception as e:
            if self.failed is None:
                print(f"posecoach: could not update the history ({e})", file=sys.stderr)
        self._history.close()
