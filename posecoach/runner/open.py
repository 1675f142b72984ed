"""A ready session by name: its estimator (the one the exercise needs), its pelvic-tilt reader and
its configs, built the way `live`, `routine` and the benchmarks want them."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from posecoach.core.config import Settings
from posecoach.core.protocol import EXERCISES
from posecoach.pelvis.source import pelvis_for
from posecoach.sessions.protocol import ExerciseSession, SessionContext
from posecoach.sessions.registry import ExerciseConfig, build_session, estimator_spec


def open_session(name: str, settings: Settings | None = None, *, strings: dict[str, str] | None = None,
                 guided: bool = False, configs: Mapping[str, ExerciseConfig] | None = None,
                 order: Sequence[str] = EXERCISES, **estimator_kw: Any) -> ExerciseSession:
    """Session `name` ("lunge", "rest", "ball", "routine") with a new pose estimator. guided: the
    lunge's pelvis is calibrated by the guided capture (a live camera)."""
    from posecoach.vision.factory import open_estimator

    settings = settings or Settings()
    estimator = open_estimator(estimator_spec(name, settings), **estimator_kw)
    ctx = SessionContext(settings, estimator, strings, make_pelvis=lambda: pelvis_for(settings, guided=guided))
    try:
        return build_session(name, ctx, configs, order)
    except BaseException:
        estimator.close()
        raise
