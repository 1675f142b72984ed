"""`posecoach analyze` over many videos: one process per video at a time (ProcessPoolExecutor,
default workers = min(cores, videos)), one progress bar over all their frames, and a bad file
(missing, not a video, corrupt) costs one line of error while the others carry on.

Each worker process builds its own PoseEstimator (MediaPipe is never shared across processes);
workers start with "spawn" on every platform, so nothing half-initialised is forked.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from posecoach.core.errors import PosecoachError
from posecoach.runner.analyze import AnalyzeOptions, analyze_video

_QUEUE: Any = None  # the worker's progress queue, set by _init_worker
TICK_FRAMES = 10     # frames between progress messages from a worker


@dataclass(frozen=True)
class Outcome:
    """What became of one input: its summary, or one line saying what went wrong."""
    video: Path
    summary: dict[str, Any] | None = None
    error: str | None = None
    report: Path | None = None


def expected_frames(video: Path) -> int:
    """Frame count announced by the container (0 when unknown or unreadable), for the progress bar."""
    if video.is_dir():
        from posecoach.core.paths import IMAGE_SUFFIXES
        return sum(1 for p in video.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not video.is_file():
        return 0
    from posecoach.vision.sources import announced_frames
    return announced_frames(video)


def analyze_one(index: int, video: Path, opts: AnalyzeOptions, report: bool,
                tick: Callable[[int, int], None] | None = None) -> Outcome:
    """Analyse one input (and write its report); errors come back as one line, never raised."""
    count = 0

    def on_frame() -> None:
        nonlocal count
        count += 1
        if tick is not None and count % TICK_FRAMES == 0:
            tick(index, TICK_FRAMES)

    try:
        summary = analyze_video(video, opts, on_frame=on_frame)
        path = None
        if report:
            from posecoach.outputs.report import write_report
            path = write_report(opts.out_dir / video.stem, hold_target_s=opts.settings.coach.hold_s,
                                bands=opts.settings.bands)
        return Outcome(video, summary, None, path)
    except PosecoachError as e:
        return Outcome(video, error=str(e))
    except Exception as e:  # a decoder or model failure on one file must not stop the others
        return Outcome(video, error=f"{video}: analysis failed ({type(e).__name__}: {e})")
    finally:
        if tick is not None and count % TICK_FRAMES:
            tick(index, count % TICK_FRAMES)


def _init_worker(queue: Any) -> None:
    global _QUEUE
    _QUEUE = queue


def _worker(index: int, video: Path, opts: AnalyzeOptions, report: bool) -> Outcome:
    return analyze_one(index, video, opts, report, tick=lambda i, n: _QUEUE.put((i, n)))


def check_outputs_distinct(videos: Sequence[Path], out_dir: Path) -> None:
    seen: dict[str, Path] = {}
    for v in videos:
        if v.stem in seen and seen[v.stem] != v:
            raise PosecoachError(f"{seen[v.stem]} and {v} would both write to {out_dir / v.stem}; "
                                 "rename one or analyse them with different --out folders")
        seen[v.stem] = v


def run_batch(videos: Sequence[Path], opts: AnalyzeOptions, *, jobs: int | None = None, report: bool = False,
              on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Analyse `videos` into opts.out_dir with up to `jobs` processes (default min(cores, videos)).
    `on_done(outcome)` is called in this process as each finishes (printing, history). A progress
    bar over all frames is shown on a terminal when opts.progress is set.
    """
    check_outputs_distinct(videos, opts.out_dir)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(videos)))
    expected = [expected_frames(v) for v in videos]
    counted = [0] * len(videos)
    from tqdm import tqdm
    bar = tqdm(total=sum(expected) or None, unit="frame", desc=f"{len(videos)} video{'s' * (len(videos) > 1)}",
               disable=not (opts.progress and sys.stderr.isatty()), dynamic_ncols=True)
    worker_opts = replace(opts, progress=False)  # the one bar is here, not in each analysis

    finished: set[int] = set()

    def advance(i: int, n: int) -> None:
        if i not in finished:  # late ticks of a finished video were already topped up
            counted[i] += n
            bar.update(n)

    def finish(i: int, outcome: Outcome) -> None:
        if counted[i] < expected[i]:
            advance(i, expected[i] - counted[i])  # decode ended early or failed: keep the bar honest
        finished.add(i)
        if on_done is not None:
            with bar.external_write_mode():
                on_done(outcome)

    outcomes: list[Outcome | None] = [None] * len(videos)
    try:
        if jobs == 1:
            for i, v in enumerate(videos):
                outcome = analyze_one(i, v, worker_opts, report, tick=advance)
                outcomes[i] = outcome
                finish(i, outcome)
        else:
            ctx = mp.get_context("spawn")
            queue = ctx.Queue()
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                     initargs=(queue,)) as pool:
                futures: dict[Future, int] = {pool.submit(_worker, i, v, worker_opts, report): i
                                              for i, v in enumerate(videos)}
                pending = set(futures)
                try:
                    _collect(pending, futures, queue, advance, finish, outcomes, videos)
                except BaseException:  # Ctrl+C: drop what has not started, let running ones save
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
            _drain(queue, advance)
    finally:
        bar.close()
    return [o for o in outcomes if o is not None]


def _collect(pending: set[Future], futures: dict[Future, int], queue: Any, advance: Callable[[int, int], None],
             finish: Callable[[int, Outcome], None], outcomes: list[Outcome | None], videos: Sequence[Path]) -> None:
    """Wait for the workers, forwarding their progress to the bar and their outcomes to finish()."""
    while pending:
        done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        _drain(queue, advance)
        for fut in done:
            i = futures[fut]
            try:
                outcome = fut.result()
            except Exception as e:  # the worker process itself died (e.g. a decoder crash)
                outcome = Outcome(videos[i], error=f"{videos[i]}: the analysis process stopped ({type(e).__name__})")
            outcomes[i] = outcome
            finish(i, outcome)


def _drain(queue: Any, advance: Callable[[int, int], None]) -> None:
    import queue as queue_mod
    while True:
        try:
            i, n = queue.get_nowait()
        except (queue_mod.Empty, OSError, ValueError):
            return
        advance(i, n)
