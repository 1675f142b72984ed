"""`posecoach live` and `routine`: a session on a camera (or a video standing in for one), with a
window, a voice and the person's requests (keys; ui.actions).

The loop reads like the pipeline: frame -> pose -> judgement -> cue -> voice and picture. The
session log (frames.jsonl + summary.json, posecoach.outputs.session_log) and its history rows are
written as it goes, so Ctrl+C, a closed window or a crash mid-session loses nothing; report.html
is written at the end. No video is written unless asked (record).
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from posecoach.control.commands import (
    END,
    NEXT_EXERCISE,
    PAIN_STOP,
    PAUSE,
    RESUME,
    START,
    SWITCH_SIDE,
    Command,
)
from posecoach.core.config import Settings
from posecoach.core.cues import PRIORITY, cue_text
from posecoach.core.protocol import Phase, View
from posecoach.core.types import Cue, Frame, FrameNotes, FrameResult, Metrics, Pose
from posecoach.outputs.session_log import SessionRecorder, StorageError, run_summary
from posecoach.outputs.speaker import Speaker
from posecoach.sessions.protocol import ExerciseSession
from posecoach.ui import screens
from posecoach.ui.actions import KEYS, MUTE
from posecoach.ui.hands_free import HandsFree, Mode
from posecoach.ui.overlay import annotate
from posecoach.ui.safety import pain_text
from posecoach.vision.sources import LatestFrameSource

WINDOW = "posecoach"
CUE_ON_SCREEN_MS = 4000
PAIN_SCREEN_S = 60.0  # the pain screen stays until a key, or this long
END_SCREEN_S = 8.0  # the end screen stays until a key, or this long


@dataclass
class LiveOptions:
    window: bool = True
    mute: bool = False
    mirror: bool = False
    large: bool = False
    session_dir: Path | None = None
    settings: Settings = field(default_factory=Settings)
    strings: dict[str, str] | None = None
    max_seconds: float | None = None
    show_safety: bool = False  # show the safety screen even if it was acknowledged before
    record: bool = False      # write the raw camera video into the session folder (privacy: off)
    history: bool = True      # add the session to the local history (needs session_dir)
    report: bool = True       # write report.html + metrics.csv into the session folder at the end
    mic: str | None = None    # voice commands: a WAV standing in for the microphone, a device, "default"
    wait_for_start: bool = False  # wait for a raised hand (or SPACE) before coaching starts


def display_available() -> bool:
    """Whether a window can be opened (Linux needs an X or Wayland display)."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def run_live(session: ExerciseSession, source: LatestFrameSource, opts: LiveOptions) -> dict[str, Any]:
    """Run `session` on `source` until the stream ends, the person ends it or the session is done;
    returns summary.json's content. Closes the source and the session."""
    return LiveLoop(session, source, opts).run()


