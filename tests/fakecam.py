"""A stand-in webcam for tests (there is no camera here): `install(clip, ...)` makes
cv2.VideoCapture(<int>) play `clip` at 30 fps like a USB camera, which is unplugged after
`unplug_after_s` and, if `replug_after_s` is given, plugged in again that long after. Files and
device paths still open the real way."""
from __future__ import annotations

import time

import cv2

_real = cv2.VideoCapture
_state: dict = {}


class FakeCamera:
    def __init__(self, index: int) -> None:
        self.index = index
        self._cap = _real(_state["clip"]) if index == 0 and _plugged() else None
        self._next = time.monotonic()

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self._cap is not None

    def set(self, *_: object) -> bool:
        return True

    def get(self, prop: int) -> float:
        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def read(self):  # noqa: ANN201 - (ok, image) like OpenCV
        if self._cap is None or not _plugged():
            time.sleep(0.03)
            return False, None
        if _state.get("t0") is None:
            _state["t0"] = time.monotonic()
        self._next += 1 / 30
        time.sleep(max(0.0, self._next - time.monotonic()))
        ok, img = self._cap.read()
        if not ok:  # loop the clip: a camera never ends by itself
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, img = self._cap.read()
        return ok, img

    def release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def _plugged() -> bool:
    """Unplug times count from the first frame read (after the model has loaded)."""
    if _state.get("t0") is None:
        return True
    t = time.monotonic() - _state["t0"]
    if t < _state["unplug"]:
        return True
    replug = _state["replug"]
    return replug is not None and t >= _state["unplug"] + replug


def install(clip: str, unplug_after_s: float = 1e9, replug_after_s: float | None = None) -> None:
    _state.update(clip=str(clip), t0=None, unplug=unplug_after_s, replug=replug_after_s)

    def capture(source=0, *args):  # noqa: ANN001, ANN202
        if isinstance(source, int):
            return FakeCamera(source)
        return _real(source, *args)

    cv2.VideoCapture = capture
