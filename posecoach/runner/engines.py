"""Where `posecoach analyze` runs its videos: this machine's processes, or a Ray cluster.

Both engines call the same per-video function (runner.batch.analyze_one), show one progress bar over
all frames, hand each finished video to `on_done` in this process (printing, history) and return
one Outcome per video, failed ones with one line saying why.

    engine = LocalEngine(jobs=2)                       # runner.batch: a process pool
    engine = RayEngine(address=None, workers=2)        # a local Ray cluster on 127.0.0.1
    engine = RayEngine(address="head:6379")            # an existing cluster
    outcomes = engine.run(videos, opts, report=False, on_done=print)

The Ray engine (the `cluster` extra: pip install 'posecoach[cluster]') is imported only when asked
for; a plain install never imports ray. Each video is one Ray task (1 CPU). A task whose worker
dies (killed, out of memory, a node lost) is run again, up to `retries` times; a video is written
into a private folder (OUT/.partial/<stem>-<attempt>/) and renamed into OUT/<stem> only when its
analysis has finished, so a dead attempt never leaves half a folder and nothing is written twice.
On a real cluster every node needs posecoach installed and the videos and OUT on storage mounted at
the same path (docs/scaling.md). Ray's usage statistics are switched off (nothing leaves the
machines).
"""
from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from posecoach.core.errors import PosecoachError
from posecoach.runner.analyze import AnalyzeOptions
from posecoach.runner.batch import Outcome, analyze_one, check_outputs_distinct, expected_frames, run_batch

PARTIAL = ".partial"
ENGINES = ("local", "ray")


class Engine(Protocol):
    """Runs analyze_one over videos: see the module's docstring."""
    def run(self, videos: Sequence[Path], opts: AnalyzeOptions, report: bool = False,
            on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]: ...


