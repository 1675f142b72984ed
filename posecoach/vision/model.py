"""Finds and checks the bundled BlazePose Full model (`pose_landmarker_full.task`).

The model ships inside the package (the repository's top-level models/ folder is installed as
`posecoach.models`), so nothing is downloaded at run time. This module only reads and checks the
file with zipfile, without importing mediapipe, so a missing or damaged model is reported as one
plain sentence before MediaPipe would fail with an obscure native error.
"""
from __future__ import annotations

import io
import os
import zipfile
from importlib import resources
from pathlib import Path

from posecoach.core.errors import PosecoachError

MODEL_NAME = "pose_landmarker_full.task"
ENV_VAR = "POSECOACH_MODEL"
# What PoseLandmarker reads from the bundle; both are TFLite flatbuffers ("TFL3" at byte 4).
REQUIRED_ENTRIES = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
_FIX = f"reinstall posecoach, or set {ENV_VAR} to a {MODEL_NAME} built by models/build_pose_model.py"


class ModelError(PosecoachError):
    """The pose model file is missing or damaged; the message says which file and what to do."""


def default_model_path() -> Path:
    """The bundled model: from the installed package (wheel or editable), else the source tree.

    The fallback lets tests and `python -m posecoach` run from a checkout that was never installed.
    """
    try:
        packaged = resources.files("posecoach.models") / MODEL_NAME
        if isinstance(packaged, Path) and packaged.is_file():
            return packaged
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "models" / MODEL_NAME


def model_path(path: str | Path | None = None) -> Path:
    """The model to use: `path` if given, else $POSECOACH_MODEL if set, else the bundled one."""
    if path is not None:
        return Path(path)
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env) if env else default_model_path()


def check_model_bytes(data: bytes, where: Path) -> None:
    """Raise ModelError unless `data` is an intact zip holding both TFLite models."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            names = set(bundle.namelist())
            missing = [n for n in REQUIRED_ENTRIES if n not in names]
            if missing:
                raise ModelError(f"pose model {where} lacks {', '.join(missing)}; {_FIX}")
            if bundle.testzip() is not None:  # CRC check: catches bytes damaged in the middle
                raise ModelError(f"pose model {where} is corrupted; {_FIX}")
            for name in REQUIRED_ENTRIES:
                with bundle.open(name) as f:
                    if f.read(8)[4:8] != b"TFL3":
                        raise ModelError(f"pose model {where}: {name} is not a TFLite model; {_FIX}")
    except (zipfile.BadZipFile, EOFError) as e:
        raise ModelError(f"pose model {where} is not a valid .task bundle ({e}); {_FIX}") from e


def load_model_bytes(path: str | Path | None = None) -> bytes:
    """Read and check the model (see `model_path`), for `BaseOptions(model_asset_buffer=...)`."""
    p = model_path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"pose model {p} not found; {_FIX}") from None
    except OSError as e:
        raise ModelError(f"pose model {p} cannot be read ({e.strerror}); {_FIX}") from None
    check_model_bytes(data, p)
    return data
