"""The one place sessions are built: by exercise name, with their configs, for `analyze`, `live` and
the routine; and which pose estimator each needs (the commands build it and pass it in).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from posecoach.core.config import Settings
from posecoach.core.protocol import EXERCISES
from posecoach.core.types import EstimatorSpec
from posecoach.exercises.ball import BallConfig
from posecoach.exercises.rest_coach import RestConfig
from posecoach.sessions.floor import BallSession, RestSession
from posecoach.sessions.lunge import LungeSession, PlacementSession
from posecoach.sessions.protocol import ExerciseSession, SessionContext
from posecoach.sessions.routine import RoutineSession

SESSIONS = (*EXERCISES, "routine", "setup")
ExerciseConfig = RestConfig | BallConfig


def estimator_spec(exercise: str, settings: Settings) -> EstimatorSpec:
    """The kneeling lunge is upright: one tracked estimator, with masks for the pelvis (none for the
    plain baseline). Lying people (rest, the ball, so the routine) are also looked for in the
    picture turned a quarter turn, with masks for the breathing."""
    if exercise in ("lunge", "setup"):
        return EstimatorSpec(rotating=False, masks=not settings.plain)
    return EstimatorSpec(rotating=True, masks=True)


def build_exercise(exercise: str, ctx: SessionContext,
                   configs: Mapping[str, ExerciseConfig] | None = None) -> ExerciseSession:
    """One exercise's session; `configs` holds the floor exercises' own settings by name."""
    configs = configs or {}
    if exercise == "lunge":
        return LungeSession(ctx)
    if exercise == "rest":
        rest = configs.get("rest")
        return RestSession(ctx, rest if isinstance(rest, RestConfig) else None)
    if exercise == "ball":
        ball = configs.get("ball")
        return BallSession(ctx, ball if isinstance(ball, BallConfig) else None)
    raise ValueError(f"unknown exercise {exercise!r}; choose one of {', '.join(SESSIONS)}")


def build_session(name: str, ctx: SessionContext, configs: Mapping[str, ExerciseConfig] | None = None,
                  order: Sequence[str] = EXERCISES) -> ExerciseSession:
    """A session by name: an exercise, or "routine" (the exercises of `order`, one after another)."""
    if name == "routine":
        return RoutineSession(ctx, partial(build_exercise, configs=configs), order=order)
    if name == "setup":
        return PlacementSession(ctx)
    return build_exercise(name, ctx, configs)
