"""Where posecoach keeps its small local files (history, first-run marker): the user's data
directory from platformdirs, or $POSECOACH_HOME when set (tests, portable installs).
Nothing here ever leaves the machine.
"""
from __future__ import annotations

import os
from pathlib import Path

from posecoach.core.errors import PosecoachError

ENV_HOME = "POSECOACH_HOME"


def data_dir(create: bool = True) -> Path:
    """The folder for posecoach's own data; created on first use unless create=False."""
    env = os.environ.get(ENV_HOME)
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir
        path = Path(user_data_dir("posecoach", appauthor=False))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PosecoachError(f"cannot create the data folder {path}: {e.strerror or e}") from e
    return path


# What the sources read: video files by suffix, and folders of images.
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
