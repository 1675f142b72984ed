"""Drawing: annotate(image, result) -> image. No state; the picture may be mirrored for display
only, after analysis, so left and right never swap in the measurements.

Text is white on a dark panel (contrast well above 4.5:1), and every state is said in words as
well as colour (e.g. "FIX:" before a fault cue, "OK" beside a good hold).
"""
from __future__ import annotations

import cv2
import numpy as np

from posecoach.exercises.lunge import FORM_FAULTS
from posecoach.landmarks import SKELETON
from posecoach.landmarks import Landmark as L
from posecoach.landmarks import side_joints
from posecoach.types import FrameResult

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
GOOD, BAD, NEUTRAL = (80, 200, 80), (40, 60, 235), (235, 200, 80)  # BGR
FONT = cv2.FONT_HERSHEY_SIMPLEX


def text_box(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color=WHITE,
             bg=BLACK, thickness: int | None = None, pad: int = 6, alpha: float = 0.7) -> tuple[int, int]:
    """Draw text on a translucent dark box at org (top-left). Returns (width, height) drawn."""
    thickness = thickness or max(1, int(round(scale * 2)))
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thickness)
    x, y = org
    x0, y0, x1, y1 = x, y, min(img.shape[1], x + tw + 2 * pad), min(img.shape[0], y + th + base + 2 * pad)
    if x1 > x0 and y1 > y0:
        roi = img[y0:y1, x0:x1]
        roi[:] = (roi * (1 - alpha) + np.array(bg) * alpha).astype(np.uint8)
    cv2.putText(img, text, (x + pad, y + pad + th), FONT, scale, color, thickness, cv2.LINE_AA)
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
    color = BAD if faulty else (GOOD if result.notes.get("in_lunge") else NEUTRAL)
    pts = np.nan_to_num(pose.xy).astype(int)
    for a, b in SKELETON:
        cv2.line(img, tuple(pts[a]), tuple(pts[b]), color, 2 * scale, cv2.LINE_AA)
    for i in (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
              L.LEFT_ANKLE, L.RIGHT_ANKLE):
        cv2.circle(img, tuple(pts[i]), 4 * scale, WHITE, -1, cv2.LINE_AA)


def draw_angles(img: np.ndarray, result: FrameResult) -> None:
    """The key angles written next to their joints."""
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
    for lm, value, name in labels:
        if value is None:
            continue
        x, y = np.nan_to_num(pose.xy[lm]).astype(int)
        text_box(img, f"{name} {value:.0f}", (x + int(10 * s), y - int(10 * s)), 0.5 * s)
    if m.pelvic_tilt_deg is not None:
        x, y = np.nan_to_num(pose.xy[back["hip"]]).astype(int)
        text_box(img, f"pelvis {m.pelvic_tilt_deg:+.0f}", (x + int(10 * s), y + int(14 * s)), 0.5 * s)


def draw_status(img: np.ndarray, result: FrameResult, cue_text: str | None, fps: float | None,
                large: bool = False, muted: bool = False) -> None:
    """Cue in large text at the bottom, hold timers and phase at the top, fps in the corner."""
    h, w = img.shape[:2]
    s = h / 480 * (1.6 if large else 1.0)
    y = 8
    hold = result.hold_s
    for side in ("left", "right"):
        mark = " <" if result.front_side == side else ""
        ok = " OK" if result.notes.get("good_form") and result.front_side == side else ""
        _, bh = text_box(img, f"{side.upper()} {hold.get(side, 0.0):4.1f}s{ok}{mark}", (8, y), 0.6 * s)
        y += bh + 4
    text_box(img, result.phase.upper(), (8, y), 0.5 * s)
    right = []
    if fps is not None:
        right.append(f"{fps:4.1f} fps")
    if muted:
        right.append("MUTED")
    if right:
        label = "  ".join(right)
        tw = cv2.getTextSize(label, FONT, 0.5 * s, max(1, int(s)))[0][0]
        text_box(img, label, (w - tw - 24, 8), 0.5 * s)
    if cue_text:
        faulty = any(f in FORM_FAULTS or f == "NOT_SIDE_VIEW" for f in result.faults)
        prefix = "FIX: " if faulty else ""
        thick = max(2, int(round(1.9 * s)))
        lines = wrap(prefix + cue_text, 0.95 * s, w - 40, thick)
        line_h = int(40 * s)
        y0 = h - 16 - line_h * len(lines)
        for i, line in enumerate(lines):
            text_box(img, line, (12, y0 + i * line_h), 0.95 * s, thickness=thick, alpha=0.8)


def annotate(image: np.ndarray, result: FrameResult, cue_text: str | None = None, fps: float | None = None,
             mirror: bool = False, large: bool = False, muted: bool = False) -> np.ndarray:
    """A copy of `image` with skeleton, angles, timers and the cue drawn on it.

    mirror flips the picture (selfie view) and then draws text unmirrored; the analysis is untouched.
    """
    out = image.copy()
    draw_skeleton(out, result)
    draw_angles(out, result)
    if mirror:
        out = cv2.flip(out, 1)
    draw_status(out, result, cue_text, fps, large=large, muted=muted)
    return out
