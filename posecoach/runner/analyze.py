"""`posecoach analyze`: run the coach over recorded videos and write frames.jsonl and summary.json
(docs: ../shared/docs/interface.md) into OUT/<video stem>/, plus an annotated video on request.

Output is written as it is produced: frames.jsonl is flushed every frame and summary.json is
written even when the run is interrupted, so nothing is lost on Ctrl+C or a bad file.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from posecoach import __version__
from posecoach.core.config import Settings
from posecoach.core.errors import PosecoachError, SourceError
from posecoach.sessions.lunge import Session
from posecoach.vision.sources import VIDEO_SUFFIXES, ImageFolderSource, VideoSource, open_source, prefetch
from posecoach.core.types import Frame, Pose
from posecoach.ui.video import AnnotatedVideoWriter
from posecoach.core.worker import InOrderWorker


@dataclass(frozen=True)
class AnalyzeOptions:
    out_dir: Path
    settings: Settings = Settings()
    annotate: bool = False
    neutral_s: tuple[float, float] | None = None
    progress: bool = True
    strings: dict[str, str] | None = None  # cue texts from a plan
    exercise: str = "lunge"  # lunge | rest | ball: which exercise's analyser (posecoach.sessions.floor)


def find_videos(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the videos they hold (by suffix); files are taken as given."""
    found: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            vids = sorted(q for q in p.iterdir() if q.suffix.lower() in VIDEO_SUFFIXES)
            if vids:
                found.extend(vids)
            elif any(q.suffix.lower() in {".jpg", ".jpeg", ".png"} for q in p.iterdir()):
                found.append(p)  # a folder of images is one clip
            else:
                raise SourceError(f"no videos in {p}")
        else:
            found.append(p)
    return found


def make_pelvis(neutral_s: tuple[float, float] | None, settings: Settings) -> object | None:
    """The pelvic-tilt estimator, if this build has one."""
    if settings.plain:
        return None
    try:
        from posecoach.pelvis.tilt import PelvisTilt
    except ImportError:
        return None
    return PelvisTilt(neutral_s=neutral_s)


def analyze_video(video: Path, opts: AnalyzeOptions, session_factory: Callable[..., Session] | None = None) -> dict:
    """Analyse one video (or image folder) into opts.out_dir/<stem>/; returns the summary."""
    source: VideoSource | ImageFolderSource = open_source(video)
    out = opts.out_dir / video.stem
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise PosecoachError(f"cannot write to {out}: {e.strerror or e}") from e
    pelvis = make_pelvis(opts.neutral_s, opts.settings)
    if session_factory is None:
        from posecoach.sessions.floor import session_factory as exercise_session
        session_factory = exercise_session(opts.exercise)
    if pelvis is not None and getattr(opts, "exercise", "lunge") == "lunge":
        from posecoach.runner.two_pass import first_pass, needs_two_pass
        if needs_two_pass(opts.neutral_s):  # the neutral window calibrates the frames before it too
            make = partial(session_factory, settings=opts.settings, strings=opts.strings)
            pelvis, replayed = first_pass(prefetch(open_source(video)), make, opts.neutral_s,  # type: ignore[arg-type]
                                          progress=opts.progress and sys.stderr.isatty())
            session_factory = partial(session_factory, estimator=replayed)
    session = session_factory(settings=opts.settings, pelvis=pelvis, strings=opts.strings)
    writer = None
    total = source.frame_count or None
    bar = None
    if opts.progress and sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(total=total, unit="frame", desc=video.name, leave=False)
    interrupted = False
    last_t = 0
    fh = open(out / "frames.jsonl", "w", encoding="utf-8")
    if opts.annotate:
        writer = AnnotatedVideoWriter(out / "annotated.mp4", source.fps)

    def finish(item: tuple[Frame, Pose]) -> None:
        """Judge a detected frame and write it out (on the judging thread, in frame order)."""
        nonlocal last_t
        frame, pose = item
        result = session.judge(frame, pose)
        fh.write(json.dumps(result.to_record(), separators=(",", ":")) + "\n")
        fh.flush()
        last_t = frame.t_ms
        if writer is not None:
            writer.write(frame.image, result, _held_cue(session, frame.t_ms))
        if bar is not None:
            bar.update(1)

    # Frame N is judged, logged and drawn while frame N+1 is in the pose model.
    judging: InOrderWorker[tuple[Frame, Pose]] = InOrderWorker(finish, "judge")
    try:
        for frame in prefetch(source):
            judging.put((frame, session.estimator.detect(frame)))  # type: ignore[union-attr]
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        ok = sys.exc_info()[0] is None
        try:
            judging.close(check=ok)  # the frames already detected are still judged and written
        finally:
            fh.close()
            if bar is not None:
                bar.close()
            if writer is not None:
                writer.close(check=ok)
            session.close()
            summary = _summary(video, source, session, last_t, interrupted)
            (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    if session.frames == 0:
        raise SourceError(f"{video}: no frames could be decoded")
    return summary


def _held_cue(session: Session, t_ms: int, hold_ms: int = 3000) -> str | None:
    """The latest cue stays on screen for a few seconds in the annotated video."""
    if not session.cues or t_ms - int(session.cues[-1]["t_ms"]) > hold_ms:  # type: ignore[call-overload]
        return None
    return str(session.cues[-1]["text"])


def _summary(video: Path, source: VideoSource | ImageFolderSource, session: Session, last_t: int,
             interrupted: bool) -> dict:
    s = session.summary()
    frames = int(s["frames"])  # type: ignore[arg-type]
    duration = (last_t + 1000.0 / source.fps) / 1000.0 if frames else 0.0
    summary = {
        "video": str(video),
        "frames": frames,
        "fps": round(source.fps, 3),
        "duration_s": round(duration, 3),
        **{k: v for k, v in s.items() if k != "frames"},
        "posecoach_version": __version__,
        "truncated": bool(getattr(source, "truncated", False)),
        "interrupted": interrupted,
    }
    return summary
