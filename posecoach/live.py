"""`posecoach live`: the coach on a camera (or a video standing in for one), with a window.

The loop reads like the pipeline: frame -> pose -> judgement -> cue -> voice and picture. The
session log (frames.jsonl + summary.json, posecoach.outputs.session_log) and its history rows are
written as it goes, so Ctrl+C, a closed window or a crash mid-session loses nothing; report.html
is written at the end. No video is written unless asked (record).
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from posecoach import __version__
from posecoach.config import Settings
from posecoach.errors import SourceError
from posecoach.outputs.session_log import SessionRecorder
from posecoach.messages import cue_text
from posecoach import screens
from posecoach.overlay import annotate
from posecoach.safety import pain_text
from posecoach.pipeline import Session
from posecoach.sources import CameraSource, LatestFrameSource, PacedVideoSource, list_cameras

WINDOW = "posecoach"
CUE_ON_SCREEN_MS = 4000
PAIN_SCREEN_S = 60.0  # the pain screen stays until a key, or this long
END_SCREEN_S = 8.0  # the end screen stays until a key, or this long


@dataclass
class LiveOptions:
    camera: int | str = 0
    video: Path | None = None
    window: bool = True
    mute: bool = False
    mirror: bool = False
    large: bool = False
    speed: float = 1.0
    session_dir: Path | None = None
    settings: Settings = field(default_factory=Settings)
    strings: dict[str, str] | None = None
    max_seconds: float | None = None
    show_safety: bool = False  # show the safety screen even if it was acknowledged before
    record: bool = False      # write the raw camera video into the session folder (privacy: off)
    history: bool = True      # add the session to the local history (needs session_dir)
    report: bool = True       # write report.html + metrics.csv into the session folder at the end
    session_factory: Callable[..., Session] | None = None  # another session, e.g. the routine


def live_pelvis(opts: LiveOptions) -> object | None:
    """The pelvic-tilt estimator for a live session: a camera gets the guided calibration; a video
    standing in for one cannot follow the cues, so it is measured uncalibrated (stricter cueing)."""
    if opts.settings.plain:
        return None
    from posecoach.pelvis import PelvisTilt
    return PelvisTilt(guided=opts.video is None)


def display_available() -> bool:
    """Whether a window can be opened (Linux needs an X or Wayland display)."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def default_sample_video() -> Path | None:
    """The demo clip shipped inside the package (posecoach/data/demo), to run when there is no
    camera: found through importlib.resources, so an installed wheel finds it from any folder."""
    from importlib import resources
    demo = resources.files("posecoach") / "data" / "demo" / "lunge_good_left.mp4"
    return Path(str(demo)) if demo.is_file() else None


def open_live_source(opts: LiveOptions) -> LatestFrameSource:
    if opts.video is not None:
        return PacedVideoSource(opts.video, speed=opts.speed)
    return CameraSource(opts.camera)


class Voice:
    """Speech for cues (posecoach.outputs.voice: a worker thread, never blocks this loop).

    `muted` (key m, --mute, a plan's voice = false) silences it; muting also cuts off what is
    being said. Without a speech engine cues are printed, after a one-line notice.
    """

    def __init__(self, enabled: bool, language: str = "en") -> None:
        from posecoach.outputs.voice import make_voice
        self._muted = not enabled
        self._engine = make_voice(language=language)

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = value
        if value:
            self._engine.cancel()

    @property
    def engine_name(self) -> str:
        return self._engine.name

    def say(self, text: str) -> None:
        if not self._muted:
            self._engine.say(text)

    def say_now(self, text: str) -> None:
        """Cut off whatever is being said and say this, even when muted (the pain stop)."""
        self._engine.cancel()
        self._engine.say(text)

    def close(self) -> None:
        self._engine.close()


