"""The annotated video of `analyze --annotate`: drawn by the caller, encoded on a worker thread.

Encoding a frame costs ~1.7 ms at 960x540 (far more at 4K) and OpenCV releases the GIL while it
encodes, so a worker does it beside the caller. `analyze` calls `write` from its judging thread,
so drawing (~0.8 ms, mostly Python) also overlaps the next frame's pose inference. Large frames
are written at most `max_side` pixels on their longest side and fast videos at most `max_fps`
frames a second (every 2nd frame of a 60 fps clip): a review video needs neither 4K nor 60 fps,
and drawing and encoding every frame of a 60 fps clip cost ~2.4 ms a frame beside the pose model.
Every frame is still analysed and logged. At most `depth` frames wait (bounded memory); when the
encoder is slower the caller waits.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from posecoach.core.errors import PosecoachError
from posecoach.core.types import FrameResult
from posecoach.core.worker import InOrderWorker
from posecoach.ui.overlay import annotate
from posecoach.vision.estimator import shrink


def scaled_result(result: FrameResult, scale: float) -> FrameResult:
    """`result` with its pose in the pixels of the frame resized by `scale` (for drawing)."""
    pose = result.pose
    if pose is None or scale == 1.0:
        return result
    w, h = pose.image_size
    small = replace(pose, xy=pose.xy * scale, image_size=(round(w * scale), round(h * scale)), mask=None)
    return replace(result, pose=small)


class AnnotatedVideoWriter:
    """`write(image, result, cue_text)` per frame, then `close()`. Errors of the encoder (e.g. the
    file cannot be created) are raised by the next `write` or by `close`."""

    def __init__(self, path: str | Path, fps: float, max_side: int = 1280, max_fps: float = 30.0,
                 depth: int = 4) -> None:
        self.path = Path(path)
        self.step = max(1, math.ceil(fps / max_fps - 0.01))  # 59.94 fps -> every 2nd frame
        self.fps = fps / self.step
        self.max_side = max_side
        self.frames = 0
        self._offered = 0
        self._writer: cv2.VideoWriter | None = None
        self._encoder: InOrderWorker[np.ndarray] = InOrderWorker(self._encode, "encode", depth, on_exit=self._release)

    def write(self, image: np.ndarray, result: FrameResult, cue_text: str | None) -> None:
        self._offered += 1
        if (self._offered - 1) % self.step:
            return
        small, scale = shrink(image, self.max_side)
        picture = annotate(small, scaled_result(result, scale), cue_text)
        with self._errors():
            self._encoder.put(picture)

    def close(self, check: bool = True) -> None:
        """Finish the frames already queued and close the file; `check` raises an encoder error
        (pass False while another exception is on its way, so it is not masked)."""
        with self._errors():
            self._encoder.close(check)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except PosecoachError:
            raise
        except Exception as error:
            raise PosecoachError(f"cannot write {self.path}: {error}") from error

    def _encode(self, picture: np.ndarray) -> None:
        if self._writer is None:
            self._writer = self._open(picture.shape[1], picture.shape[0])
        self._writer.write(picture)
        self.frames += 1

    def _release(self) -> None:
        if self._writer is not None:
            self._writer.release()

    def _open(self, w: int, h: int) -> cv2.VideoWriter:
        writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter.fourcc(*"mp4v"), self.fps, (w, h))
        if not writer.isOpened():
            raise PosecoachError(f"cannot write the annotated video {self.path}")
        return writer
