"""Builds the pose estimator a session asks for (sessions.registry.estimator_spec)."""
from __future__ import annotations

from typing import Any

from posecoach.core.types import EstimatorSpec
from posecoach.vision.estimator import PoseEstimator
from posecoach.vision.rotation import RotatingEstimator


def open_estimator(spec: EstimatorSpec, **kwargs: Any) -> PoseEstimator | RotatingEstimator:
    """A tracked estimator, or one that also tries quarter turns; kwargs go to PoseEstimator
    (model_path, max_side, ...)."""
    if spec.rotating:
        return RotatingEstimator(masks=spec.masks, **kwargs)
    return PoseEstimator(masks=spec.masks, **kwargs)
