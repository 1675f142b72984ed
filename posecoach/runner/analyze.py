"""`posecoach analyze` of one recording: run a session over it and write frames.jsonl and
summary.json (docs: ../shared/docs/interface.md) into OUT/<video stem>/, plus an annotated video
on request.

The pose model sees every frame of a steady recording only when asked: by default the lunge's
model runs on about 10 frames a second and the frames between get interpolated poses
(runner.sampling; frames.jsonl "model" says which), and frames it will not see are decoded without
being converted to pictures; the pictures it sees are shrunk to its input size as they are decoded.

Output is written as it is produced: frames.jsonl is flushed every frame and summary.json is
written even when the run is interrupted, so nothing is lost on Ctrl+C or a bad file.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from posecoach.core.config import Settings
from posecoach.core.errors import SourceError
from posecoach.core.paths import VIDEO_SUFFIXES
from posecoach.core.types import Frame, Pose
from posecoach.core.worker import InOrderWorker
from posecoach.outputs.session_log import SessionLog, run_summary
from posecoach.pelvis.source import NullPelvis, PelvisSource, pelvis_for
from posecoach.runner.sampling import DEFAULT_MODEL_FPS, SampledDetector, model_stride
from posecoach.runner.two_pass import ReplayEstimator, first_pass, needs_two_pass
from posecoach.sessions.protocol import ExerciseSession, PoseDetector, SessionContext
from posecoach.sessions.registry import build_exercise, estimator_spec

SessionMaker = Callable[[SessionContext], ExerciseSession]


@dataclass(frozen=True)
class AnalyzeOptions:
    out_dir: Path
    settings: Settings = field(default_factory=Settings)
    annotate: bool = False
    neutral_s: tuple[float, float] | None = None
    progress: bool = True
    strings: dict[str, str] | None = None  # cue texts from a plan
    exercise: str = "lunge"  # lunge | rest | ball (sessions.registry)
    # Frames a second the pose model sees (runner.sampling); None: the exercise's default (the lunge
    # DEFAULT_MODEL_FPS, the floor exercises and the plain baseline every frame); 0: every frame.
    model_fps: float | None = None

    def model_stride(self, fps: float) -> int:
        """Frames per model frame for a video of `fps` frames a second."""
        wanted = self.model_fps
        if wanted is None:
            wanted = DEFAULT_MODEL_FPS if self.exercise == "lunge" and not self.settings.plain else 0.0
        return model_stride(fps, wanted)


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


def _session(video: Path, opts: AnalyzeOptions, make: SessionMaker, estimator: PoseDetector | None,
             on_frame: Callable[[], None] | None) -> ExerciseSession:
    """The session for `video`; for a neutral window that is not at the start, after a first pass
    that calibrates the pelvis (runner.two_pass)."""
    from posecoach.vision.factory import open_estimator
    from posecoach.vision.sources import open_source, prefetch

    settings = opts.settings
    if estimator is None:
        estimator = open_estimator(estimator_spec(opts.exercise, settings))
    pelvis: PelvisSource = NullPelvis()
    if opts.exercise == "lunge":
        pelvis = pelvis_for(settings, neutral_s=opts.neutral_s)
        if not isinstance(pelvis, NullPelvis) and needs_two_pass(opts.neutral_s):
            assert opts.neutral_s is not None
            first = SessionContext(settings, estimator, opts.strings)
            pelvis, estimator = first_pass(
                prefetch(open_source(video)),
                lambda pelvis: make(SessionContext(first.settings, first.estimator, first.strings, lambda: pelvis)),
                opts.neutral_s, progress=opts.progress and sys.stderr.isatty())
    chosen = pelvis
    return make(SessionContext(settings, estimator, opts.strings, lambda: chosen, on_frame))


def analyze_video(video: Path, opts: AnalyzeOptions, make_session: SessionMaker | None = None,
                  estimator: PoseDetector | None = None,
                  on_frame: Callable[[], None] | None = None) -> dict[str, object]:
    """Analyse one video (or image folder) into opts.out_dir/<stem>/; returns the summary.

    make_session: builds the session from its context (default: the registry's, for opts.exercise).
    estimator: the pose model to use (default: the one the exercise needs). on_frame: called after
    each judged frame (a progress bar over many videos)."""
    from posecoach.ui.video import AnnotatedVideoWriter
    from posecoach.vision.sources import VideoSource, open_source, prefetch

    source = open_source(video)
    log = SessionLog(opts.out_dir / video.stem)
    make = make_session or (lambda ctx: build_exercise(opts.exercise, ctx))
    try:
        session = _session(video, opts, make, estimator, on_frame)
    except BaseException:
        log.close()
        raise
    writer = AnnotatedVideoWriter(log.folder / "annotated.mp4", source.fps) if opts.annotate else None
    bar = None
    if opts.progress and sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(total=source.frame_count or None, unit="frame", desc=video.name, leave=False)
    last_t = 0

    def finish(item: tuple[Frame, Pose]) -> None:
        """Judge a detected frame and write it out (on the judging thread, in frame order)."""
        nonlocal last_t
        frame, pose = item
        result = session.judge(frame, pose)
        log.write(result)
        last_t = frame.t_ms
        if writer is not None:
            writer.write(frame.image, result, _held_cue(session, frame.t_ms))
        if bar is not None:
            bar.update(1)

    # Frame N is judged, logged and drawn while frame N+1 is in the pose model.
    judging: InOrderWorker[tuple[Frame, Pose]] = InOrderWorker(finish, "judge")
    interrupted = False
    detector = session.ctx.estimator
    # A neutral window calibrates the pelvis from every frame it holds (a sampled one would give a
    # third of the samples, and a short window too few): the model sees every frame then.
    sampled = not isinstance(detector, ReplayEstimator) and opts.neutral_s is None
    stride = opts.model_stride(source.fps) if sampled else 1
    if isinstance(source, VideoSource) and not opts.annotate:  # decode only what the model needs
        source.max_side = getattr(detector, "max_side", None)
        source.keep_every = stride
    try:
        for frame, pose in SampledDetector(detector, stride).poses(prefetch(source)):
            judging.put((frame, pose))
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        ok = sys.exc_info()[0] is None
        try:
            judging.close(check=ok)  # the frames already detected are still judged and written
        finally:
            log.close()
            if bar is not None:
                bar.close()
            if writer is not None:
                writer.close(check=ok)
            session.close()
            s = session.summary()
            duration = (last_t + 1000.0 / source.fps) / 1000.0 if s.frames else 0.0
            truncated = bool(getattr(source, "truncated", False))  # a video cut short; images never are
            summary = run_summary(str(video), source.fps, duration, s, truncated=truncated, interrupted=interrupted)
            log.write_summary(summary)
    if s.frames == 0:
        raise SourceError(f"{video}: no frames could be decoded")
    return summary


def _held_cue(session: ExerciseSession, t_ms: int, hold_ms: int = 3000) -> str | None:
    """The latest cue stays on screen for a few seconds in the annotated video."""
    if not session.cues or t_ms - session.cues[-1].t_ms > hold_ms:
        return None
    return session.cues[-1].text
