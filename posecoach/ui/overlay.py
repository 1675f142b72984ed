"""Drawing: annotate(image, result) -> image. No state; the picture may be mirrored for display
only, after analysis, so left and right never swap in the measurements.

Text is white on a dark panel (contrast well above 4.5:1), and every state is said in words and
icons as well as colour ("FIX:" and a warning sign before a fault cue, "GOOD:" and a tick, "OK"
beside a good hold, OK/FIX on each setup check).
"""
from __future__ import annotations

import cv2
import numpy as np

from posecoach.core.cues import Kind, kind_of
from posecoach.core.landmarks import SKELETON, side_joints
from posecoach.core.landmarks import Landmark as L
from posecoach.core.protocol import FORM_FAULTS, TITLES, Fault, Phase
from posecoach.core.types import (
    BallNotes,
    FloorNotes,
    FrameNotes,
    FrameResult,
    LungeNotes,
    RestNotes,
)

Color = tuple[int, int, int]  # BGR
WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
GOOD, BAD, NEUTRAL = (80, 200, 80), (40, 60, 235), (235, 200, 80)  # BGR
FONT = cv2.FONT_HERSHEY_SIMPLEX


def text_box(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color: Color = WHITE,
             bg: Color = BLACK, thickness: int | None = None, pad: int = 6, alpha: float = 0.7) -> tuple[int, int]:
    """Draw text on a translucent dark box at org (top-left). Returns (width, height) drawn."""
    thickness = thickness or default_thickness(scale)
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thickness)
    x, y = org
    x0, y0, x1, y1 = x, y, min(img.shape[1], x + tw + 2 * pad), min(img.shape[0], y + th + base + 2 * pad)
    if x1 > x0 and y1 > y0:
        roi = img[y0:y1, x0:x1]
        roi[:] = cv2.addWeighted(roi, 1 - alpha, np.full_like(roi, bg), alpha, 0.0)  # 5x numpy's speed
    cv2.putText(img, text, (x + pad, y + pad + th), FONT, scale, color, thickness, cv2.LINE_AA)
    return _box(tw, th, base, pad)


def default_thickness(scale: float) -> int:
    """text_box's stroke width at `scale`."""
    return max(1, int(round(scale * 2)))


def _box(tw: int, th: int, base: int, pad: int) -> tuple[int, int]:
    """(width, height) of text_box's box around text of that size."""
    return tw + 2 * pad, th + base + 2 * pad