class LiveLoop:
    """One live session: `run()` once."""

    def __init__(self, session: ExerciseSession, source: LatestFrameSource, opts: LiveOptions) -> None:
        self.session, self.source, self.opts = session, source, opts
        self.window = opts.window and display_available()
        if opts.window and not self.window:
            print("posecoach: no display found, running without a window (--no-window)", file=sys.stderr)
        coach = opts.settings.coach
        try:
            self.recorder = SessionRecorder(opts.session_dir, source_name=source.name, fps=source.fps,
                                            hold_target_s=coach.hold_s, record=opts.record, history=opts.history,
                                            report=opts.report, bands=opts.settings.bands)
        except BaseException:
            source.close()
            session.close()
            raise
        self.voice = Speaker(enabled=not opts.mute and coach.voice, language=coach.language)
        self.hands = HandsFree(opts.mic, self.voice.speaking)
        self.mode: Mode = "waiting" if opts.wait_for_start else "running"
        self.cv2: ModuleType | None = None
        self.latencies: list[float] = []
        self.span: tuple[int, int] | None = None  # stream time (t_ms) of the first and the latest frame taken
        self.commands: list[Command] = []
        self.last_cue: Cue | None = None
        self.fps: float | None = None
        self.frame_size = screens.DEFAULT_SIZE
        self.started = time.monotonic()

    def run(self) -> dict[str, Any]:
        self._open_window()
        agreed = screens.safety_gate(WINDOW if self.window else None, force=self.opts.show_safety,
                                     large=self.opts.large)
        end_reason = "stream ended" if agreed else "quit"
        try:
            for frame in (self.source if agreed else ()):
                ended = self._step(frame)
                if ended is not None:
                    end_reason = ended
                    break
        except KeyboardInterrupt:
            end_reason = "interrupted"
        except StorageError:  # the disk is full: its one line comes from the command
            end_reason = "disk full"
            raise
        except Exception as e:  # saved below, then raised: a crash loses no session
            end_reason = f"error ({type(e).__name__})"
            raise
        finally:
            summary = self._finish(end_reason)
        if getattr(self.source, "lost", False):
            print("posecoach: the camera stopped delivering frames; the session was saved", file=sys.stderr)
        return summary

    def _open_window(self) -> None:
        if not self.window:
            return
        import cv2
        self.cv2 = cv2
        # No toolbar (GUI_NORMAL): the picture is the whole window; KEEPRATIO letterboxes it.
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        if self.opts.large:
            cv2.setWindowProperty(WINDOW, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        else:
            cv2.resizeWindow(WINDOW, *screens.DEFAULT_SIZE)

    def _step(self, frame: Frame) -> str | None:
        """One frame: judge it (unless waiting or paused), say its cue, log and show it, take the
        person's requests. Returns why the session ends now, or None to go on."""
        t_in = frame.captured_s or time.monotonic()  # latency = capture to cue
        if self.span is None:
            self._begin()
        self.span = (self.span[0] if self.span else frame.t_ms, frame.t_ms)
        result = None
        if self.mode == "running":
            result = self.session.process(frame)
            if result.cue is not None:
                self.last_cue = result.cue
                self.voice.say(result.cue.text)
            pose = result.pose or Pose.empty(frame.size)
        else:  # nothing is judged, but the pose is read: a raised hand starts or resumes
            pose = self.session.ctx.estimator.detect(frame)
        self.latencies.append((time.monotonic() - t_in) * 1000.0)
        if result is not None:
            self.recorder.frame(frame, result)  # after the cue: the log's disk writes never delay it
        if len(self.latencies) >= 2:
            self.fps = self.session.frames / max(time.monotonic() - self.started, 1e-3)
        for command in self.hands.update(pose, frame.t_ms, self.mode, self.session.move_on()):
            ended = self.apply(command)
            if ended is not None:
                return ended
        if self.cv2 is not None:
            ended = self._show(frame, result or self._idle(frame, pose))
            if ended is not None:
                return ended
        if self.session.phase == Phase.DONE:
            return "done"
        if self.opts.max_seconds is not None and time.monotonic() - self.started > self.opts.max_seconds:
            return "time limit"
        return None

    def _begin(self) -> None:
        """The first frame: share the video's clock with the microphone; when waiting, say how to
        start and to control the session from the mat."""
        self.hands.start(getattr(self.source, "clock_origin", None), getattr(self.source, "speed", 1.0))
        if self.mode == "waiting":
            codes = ["CMD_HOW", *(["CMD_HOW_VOICE"] if self.hands.listening else []), "CMD_READY"]
            self.voice.say(" ".join(cue_text(c, self.opts.strings) for c in codes))

    def _idle(self, frame: Frame, pose: Pose) -> FrameResult:
        """What the window shows while nothing is judged: the person, WAITING or PAUSED."""
        phase = Phase.WAITING if self.mode == "waiting" else Phase.PAUSED
        return FrameResult(frame=frame.index, t_ms=frame.t_ms, person=pose.present, view=View.UNKNOWN,
                           front_side=None, phase=phase, metrics=Metrics(), faults=[], cue=None,
                           hold_s={"left": 0.0, "right": 0.0}, pose=pose, notes=FrameNotes())

    def _show(self, frame: Frame, result: FrameResult) -> str | None:
        """Draw the frame and read a key; returns an end reason when the person ends the session."""
        cv2, last = self.cv2, self.last_cue
        assert cv2 is not None
        text = last.text if last and frame.t_ms - last.t_ms < CUE_ON_SCREEN_MS else None
        if text is None and self.mode != "running":
            text = cue_text("CMD_READY" if self.mode == "waiting" else "CMD_PAUSE", self.opts.strings)
        if self.frame_size != frame.size and not self.opts.large:
            cv2.resizeWindow(WINDOW, *screens.fit_size(frame.size))
        self.frame_size = frame.size
        cv2.imshow(WINDOW, annotate(frame.image, result, text, self.fps, mirror=self.opts.mirror,
                                    large=self.opts.large, muted=self.voice.muted,
                                    cue_code=last.code if text and last else None,
                                    target_s=self.opts.settings.coach.hold_s))
        key = KEYS.get(cv2.waitKey(1) & 0xFF)
        if key == MUTE:
            self.voice.muted = not self.voice.muted
        elif key is not None:
            if key == PAUSE:  # space: start, pause or go on, whichever is next
                key = {"waiting": START, "running": PAUSE, "paused": RESUME}[self.mode]
            ended = self.apply(Command(frame.t_ms, key, "key"))
            if ended is not None:
                return ended
        if cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1:
            return "window closed"
        return None

    def apply(self, command: Command) -> str | None:
        """Carry out a request (a key, a gesture, a spoken word) and confirm it by voice and on
        screen; returns an end reason when it ends the session."""
        self.commands.append(command)
        c, t = command.command, command.t_ms
        if c == PAIN_STOP:
            self._pain_stop(t)
            return "pain"
        if c == END:
            self._confirm("CMD_END", t)
            return "quit"
        if c == SWITCH_SIDE:
            self.session.switch_side()
        elif c == NEXT_EXERCISE:
            self.session.next_exercise(t)
        self.mode = "paused" if c == PAUSE else "running"  # start, resume, and moving on all go on
        self._confirm(f"CMD_{c.upper()}", t)
        return None

    def _confirm(self, code: str, t_ms: int) -> None:
        cue = Cue(code=code, text=cue_text(code, self.opts.strings), t_ms=t_ms, priority=PRIORITY.get(code, 0))
        self.last_cue = cue
        self.voice.say(cue.text)

    def _pain_stop(self, t_ms: int) -> None:
        cue = self.session.stop_for_pain(t_ms)
        self.voice.say_now(f"{cue.text} {cue_text('PAIN_ADVICE', self.opts.strings)}")
        print(pain_text(), flush=True)
        if self.cv2 is not None:
            page = screens.pain_page(screens.window_size(WINDOW, self.frame_size), large=True)
            screens.show_page(WINDOW, page, timeout_s=PAIN_SCREEN_S)

    def _finish(self, end_reason: str) -> dict[str, Any]:
        """Close everything in order; the summary is written whatever happened."""
        self.source.close()
        self.hands.close()
        self.session.close()
        summary = self._summary(end_reason)
        report = self.recorder.close(summary)
        if report is not None:
            summary["report"] = str(report)
        if self.cv2 is not None:
            if end_reason in ("done", "stream ended", "time limit"):
                page = screens.end_page(summary, screens.window_size(WINDOW, self.frame_size), self.opts.large)
                screens.show_page(WINDOW, page, timeout_s=END_SCREEN_S)
            self.cv2.destroyAllWindows()
        self.voice.close()
        return summary

    def _summary(self, end_reason: str) -> dict[str, Any]:
        """summary.json: `duration_s` is stream time (first to latest frame taken, plus one frame),
        not the time spent computing."""
        src, span, lat = self.source, self.span, sorted(self.latencies)

        def p(q: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(q * len(lat)))], 2) if lat else None

        duration = (span[1] - span[0]) / 1000.0 + 1.0 / max(src.fps, 1e-3) if span else 0.0
        return run_summary(
            src.name, src.fps, duration, self.session.summary(), dropped_frames=src.dropped,
            latency_ms={"p50": p(0.5), "p95": p(0.95), "max": round(lat[-1], 2) if lat else None,
                        "p95_by_quarter": latency_trend(self.latencies)},
            end_reason=end_reason, commands=[c.as_dict() for c in self.commands],
            voice={"engine": self.voice.engine_name, "muted": self.voice.muted})


def latency_trend(latencies: list[float], parts: int = 4) -> list[float]:
    """p95 latency (ms) of each successive part of the session: a backlog would make it climb."""
    n = len(latencies) // parts
    if n < 5:
        return []
    out = []
    for i in range(parts):
        chunk = sorted(latencies[i * n:(i + 1) * n])
        out.append(round(chunk[int(0.95 * (len(chunk) - 1))], 2))
    return out