def run_live(opts: LiveOptions) -> dict:
    """Run the live coach until the stream ends, q is pressed or the hold plan is done."""
    source = open_live_source(opts)
    window = opts.window and display_available()
    if opts.window and not window:
        print("posecoach: no display found, running without a window (--no-window)", file=sys.stderr)
    if opts.session_factory is not None:
        session = opts.session_factory(settings=opts.settings, strings=opts.strings)
    else:  # the kneeling lunge: pelvic tilt calibrated by a guided capture (a camera can follow cues)
        session = Session(settings=opts.settings, strings=opts.strings, pelvis=live_pelvis(opts))
    voice = Voice(enabled=not opts.mute and opts.settings.coach.voice, language=opts.settings.coach.language)
    recorder = SessionRecorder(opts.session_dir, source_name=source.name, fps=source.fps,
                               hold_target_s=opts.settings.coach.hold_s, record=opts.record,
                               history=opts.history, report=opts.report, bands=opts.settings.bands)
    cv2 = None
    if window:
        import cv2
        # No toolbar (GUI_NORMAL): the picture is the whole window; KEEPRATIO letterboxes it.
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        if opts.large:
            cv2.setWindowProperty(WINDOW, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        else:
            cv2.resizeWindow(WINDOW, *screens.DEFAULT_SIZE)
    agreed = screens.safety_gate(WINDOW if window else None, force=opts.show_safety, large=opts.large)
    latencies: list[float] = []
    stream_span: tuple[int, int] | None = None  # stream time (t_ms) of the first and the latest frame taken
    fps = None
    last_cue = None
    paused = False
    started = time.monotonic()
    end_reason = "stream ended" if agreed else "quit"
    frame_size = screens.DEFAULT_SIZE
    try:
        for frame in (source if agreed else ()):
            t_in = frame.captured_s or time.monotonic()  # latency = capture to cue
            stream_span = (stream_span[0] if stream_span else frame.t_ms, frame.t_ms)
            if paused:
                result = None
            else:
                result = session.process(frame)
                if result.cue is not None:
                    last_cue = result.cue
                    voice.say(result.cue.text)
            latencies.append((time.monotonic() - t_in) * 1000.0)
            if result is not None:
                recorder.frame(frame, result)  # after the cue: the log's disk writes never delay it
            n = len(latencies)
            if n >= 2:
                span = max(time.monotonic() - started, 1e-3)
                fps = session.frames / span
            if window and cv2 is not None and result is not None:
                text = last_cue.text if last_cue and frame.t_ms - last_cue.t_ms < CUE_ON_SCREEN_MS else None
                if frame_size != frame.size and not opts.large:
                    cv2.resizeWindow(WINDOW, *screens.fit_size(frame.size))
                frame_size = frame.size
                cv2.imshow(WINDOW, annotate(frame.image, result, text, fps, mirror=opts.mirror,
                                            large=opts.large, muted=voice.muted,
                                            cue_code=last_cue.code if text and last_cue else None,
                                            target_s=opts.settings.coach.hold_s))
                key = cv2.waitKey(1) & 0xFF
                if key == ord("q") or key == 27:
                    end_reason = "quit"
                    break
                if key == ord(" "):
                    paused = not paused
                elif key == ord("m"):
                    voice.muted = not voice.muted
                elif key == ord("s"):
                    session.coach.switch_side()
                elif key == ord("n") and hasattr(session, "next_exercise"):
                    session.next_exercise(frame.t_ms)  # the routine: move on
                elif key == ord("p"):
                    cue = session.stop_for_pain(frame.t_ms)
                    voice.say_now(f"{cue.text} {cue_text('PAIN_ADVICE', opts.strings)}")
                    end_reason = "pain"
                    print(pain_text(), flush=True)
                    screens.show_page(WINDOW, screens.pain_page(screens.window_size(WINDOW, frame_size), large=True), timeout_s=PAIN_SCREEN_S)
                    break
                if cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1:
                    end_reason = "window closed"
                    break
            if session.coach.phase == "done":
                end_reason = "done"
                break
            if opts.max_seconds is not None and time.monotonic() - started > opts.max_seconds:
                end_reason = "time limit"
                break
    except KeyboardInterrupt:
        end_reason = "interrupted"
    except Exception as e:  # saved below, then raised: a crash loses no session
        end_reason = f"error ({type(e).__name__})"
        raise
    finally:
        source.close()
        session.close()
        summary = live_summary(session, source, latencies, end_reason, stream_span)
        summary["voice"] = {"engine": voice.engine_name, "muted": voice.muted}
        report = recorder.close(summary)
        if report is not None:
            summary["report"] = str(report)
        if window and cv2 is not None:
            if end_reason in ("done", "stream ended", "time limit"):
                screens.show_page(WINDOW, screens.end_page(summary, screens.window_size(WINDOW, frame_size), opts.large), timeout_s=END_SCREEN_S)
            cv2.destroyAllWindows()
        voice.close()
    if getattr(source, "lost", False):
        print("posecoach: the camera stopped delivering frames; the session was saved", file=sys.stderr)
    return summary


def live_summary(session: Session, source: LatestFrameSource, latencies: list[float], end_reason: str,
                 span: tuple[int, int] | None = None) -> dict:
    """The session's summary.json; `duration_s` is stream time (first to latest frame taken, plus one
    frame), not the time spent computing."""
    lat = sorted(latencies)
    p = (lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))], 2)) if lat else (lambda q: None)
    s = session.summary()
    return {
        "video": source.name,
        "fps": round(source.fps, 3),
        "duration_s": round((span[1] - span[0]) / 1000.0 + 1.0 / max(source.fps, 1e-3), 3) if span else 0.0,
        **s,
        "dropped_frames": source.dropped,
        "latency_ms": {"p50": p(0.5), "p95": p(0.95), "max": round(lat[-1], 2) if lat else None,
                       "p95_by_quarter": latency_trend(latencies)},
        "end_reason": end_reason,
        "posecoach_version": __version__,
    }


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


def resolve_source(opts: LiveOptions, camera_given: bool) -> LiveOptions:
    """With no --video, no --camera and no camera present, fall back to the bundled sample video."""
    if opts.video is not None or camera_given or list_cameras(max_index=1):
        return opts
    sample = default_sample_video()
    if sample is None:
        raise SourceError("no camera found and no sample video bundled; use --video FILE")
    print(f"posecoach: no camera found; playing the sample video {sample.name} instead "
          "(use --camera or --video to choose)", file=sys.stderr)
    opts.video = sample
    return opts