@dataclass(frozen=True)
class LocalEngine:
    """This machine: one process per video at a time (runner.batch.run_batch)."""
    jobs: int | None = None

    def run(self, videos: Sequence[Path], opts: AnalyzeOptions, report: bool = False,
            on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        return run_batch(videos, opts, jobs=self.jobs, report=report, on_done=on_done)


def analyze_into_place(index: int, video: Path, opts: AnalyzeOptions, report: bool,
                       tick: Callable[[int, int], None] | None = None) -> Outcome:
    """analyze_one into OUT/.partial/<stem>-<attempt>/, then renamed to OUT/<stem>: the folder
    appears whole or not at all. An older OUT/<stem> is replaced."""
    staging = opts.out_dir / PARTIAL / f"{video.stem}-{uuid.uuid4().hex[:8]}"
    outcome = analyze_one(index, video, replace(opts, out_dir=staging), report, tick=tick)
    built = staging / video.stem
    final = opts.out_dir / video.stem
    try:
        if built.is_dir():
            if final.exists():
                old = staging / "replaced"
                os.replace(final, old)
            os.replace(built, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return replace(outcome, report=final / outcome.report.name if outcome.report is not None else None)


class RayEngine:
    """A Ray cluster: `address` "HOST:PORT" of a running head, or None for a local cluster started
    on 127.0.0.1 (and stopped at the end) with `workers` CPUs (default: this machine's cores).
    `retries`: runs again of a video whose worker died. `on_progress(index, frames, pid)` is called
    in this process as workers report (tests use it to find a worker)."""

    def __init__(self, address: str | None = None, workers: int | None = None, retries: int = 2,
                 on_progress: Callable[[int, int, int], None] | None = None) -> None:
        self.address, self.workers, self.retries = address, workers, retries
        self.on_progress = on_progress
        self.attempts: dict[int, int] = {}  # video index -> attempts started

    def run(self, videos: Sequence[Path], opts: AnalyzeOptions, report: bool = False,
            on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        ray = import_ray()
        check_outputs_distinct(videos, opts.out_dir)
        started_here = self._connect(ray)
        try:
            return self._run(ray, videos, opts, report, on_done)
        finally:
            shutil.rmtree(opts.out_dir / PARTIAL, ignore_errors=True)
            if started_here:
                ray.shutdown()

    def _connect(self, ray: Any) -> bool:
        """Join the cluster at `address`, or start a local one on the loopback address; True when
        this process started it."""
        if ray.is_initialized():
            return False
        import logging
        common: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR,
                                  "configure_logging": False}
        try:
            if self.address:
                ray.init(address=self.address, **common)
            else:
                ray.init(address="local", num_cpus=self.workers or os.cpu_count() or 1, include_dashboard=False,
                         _node_ip_address="127.0.0.1", **common)
        except (ConnectionError, RuntimeError, ValueError) as e:
            where = self.address or "a local cluster on 127.0.0.1"
            raise PosecoachError(f"cannot reach the Ray cluster at {where}: {e}") from e
        return True

    def _run(self, ray: Any, videos: Sequence[Path], opts: AnalyzeOptions, report: bool,
             on_done: Callable[[Outcome], None] | None) -> list[Outcome]:
        from tqdm import tqdm
        progress = ray.remote(num_cpus=0)(Progress).remote()
        task = ray.remote(num_cpus=1, max_retries=self.retries, retry_exceptions=False)(_ray_task)
        expected = [expected_frames(v) for v in videos]
        # Absolute paths: a worker on another node (or in another folder) must find the same files.
        worker_opts = replace(opts, progress=False, out_dir=opts.out_dir.resolve())
        refs = {task.remote(i, str(v.resolve()), worker_opts, report, progress): i for i, v in enumerate(videos)}
        outcomes: list[Outcome | None] = [None] * len(videos)
        done: set[int] = set()
        bar = tqdm(total=sum(expected) or None, unit="frame", desc=f"{len(videos)} video{'s' * (len(videos) > 1)}",
                   disable=not (opts.progress and sys.stderr.isatty()), dynamic_ncols=True)
        try:
            pending = list(refs)
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=0.2)
                self._show(ray, progress, bar, expected, done)
                for ref in ready:
                    i = refs[ref]
                    outcome = self._outcome(ray, ref, videos[i])
                    outcomes[i] = outcome
                    done.add(i)
                    self._show(ray, progress, bar, expected, done)
                    if on_done is not None:
                        with bar.external_write_mode():
                            on_done(outcome)
        finally:
            bar.close()
        return [o for o in outcomes if o is not None]

    def _outcome(self, ray: Any, ref: Any, video: Path) -> Outcome:
        try:
            result: Outcome = ray.get(ref)
            return result
        except ray.exceptions.RayTaskError as e:  # the task raised (not retried): say what
            cause = getattr(e, "cause", None) or e
            return Outcome(video, error=f"{video}: failed on the Ray worker: {type(cause).__name__}: {cause}")
        except Exception as e:  # the task's workers died more often than it was retried
            return Outcome(video, error=f"{video}: the Ray worker stopped {self.retries + 1} times "
                                        f"({type(e).__name__}); not analysed")

    def _show(self, ray: Any, progress: Any, bar: Any, expected: list[int], done: set[int]) -> None:
        """Move the bar to the frames done: finished videos count whole, running ones as reported
        by their current attempt (a retried video starts again from 0)."""
        state: dict[int, tuple[int, int, int]] = ray.get(progress.state.remote())
        for i, (frames, pid, attempts) in state.items():
            self.attempts[i] = attempts
            if self.on_progress is not None and i not in done:
                self.on_progress(i, frames, pid)
        n = sum(expected[i] if i in done else min(state.get(i, (0, 0, 0))[0], expected[i] or 10**9)
                for i in range(len(expected)))
        bar.n = n
        bar.refresh()


class Progress:
    """A Ray actor: frames analysed so far per video by its current attempt, the worker's pid and
    the attempts started."""

    def __init__(self) -> None:
        self._state: dict[int, tuple[int, int, int]] = {}

    def start(self, index: int, pid: int) -> None:
        attempts = self._state.get(index, (0, 0, 0))[2] + 1
        self._state[index] = (0, pid, attempts)

    def add(self, index: int, frames: int) -> None:
        n, pid, attempts = self._state.get(index, (0, 0, 1))
        self._state[index] = (n + frames, pid, attempts)

    def state(self) -> dict[int, tuple[int, int, int]]:
        return dict(self._state)


def _ray_task(index: int, video: str, opts: AnalyzeOptions, report: bool, progress: Any) -> Outcome:
    """One video on a Ray worker (a module-level function, so Ray can ship it by reference)."""
    import ray
    ray.get(progress.start.remote(index, os.getpid()))
    return analyze_into_place(index, Path(video), opts, report,
                              tick=lambda i, n: progress.add.remote(i, n))


def import_ray() -> Any:
    """The ray module, with its usage statistics off; a clear error when the extra is missing."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise PosecoachError("--engine ray needs Ray: pip install 'posecoach[cluster]'") from None
    return ray


def make_engine(name: str, jobs: int | None = None, address: str | None = None) -> Engine:
    """The engine a command asked for."""
    if name == "ray":
        return RayEngine(address=address, workers=jobs)
    if address:
        raise PosecoachError("--ray-address needs --engine ray")
    return LocalEngine(jobs=jobs)

