"""Full-window text screens of the live coach: first-run safety, the pain stop, the session's end.

Drawn as white text on black (contrast 21:1); `large` makes the text about twice as tall for the
clinic display. `show_page` keeps a screen up until a key or a timeout, so the person (or a test
driving the window) decides when to go on.
"""
from __future__ import annotations

import time
from collections.abc import Iterable

import cv2
import numpy as np

from posecoach.ui.overlay import FONT, WHITE, draw_icon, scale_for, wrap
from posecoach.ui.safety import (
    PAIN_FOOTER,
    PAIN_LINES,
    PAIN_TITLE,
    SAFETY_FOOTER,
    SAFETY_LINES,
    SAFETY_TITLE,
)

DEFAULT_SIZE = (1280, 720)  # (width, height) when no camera frame has been seen yet
CONTINUE_KEYS = (ord(" "), 13, 10)
QUIT_KEYS = (ord("q"), 27)


def text_page(size: tuple[int, int], title: str, paragraphs: Iterable[str], footer: str = "",
              large: bool = False, icon: str = "") -> np.ndarray:
    """A black page: a title (with an optional icon), bulleted paragraphs, a footer line."""
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    paragraphs = list(paragraphs)
    cap = (0.045 if large else 0.03) * h
    margin = int(0.05 * w)
    thick = max(1, int(round(cap / 10)))
    # shrink until everything fits the page (long safety text on a small window)
    while True:
        scale = scale_for(cap, thick)
        blocks = [wrap(p, scale, w - 2 * margin - int(cap * 2), thick) for p in paragraphs]
        needed = cap * 2.8 + sum(len(b) * cap * 1.7 + cap * 0.9 for b in blocks) + cap * 3
        if needed <= h * 0.95 or cap < 9:
            break
        cap *= 0.9
        thick = max(1, int(round(cap / 10)))
    title_cap = cap * 1.5
    title_thick = max(2, int(round(title_cap / 9)))
    y = int(h * 0.04 + title_cap)
    x = margin
    if icon:
        draw_icon(img, icon, x, y - int(title_cap * 1.1), int(title_cap * 1.3))
        x += int(title_cap * 1.8)
    cv2.putText(img, title, (x, y), FONT, scale_for(title_cap, title_thick), WHITE, title_thick, cv2.LINE_AA)
    y += int(cap * 1.6)
    for block in blocks:
        y += int(cap * 0.9)
        for i, line in enumerate(block):
            y += int(cap * 1.7)
            if i == 0:
                cv2.circle(img, (margin + int(cap * 0.4), y - int(cap * 0.5)), max(2, int(cap * 0.22)), WHITE, -1)
            cv2.putText(img, line, (margin + int(cap * 1.4), y), FONT, scale, WHITE, thick, cv2.LINE_AA)
    if footer:
        fy = h - int(cap * 1.2)
        cv2.line(img, (margin, fy - int(cap * 1.8)), (w - margin, fy - int(cap * 1.8)), WHITE, 1)
        cv2.putText(img, footer, (margin, fy), FONT, scale, WHITE, thick, cv2.LINE_AA)
    return img


def safety_page(size: tuple[int, int] = DEFAULT_SIZE, large: bool = False) -> np.ndarray:
    return text_page(size, SAFETY_TITLE, SAFETY_LINES, SAFETY_FOOTER, large, icon="info")


def pain_page(size: tuple[int, int] = DEFAULT_SIZE, large: bool = False) -> np.ndarray:
    return text_page(size, PAIN_TITLE, PAIN_LINES, PAIN_FOOTER, large, icon="cross")


def end_lines(summary: dict) -> tuple[str, list[str]]:
    """The end screen's title and lines from a live session summary."""
    hold = summary.get("hold_s", {})
    done = summary.get("sides_completed", [])
    reason = summary.get("end_reason", "")
    title = {"done": "Session complete", "pain": "Stopped for pain"}.get(reason, "Session ended")
    lines = []
    for side in ("left", "right"):
        mark = "done" if side in done else "not finished"
        lines.append(f"{side.capitalize()} leg forward: {float(hold.get(side, 0.0)):.0f} s held in good form ({mark})")
    frac = summary.get("good_form_fraction")
    if summary.get("lunge_frames"):
        lines.append(f"Good form for {100 * float(frac or 0):.0f}% of the time in the stretch")
    lines.append(f"{len(summary.get('cues', []))} spoken or shown cues")
    if summary.get("pain_stop"):
        lines.append("You stopped because of pain. " + PAIN_LINES[1])
    if summary.get("report"):
        lines.append(f"Report: {summary['report']}")
    return title, lines


def end_page(summary: dict, size: tuple[int, int] = DEFAULT_SIZE, large: bool = False) -> np.ndarray:
    title, lines = end_lines(summary)
    icon = "check" if summary.get("end_reason") == "done" else "info"
    return text_page(size, title, lines, "Press any key to close.", large, icon=icon)


def show_page(window: str, page: np.ndarray, timeout_s: float | None = None,
              keys: Iterable[int] | None = None) -> int | None:
    """Show `page` until a key (any, or one of `keys`), the window closes, or the timeout.

    Returns the key code, or None on timeout / a closed window.
    """
    wanted = set(keys) if keys is not None else None
    end = None if timeout_s is None else time.monotonic() + timeout_s
    while end is None or time.monotonic() < end:
        cv2.imshow(window, page)
        key = cv2.waitKey(50)
        if key != -1:
            key &= 0xFF
            if wanted is None or key in wanted:
                return key
        if cv2.getWindowProperty(window, cv2.WND_PROP_VISIBLE) < 1:
            return None
    return None


def safety_gate(window: str | None, force: bool = False, large: bool = False) -> bool:
    """The first-run safety screen. Returns False when the person quits instead of agreeing.

    With a window it waits for SPACE/ENTER (agree) or Q/Esc (quit); without one (--no-window) the
    text is printed once. Agreeing is remembered in the data folder (posecoach.ui.safety).
    """
    from posecoach.ui.safety import mark_safety_shown, safety_shown, safety_text
    if safety_shown() and not force:
        return True
    if window is None:
        print(safety_text(), flush=True)
        mark_safety_shown()
        return True
    cv2.imshow(window, np.zeros((DEFAULT_SIZE[1], DEFAULT_SIZE[0], 3), np.uint8))
    cv2.waitKey(1)  # let the window take its size, then draw the page at that size
    key = show_page(window, safety_page(window_size(window), large=large), keys=CONTINUE_KEYS + QUIT_KEYS)
    if key in CONTINUE_KEYS:
        mark_safety_shown()
        return True
    return False


def fit_size(size: tuple[int, int], box: tuple[int, int] = DEFAULT_SIZE) -> tuple[int, int]:
    """`size` (width, height) scaled to fit inside `box`, keeping its shape (the window's size)."""
    w, h = size
    k = min(box[0] / w, box[1] / h)
    return max(1, int(w * k)), max(1, int(h * k))


def window_size(window: str, fallback: tuple[int, int] = DEFAULT_SIZE) -> tuple[int, int]:
    """The window's drawing area (width, height), so text pages are drawn sharp at screen size."""
    try:
        _, _, w, h = cv2.getWindowImageRect(window)
    except cv2.error:
        return fallback
    return (w, h) if w >= 320 and h >= 200 else fallback
