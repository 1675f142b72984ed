"""Finding a person too small for the pose model's detector, and following them.

MediaPipe's person detector sees the whole picture squeezed to 224x224: a person kneeling 3.5-4 m
from a 640x480 webcam (~120 px tall) is a few dozen pixels there, and often not found at all,
while a crop of the picture around them is found (rendered takes of the issue-12 camera sweeps,
people 110-145 px tall: of the 5 seen side-on or nearly, 2 found in no frame of the whole
picture and 3 in 42-89% of frames; with this search all 5 in every frame but the first two).

So, when the whole picture shows nobody, `ZoomSearch` offers one window of half the picture's size
per frame, centre first, until a person is found wholly inside one and, over a few frames, sure of
their joints. From then on it follows them in that window, moved (to about twice their size) only
when they near its edge or change size, and gives up (back to the whole picture) when they fill
half of the picture's height, are missing for MISSES frames, or someone is found in the whole
picture (looked at every WHOLE_CHECK_MS). Pure geometry; the estimator runs the model.
"""
from __future__ import annotations

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the detection image

# Search windows: this share of the picture's width and height, at these relative positions
# (0 = left/top edge, 1 = right/bottom), tried centre first.
WINDOW = 0.5
_STEPS = (0.5, 0.0, 1.0, 0.25, 0.75)
# A followed window is FOLLOW times the person's box (at least WINDOW of the picture); it is
# moved when the person's box leaves its inner EDGE share or changes size by more than RESIZE.
FOLLOW, EDGE, RESIZE = 2.0, 0.8, 0.35
# Back to the whole picture when the person is at least this tall a share of it, or after this
# many frames in a row without them in the window followed.
BIG_ENOUGH, MISSES = 0.5, 5
# A person newly found in a search window is looked for there again until CONFIRM finds, and is
# followed when the median visibility of their shoulders, hips, knees and ankles over those finds
# reaches START_VISIBILITY (given up after CANDIDATE_FRAMES frames or a miss). In pieces of real
# footage with nobody in them the pose model found a "person" in a potted plant in 208 of 300
# frames (visibility 0.64-0.88, 5th-95th percentile); the small people of the rendered takes seen
# side-on read 0.97-0.99 (from 40 deg behind 0.79-0.83: those stay unfound, and could not be
# coached from there anyway).
START_VISIBILITY, CONFIRM, CANDIDATE_FRAMES = 0.9, 3, 8
# While a person is followed in a window, the whole picture is looked at again this often (ms of
# video): someone big enough for it (the person come closer, or another who walked in) takes over.
WHOLE_CHECK_MS = 1000


def search_windows(size: tuple[int, int]) -> list[Box]:
    """Half-size windows over a (w, h) picture, nearest the centre first."""
    w, h = size
    ww, wh = int(round(WINDOW * w)), int(round(WINDOW * h))
    spots = sorted({(fx, fy) for fx in _STEPS for fy in _STEPS},
                   key=lambda p: ((p[0] - 0.5) ** 2 + (p[1] - 0.5) ** 2, p[1], p[0]))
    return [(int(round(fx * (w - ww))), int(round(fy * (h - wh))),
             int(round(fx * (w - ww))) + ww, int(round(fy * (h - wh))) + wh) for fx, fy in spots]


def person_box(xy: np.ndarray) -> Box | None:
    """Bounding box of the finite landmarks (pixels), or None."""
    pts = xy[np.isfinite(xy).all(axis=1)]
    if len(pts) == 0:
        return None
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    return int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1))


def inside(person: Box, window: Box, slack: float = 0.05) -> bool:
    """The person's box lies within the window, give or take `slack` of the window's size (a
    person cut by the window's edge gets the rest of their landmarks guessed)."""
    mx, my = slack * (window[2] - window[0]), slack * (window[3] - window[1])
    return (person[0] >= window[0] - mx and person[1] >= window[1] - my
            and person[2] <= window[2] + mx and person[3] <= window[3] + my)


def follow_window(person: Box, size: tuple[int, int]) -> Box:
    """A window FOLLOW times the person's box, the picture's aspect, inside the picture."""
    w, h = size
    cx, cy = 0.5 * (person[0] + person[2]), 0.5 * (person[1] + person[3])
    wh = max(FOLLOW * (person[3] - person[1]), FOLLOW * (person[2] - person[0]) * h / w, WINDOW * h)
    wh = min(wh, h)
    ww = min(w, wh * w / h)
    x0 = int(round(min(max(cx - ww / 2, 0), w - ww)))
    y0 = int(round(min(max(cy - wh / 2, 0), h - wh)))
    return x0, y0, x0 + int(round(ww)), y0 + int(round(wh))


def needs_move(window: Box, person: Box) -> bool:
    """The person has neared the window's edge or changed size enough to re-frame them."""
    height = window[3] - window[1]
    wanted = FOLLOW * (person[3] - person[1])
    return (not inside(person, window, slack=-0.5 * (1 - EDGE))  # within the inner EDGE share
            or abs(wanted - height) > RESIZE * height and wanted > WINDOW * height)


class ZoomSearch:
    """Which window of the detection image to give the model next (None = the whole picture)."""

    def __init__(self) -> None:
        self.window: Box | None = None  # the window the person is followed in
        self._next = 0
        self._misses = 0
        self._candidate: Box | None = None  # a search window with a find not yet trusted
        self._seen: list[float] = []

    @property
    def following(self) -> bool:
        return self.window is not None

    def next_search(self, size: tuple[int, int]) -> Box:
        """The next window to look for a person in: the candidate's again, or the next of
        `search_windows`."""
        if self._candidate is not None:
            return self._candidate
        windows = search_windows(size)
        box = windows[self._next % len(windows)]
        self._next += 1
        return box

    def trusted(self, window: Box, visibility: float) -> bool:
        """A person found in search `window` with this mean core visibility: True once the window
        has CONFIRM finds whose median visibility reaches START_VISIBILITY."""
        if window != self._candidate:
            self._candidate, self._seen = window, []
        self._seen.append(visibility)
        if len(self._seen) >= CONFIRM and float(np.median(self._seen)) >= START_VISIBILITY:
            self._candidate = None
            return True
        if len(self._seen) >= CANDIDATE_FRAMES:
            self._candidate = None
        return False

    def stop(self) -> None:
        """Back to the whole picture (someone was found in it)."""
        self.window, self._misses, self._next = None, 0, 0

    def found(self, person: Box | None, size: tuple[int, int], window: Box) -> None:
        """The model's answer for `window`: start, keep, move or stop following. A person found
        is followed in the same window while it frames them well (the model's tracking works
        best on an unchanged crop); one lost is looked for there MISSES more frames."""
        if person is None:
            self._candidate = None
            if self.window is not None:
                self._misses += 1
                if self._misses > MISSES:
                    self.window = None
            return
        self._misses = 0
        self._next = 0
        if (person[3] - person[1]) >= BIG_ENOUGH * size[1]:
            self.window = None  # big enough for the whole picture
        elif needs_move(window, person):
            moved = follow_window(person, size)
            self.window = None if moved == (0, 0, size[0], size[1]) else moved
        else:
            self.window = window
