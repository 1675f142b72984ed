"""The picture people read: cue size and contrast in the clinic display, state in words and icons."""
from __future__ import annotations

import numpy as np
import pytest
from builders import lunge_pose
from live_helpers import contrast

from posecoach.core.types import FrameResult, LungeNotes, Metrics
from posecoach.ui.overlay import annotate, cue_kind

W, H = 1280, 720


def result(faults=(), notes=None) -> FrameResult:
    pose = lunge_pose(size=(W, H), scale=200, origin=(600, 650))
    return FrameResult(frame=0, t_ms=0, person=True, view="side", front_side="left", phase="holding",
                       metrics=Metrics(90, 2, 0.0, 5, 22, -2), faults=list(faults), cue=None,
                       hold_s={"left": 12.0, "right": 0.0}, pose=pose,
                       notes=notes or LungeNotes(in_lunge=True, good_form=not faults))


def banner(img: np.ndarray) -> np.ndarray:
    """The cue banner: the rows below the white rule drawn across the full width at its top."""
    grey = img.mean(axis=2)
    rows = np.where((grey > 240).mean(axis=1) > 0.97)[0]
    rows = rows[rows > H // 2]
    assert rows.size, "no banner rule found"
    return grey[rows.max() + 2:]


@pytest.mark.parametrize("background", [255, 128, 0])
@pytest.mark.parametrize("large, min_ratio", [(True, 15.0), (False, 7.0)])
def test_cue_text_contrast_on_any_background(background, large, min_ratio):
    img = np.full((H, W, 3), background, np.uint8)
    out = annotate(img, result(("LEANING_FORWARD",)), "Sit tall, chest up.", large=large, cue_code="LEANING_FORWARD")
    b = banner(out)
    text, panel = np.percentile(b, 99.9), np.median(b)
    assert contrast(text, panel) >= max(4.5, min_ratio)


def cap_height(b: np.ndarray) -> int:
    """Height in pixels of the first text line's letters in the banner (rows with bright pixels)."""
    inked = (b > 200).sum(axis=1) > 2
    start = int(np.argmax(inked))
    end = start + int(np.argmin(inked[start:]))
    return end - start


def test_large_mode_cue_is_at_least_six_percent_of_the_screen_height():
    img = np.full((H, W, 3), 90, np.uint8)
    large = cap_height(banner(annotate(img, result(), "Sit tall, chest up.", large=True, cue_code="LEANING_FORWARD")))
    normal = cap_height(banner(annotate(img, result(), "Sit tall, chest up.", cue_code="LEANING_FORWARD")))
    assert large >= 0.06 * H, large
    assert large > 1.4 * normal


def test_portrait_frames_keep_the_size_and_wrap():
    h, w = 1920, 1080
    img = np.full((h, w, 3), 90, np.uint8)
    r = result()
    r.pose = None
    out = annotate(img, r, "Ease back: keep your front knee over your ankle.", large=True, cue_code="KNEE_PAST_ANKLE")
    grey = out.mean(axis=2)
    rows = np.where((grey > 240).mean(axis=1) > 0.97)[0]
    top = rows[rows > h // 4].max()
    assert (h - top) > 2 * 0.06 * h  # several lines, none cut off at the right edge
    assert (grey[top + 2:, -3:] < 20).all()


def test_state_is_said_in_words_and_icons_not_colour_alone():
    assert cue_kind("LEANING_FORWARD", [])[0] == "FIX"
    assert cue_kind("HOLD_START", [])[0] == "GOOD"
    assert cue_kind("STEP_BACK", [])[0] == "SETUP"
    assert cue_kind("PAIN_STOP", [])[0] == "STOP"
    img = np.full((H, W, 3), 90, np.uint8)
    fix = banner(annotate(img, result(), "Hold it there.", large=True, cue_code="LEANING_FORWARD"))
    good = banner(annotate(img, result(), "Hold it there.", large=True, cue_code="HOLD_START"))
    # in greyscale (no colour at all) the two banners differ: word and icon
    assert np.abs(fix - good).mean() > 2.0


def test_setup_checklist_marks_each_check_in_words():
    img = np.full((H, W, 3), 90, np.uint8)
    ok = annotate(img, result(notes=LungeNotes(setup_issues=[])), None)
    bad = annotate(img, result(notes=LungeNotes(setup_issues=["NOT_SIDE_VIEW", "TOO_DARK"])), None)
    none = annotate(img, result(), None)
    right = slice(W // 2, W)
    assert np.abs(ok[:, right].astype(int) - none[:, right]).mean() > 1  # the checklist is drawn
    assert np.abs(ok[:, right].astype(int) - bad[:, right]).mean() > 0.2  # and says which checks fail


def test_angle_labels_of_a_small_person_do_not_cover_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seen small or obliquely, the knee, hip and pelvis labels sit a few pixels apart: each is
    moved below the ones it would cover, so every value stays readable."""
    from posecoach.ui import overlay

    drawn: list[tuple[int, int, int, int]] = []
    real = overlay.text_box

    def spy(img, text, org, scale, *a, **k):  # type: ignore[no-untyped-def]  # test double of text_box
        w, h = real(img, text, org, scale, *a, **k)
        drawn.append((org[0], org[1], w, h))
        return w, h

    monkeypatch.setattr(overlay, "text_box", spy)
    tiny = lunge_pose(size=(640, 480), scale=12, origin=(320, 300))
    res = FrameResult(frame=0, t_ms=0, person=True, view="side", front_side="left", phase="holding",
                      metrics=Metrics(90, 2, 0.0, 5, 22, -2), faults=[], cue=None, hold_s={}, pose=tiny,
                      notes=LungeNotes(in_lunge=True, good_form=True))
    overlay.draw_angles(np.zeros((480, 640, 3), np.uint8), res)
    assert len(drawn) == 5  # knee, shin, hip, trunk, pelvis
    for i, (x, y, w, h) in enumerate(drawn):
        for x2, y2, w2, h2 in drawn[i + 1:]:
            assert not (x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h)
    # the sizes free_spot planned with are the sizes drawn
    assert all((w, h) == overlay.box_size(t, 0.5) for (_, _, w, h), t in
               zip(drawn, ["knee 90", "shin 2", "hip 5", "trunk 22", "pelvis -2"]))
