"""Sessions for tests, built the way the commands build them (sessions.registry with a context)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from posecoach.core.config import Settings
from posecoach.core.protocol import EXERCISES
from posecoach.pelvis.source import NullPelvis, PelvisSource
from posecoach.sessions.lunge import LungeSession
from posecoach.sessions.protocol import ExerciseSession, PoseDetector, SessionContext
from posecoach.sessions.registry import build_session


class NoEstimator:
    """For tests that call judge() with their own poses."""

    def detect(self, frame):
        raise AssertionError("not used: the test judges its own poses")

    def close(self) -> None:
        pass


def context(estimator: PoseDetector | None = None, settings: Settings | None = None,
            pelvis: PelvisSource | None = None, strings: dict[str, str] | None = None) -> SessionContext:
    chosen = pelvis if pelvis is not None else NullPelvis()
    return SessionContext(settings or Settings(), estimator or NoEstimator(), strings, lambda: chosen)


def lunge_session(estimator: PoseDetector | None = None, settings: Settings | None = None,
                  pelvis: PelvisSource | None = None, strings: dict[str, str] | None = None) -> LungeSession:
    return LungeSession(context(estimator, settings, pelvis, strings))


def session(name: str, estimator: PoseDetector | None = None, settings: Settings | None = None,
            configs: Mapping[str, object] | None = None, order: Sequence[str] = EXERCISES,
            make_pelvis=None) -> ExerciseSession:
    """Any session by name; `estimator=None` opens the one the product uses for it."""
    if estimator is None:
        from posecoach.runner.open import open_session
        return open_session(name, settings, configs=configs, order=order)  # type: ignore[arg-type]
    ctx = SessionContext(settings or Settings(), estimator, None, make_pelvis or NullPelvis)
    return build_session(name, ctx, configs, order)  # type: ignore[arg-type]