def wrap(text: str, scale: float, width: int, thickness: int) -> list[str]:
    """Split `text` into lines that fit `width` pixels at `scale`."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and cv2.getTextSize(trial, FONT, scale, thickness)[0][0] <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines or [""]


def draw_skeleton(img: np.ndarray, result: FrameResult) -> None:
    pose = result.pose
    if pose is None or not pose.present:
        return
    scale = max(1, round(img.shape[0] / 480))
    faulty = any(f in FORM_FAULTS for f in result.faults)
    in_lunge = isinstance(result.notes, LungeNotes) and result.notes.in_lunge
    color = BAD if faulty else (GOOD if in_lunge else NEUTRAL)
    pts = np.nan_to_num(pose.xy).astype(int)
    for a, b in SKELETON:
        cv2.line(img, tuple(pts[a]), tuple(pts[b]), color, 2 * scale, cv2.LINE_AA)
    for i in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
              L.LEFT_ANKLE, L.RIGHT_ANKLE):
        cv2.circle(img, tuple(pts[i]), 4 * scale, WHITE, -1, cv2.LINE_AA)


def box_size(text: str, scale: float, pad: int = 6) -> tuple[int, int]:
    """(width, height) of `text_box(img, text, org, scale)` with its default thickness and pad."""
    (tw, th), base = cv2.getTextSize(text, FONT, scale, default_thickness(scale))
    return _box(tw, th, base, pad)


def free_spot(placed: list[tuple[int, int, int, int]], x: int, y: int, w: int, h: int) -> tuple[int, int]:
    """(x, y) for a w x h box wanted at (x, y): moved down below any box in `placed` (x, y, w, h)
    it would overlap, so labels of joints close together in a small or oblique picture stay
    readable. Adds the chosen box to `placed`."""
    moved = True
    while moved:
        moved = False
        for px, py, pw, ph in placed:
            if x < px + pw and px < x + w and y < py + ph and py < y + h:
                y, moved = py + ph + 1, True
    placed.append((x, y, w, h))
    return x, y


def draw_angles(img: np.ndarray, result: FrameResult) -> None:
    """The key angles written next to their joints (moved apart where they would overlap)."""
    pose, m = result.pose, result.metrics
    if pose is None or not pose.present or result.front_side is None:
        return
    s = img.shape[0] / 480
    front = side_joints(result.front_side)
    back = side_joints("left" if result.front_side == "right" else "right")
    labels = [
        (front["knee"], m.front_knee_angle_deg, "knee"),
        (front["ankle"], m.shin_tilt_deg, "shin"),
        (back["hip"], m.back_hip_extension_deg, "hip"),
        (L.LEFT_SHOULDER, m.trunk_lean_deg, "trunk"),
    ]
    texts = [(lm, f"{name} {value:.0f}", -10) for lm, value, name in labels if value is not None]
    if m.pelvic_tilt_deg is not None:
        texts.append((back["hip"], f"pelvis {m.pelvic_tilt_deg:+.0f}", 14))
    placed: list[tuple[int, int, int, int]] = []
    for lm, text, dy in texts:
        x, y = np.nan_to_num(pose.xy[lm]).astype(int)
        org = free_spot(placed, int(x) + int(10 * s), int(y) + int(dy * s), *box_size(text, 0.5 * s))
        text_box(img, text, org, 0.5 * s)


# What kind of message a cue is, said in a word and an icon (never by colour alone): from the cue table.
KIND_LOOK = {Kind.FIX: ("FIX", "warn"), Kind.SETUP: ("SETUP", "info"), Kind.GOOD: ("GOOD", "check"),
             Kind.STOP: ("STOP", "cross")}
SETUP_CHECKS = (  # (label, the codes that mean this check fails)
    ("Whole body in view", (Fault.NO_PERSON, "STEP_BACK", "LOWER_CAMERA")),
    ("Side-on to the camera", (Fault.NOT_SIDE_VIEW,)),
    ("Close enough", ("COME_CLOSER",)),
    ("Good light", ("TOO_DARK", "TOO_BRIGHT")),
)


def cue_kind(code: str | None, faults: list[str]) -> tuple[str, str]:
    """(word, icon) for a cue: FIX/warn, SETUP/info, GOOD/check, STOP/cross, NEXT/arrow."""
    if code is None:
        fix = any(f in FORM_FAULTS or f == Fault.NOT_SIDE_VIEW for f in faults)
        return ("FIX", "warn") if fix else ("", "")
    kind = kind_of(code)
    return KIND_LOOK.get(kind, ("NEXT", "arrow")) if kind is not None else ("NEXT", "arrow")


def _clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


def status_lines(notes: FrameNotes, phase: Phase) -> list[str]:
    """The lines shown at the top of the picture for the floor exercises and the routine's
    transitions; [] for the kneeling lunge (it draws its own hold timers)."""
    stage = notes.routine_stage
    prefix = f"{stage[0]}/{stage[1]} " if stage else ""
    if phase == Phase.TRANSITION:
        return [f"{prefix}NEXT: {TITLES.get(str(notes.exercise), str(notes.exercise)).upper()}"]
    if not isinstance(notes, FloorNotes):
        return []
    ok = " OK" if notes.good_form else ""
    timer, target = notes.timer_s, notes.target_s
    if isinstance(notes, RestNotes):
        rate = notes.breathing_rate_bpm
        return [f"{prefix}REST {_clock(timer)} / {_clock(target)}{ok}",
                f"BREATHING {rate:.0f} /min" if rate is not None else "BREATHING --"]
    side = notes.ball_side if isinstance(notes, BallNotes) else None
    spot = notes.spot if isinstance(notes, BallNotes) else None
    where = f"{str(side).upper()} SIDE, SPOT {spot}" if side else "BALL"
    return [f"{prefix}BALL {where}: {timer:.0f} / {target:.0f} s{ok}"]


def draw_icon(img: np.ndarray, kind: str, x: int, y: int, size: int, color: Color = WHITE) -> None:
    """A small line icon in a size x size box at (x, y): check, cross, warn (!), info (i), arrow."""
    t = max(2, size // 9)
    s = size
    if kind == "check":
        cv2.polylines(img, [np.array([[x + s * 0.12, y + s * 0.55], [x + s * 0.4, y + s * 0.82],
                                      [x + s * 0.9, y + s * 0.18]], np.int32)], False, color, t + 1, cv2.LINE_AA)
    elif kind == "cross":
        cv2.line(img, (x + s // 6, y + s // 6), (x + 5 * s // 6, y + 5 * s // 6), color, t + 1, cv2.LINE_AA)
        cv2.line(img, (x + 5 * s // 6, y + s // 6), (x + s // 6, y + 5 * s // 6), color, t + 1, cv2.LINE_AA)
    elif kind == "warn":
        tri = np.array([[x + s // 2, y + s // 12], [x + s - s // 12, y + s - s // 12], [x + s // 12, y + s - s // 12]],
                       np.int32)
        cv2.polylines(img, [tri], True, color, t, cv2.LINE_AA)
        cv2.line(img, (x + s // 2, y + 3 * s // 8), (x + s // 2, y + 5 * s // 8), color, t, cv2.LINE_AA)
        cv2.circle(img, (x + s // 2, y + 3 * s // 4), max(1, t // 2 + 1), color, -1, cv2.LINE_AA)
    elif kind == "info":
        cv2.circle(img, (x + s // 2, y + s // 2), s // 2 - t, color, t, cv2.LINE_AA)
        cv2.line(img, (x + s // 2, y + 7 * s // 16), (x + s // 2, y + 3 * s // 4), color, t, cv2.LINE_AA)
        cv2.circle(img, (x + s // 2, y + 5 * s // 16), max(1, t // 2 + 1), color, -1, cv2.LINE_AA)
    elif kind == "arrow":
        cv2.arrowedLine(img, (x + s // 8, y + s // 2), (x + 7 * s // 8, y + s // 2), color, t + 1, cv2.LINE_AA,
                        tipLength=0.45)


def scale_for(px: float, thickness: int) -> float:
    """The font scale whose capital letters are `px` pixels tall."""
    return px / cv2.getTextSize("H", FONT, 1.0, thickness)[0][1]


def draw_cue_banner(img: np.ndarray, text: str, code: str | None, faults: list[str], large: bool) -> None:
    """The cue across the bottom: a word and an icon for its kind, white on black.

    Capital letters are 4.5% of the picture height (7.5% in large mode, 6.2% for portrait frames;
    readable from 3 m on a laptop screen); the panel is opaque in large mode (contrast 21:1) and
    85% black otherwise.
    """
    h, w = img.shape[:2]
    cap = max(12.0, (0.045 if not large else 0.075 if w >= h else 0.062) * h)  # portrait: fewer lines
    thick = max(2, int(round(cap / 11)))
    scale = scale_for(cap, thick)
    word, icon = cue_kind(code, faults)
    pad = int(cap * 0.5)
    icon_w = int(cap * 1.6) if icon else 0
    label = f"{word}: {text}" if word else text
    lines = wrap(label, scale, w - 3 * pad - icon_w, thick)
    line_h = int(cap * 1.7)
    top = h - line_h * len(lines) - 2 * pad
    roi = img[top:h, 0:w]
    alpha = 1.0 if large else 0.85
    roi[:] = cv2.convertScaleAbs(roi, alpha=1 - alpha)  # darken: ~10x faster than numpy floats
    cv2.line(img, (0, top), (w, top), WHITE, max(1, thick // 2))
    if icon:
        draw_icon(img, icon, pad, top + pad + int(cap * 0.1), int(cap * 1.3))
    for i, line in enumerate(lines):
        y = top + pad + int(cap * 1.3) + i * line_h
        cv2.putText(img, line, (pad + icon_w + pad // 2, y), FONT, scale, WHITE, thick, cv2.LINE_AA)


def draw_setup_checklist(img: np.ndarray, issues: list[str], large: bool) -> None:
    """Before coaching: each setup check with a tick or a cross and OK / FIX in words."""
    h, w = img.shape[:2]
    cap = max(10.0, (0.05 if large else 0.03) * h)
    thick = max(1, int(round(cap / 10)))
    scale = scale_for(cap, thick)
    row = int(cap * 2.0)
    rows = [("SETUP", "")] + [(label, "FIX" if any(c in issues for c in codes) else "OK")
                                for label, codes in SETUP_CHECKS]
    width = max(cv2.getTextSize(f"FIX  {label}", FONT, scale, thick)[0][0] for label, _ in rows) + int(cap * 3.5)
    x0 = max(0, w - width - int(cap))
    y0 = int(cap * 0.8) + (int(cap * 2.4) if not large else 0)
    roi = img[y0:min(h, y0 + row * len(rows) + int(cap)), x0:min(w, x0 + width)]
    roi[:] = cv2.convertScaleAbs(roi, alpha=0.15)
    for i, (label, state) in enumerate(rows):
        y = y0 + int(cap * 0.5) + i * row
        if not state:
            cv2.putText(img, "SETUP CHECK", (x0 + int(cap * 0.5), y + int(cap)), FONT, scale, WHITE, thick,
                        cv2.LINE_AA)
            continue
        draw_icon(img, "check" if state == "OK" else "cross", x0 + int(cap * 0.4), y - int(cap * 0.15),
                  int(cap * 1.3))
        cv2.putText(img, f"{state:<3}  {label}", (x0 + int(cap * 2.2), y + int(cap)), FONT, scale, WHITE, thick,
                    cv2.LINE_AA)


def draw_status(img: np.ndarray, result: FrameResult, cue_text: str | None, fps: float | None,
                large: bool = False, muted: bool = False, cue_code: str | None = None,
                target_s: float | None = None) -> None:
    """Hold timers and phase at the top, the setup checklist, the cue banner at the bottom."""
    h, w = img.shape[:2]
    s = h / 480 * (1.6 if large else 1.0)
    y = 8
    hold = result.hold_s
    lines = status_lines(result.notes, result.phase)  # floor exercises, routine transitions
    for line in lines:
        _, bh = text_box(img, line, (8, y), 0.6 * s, alpha=0.9 if large else 0.7)
        y += bh + 4
    for side in (() if lines else ("left", "right")):
        if large and result.front_side not in (None, side) and hold.get(side, 0.0) == 0.0:
            continue  # in large mode only the side being held, to keep the screen quiet
        mark = " <" if result.front_side == side else ""
        ok = " OK" if result.notes.good_form and result.front_side == side else ""
        goal = f" / {target_s:.0f}" if target_s else ""
        _, bh = text_box(img, f"{side.upper()} {hold.get(side, 0.0):4.1f}{goal} s{ok}{mark}", (8, y), 0.6 * s,
                         alpha=0.9 if large else 0.7)
        if target_s and result.front_side == side:
            bar_w, frac = int(0.3 * w), min(1.0, hold.get(side, 0.0) / target_s)
            by = y + bh + 2
            cv2.rectangle(img, (10, by), (10 + bar_w, by + int(8 * s)), WHITE, max(1, int(s)))
            cv2.rectangle(img, (10, by), (10 + int(bar_w * frac), by + int(8 * s)), WHITE, -1)
            bh += int(8 * s) + 4
        y += bh + 4
    text_box(img, result.phase.upper(), (8, y), 0.5 * s, alpha=0.9 if large else 0.7)
    right = []
    if fps is not None and not large:
        right.append(f"{fps:4.1f} fps")
    if muted:
        right.append("MUTED")
    if right:
        label = "  ".join(right)
        tw = cv2.getTextSize(label, FONT, 0.5 * s, max(1, int(s)))[0][0]
        text_box(img, label, (w - tw - 24, 8), 0.5 * s)
    if isinstance(result.notes, LungeNotes) and result.notes.setup_issues is not None:
        draw_setup_checklist(img, result.notes.setup_issues, large)
    if cue_text:
        draw_cue_banner(img, cue_text, cue_code, result.faults, large)


def annotate(image: np.ndarray, result: FrameResult, cue_text: str | None = None, fps: float | None = None,
             mirror: bool = False, large: bool = False, muted: bool = False, cue_code: str | None = None,
             target_s: float | None = None) -> np.ndarray:
    """A copy of `image` with skeleton, angles, timers and the cue drawn on it.

    mirror flips the picture (selfie view) and then draws text unmirrored; the analysis is untouched.
    large: the clinic display (big text, no angle labels). cue_code picks the cue's word and icon.
    """
    out = image.copy()
    draw_skeleton(out, result)
    if not large:
        draw_angles(out, result)
    if mirror:
        out = cv2.flip(out, 1)
    draw_status(out, result, cue_text, fps, large=large, muted=muted, cue_code=cue_code, target_s=target_s)
    return out
