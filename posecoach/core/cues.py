"""Every cue the coach can give, in one table: its code, what the person is told, how it ranks
against other cues, what kind of message it is, whether it is said once per moment, and its own
cooldown where it has one. Everything else (the pacing's priorities, the once-only codes, the
overlay's word and icon, the codes a plan may re-word) is derived from this table, so a new cue is
one new row here.

Texts may hold {front} (the leg to put forward) or {side} (the ball's side). Plans may replace any
text (a translation, the clinic's own words); a `variant_of` row (the pain stop said lying down)
takes the plan's text for its base code when the plan does not name the variant itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from posecoach.core.protocol import StrEnum


class Kind(StrEnum):
    """What kind of message a cue is, said on screen by a word and an icon (never colour alone)."""
    FIX = "fix"        # a form fault or the view: change something now
    SETUP = "setup"    # the camera, the light, being in view
    GOOD = "good"      # confirmation: form or setup is right, a hold is done
    STOP = "stop"      # the pain stop
    NEXT = "next"      # what comes next: positioning, milestones, prompts, transitions
    TEXT = "text"      # only part of another message (never a cue of its own)


@dataclass(frozen=True)
class CueSpec:
    """One row of the table.

    priority: higher first when several cues are wanted at once; a cue may cut into the gap after
        a lower-ranked one. once: said once when its moment comes, until the coach allows it again.
    urgent: never held back by the gap after another cue. cooldown_s: seconds before it may repeat,
        when the code has its own (else the exercise's pacing decides). spoken: False for a status
        shown on screen only.
    """
    code: str
    text: str
    priority: int
    kind: Kind
    once: bool = False
    urgent: bool = False
    cooldown_s: float | None = None
    spoken: bool = True
    variant_of: str | None = None


S = CueSpec
F, SE, G, ST, N, T = Kind.FIX, Kind.SETUP, Kind.GOOD, Kind.STOP, Kind.NEXT, Kind.TEXT
ROWS: tuple[CueSpec, ...] = (
    # the pain stop, and the advice said after it
    S("PAIN_STOP", "Stopping. A stretch should never feel sharp or painful.", 200, ST, once=True, urgent=True),
    S("PAIN_STOP_LYING", "Stopping. Ease out of the position slowly. It should never feel sharp or painful.",
      200, T, variant_of="PAIN_STOP"),
    S("PAIN_ADVICE", "If the pain was sharp or shooting, does not settle, or your leg feels numb or weak, "
                     "see a physiotherapist or doctor.", 0, T),
    # hands-free control: how to, and the confirmation of each command taken (posecoach.control);
    # said at once by the live loop, outside the pacing
    S("CMD_HOW", "To control me from the mat, raise one hand high above your head: hold it there a second to "
                 "pause or carry on, keep it up a few seconds more to move on, and wave it if anything hurts.",
      150, N),
    S("CMD_HOW_VOICE", "You can also say pause, resume, next or stop, on its own. If anything hurts, say ouch.",
      150, N),
    S("CMD_READY", "When you are ready, raise one hand above your head.", 150, N),
    S("CMD_START", "Starting. Raise your hand any time to pause.", 150, N),
    S("CMD_PAUSE", "Paused. Raise your hand to go on, or keep it up to move on.", 150, N),
    S("CMD_RESUME", "Going on.", 150, N),
    S("CMD_SWITCH_SIDE", "Switching sides.", 150, N),
    S("CMD_NEXT_EXERCISE", "On to the next exercise.", 150, N),
    S("CMD_END", "Ending the session. Well done.", 150, G),
    S("CMD_ONE_HAND", "I can't tell one hand from two. Raise just one hand, and turn a little towards me.", 150, N),
    # routine transitions (said as the routine moves on; they outrank every exercise cue)
    S("ROUTINE_START", "First, constructive rest. Put the camera at floor level, side-on, so your whole "
                       "body is in view. Press N at any time to move on to the next exercise.", 150, N),
    S("NEXT_LUNGE", "Next, the kneeling lunge. Kneel on something soft, side-on to the camera.", 150, N),
    S("NEXT_BALL", "Last, the soft-ball release. Lie face down with a soft ball just inside your front "
                   "hip bone.", 150, N),
    S("NEXT_REST", "Lie on your back with your knees bent and your feet flat.", 150, N),
    S("ROUTINE_COMPLETE", "The routine is complete. Well done.", 150, G),
    # the setup: camera, light, in view
    S("NO_PERSON", "Step into view of the camera.", 100, SE),
    S("LYING_SETUP", "I can't see you well. Put the camera at floor level, side-on, two to three metres "
                     "away, so your whole body is in view.", 100, SE, cooldown_s=20.0),
    S("ONE_PERSON", "Only one person should be in view.", 96, SE),
    S("STEP_BACK", "Step back so your whole body is in view.", 95, SE),
    S("LOWER_CAMERA", "Lower or tilt the camera so your feet are in view.", 94, SE),
    S("TOO_DARK", "It is too dark to see you well. Add some light.", 93, SE),
    S("TOO_BRIGHT", "The picture is washed out. Turn the camera away from bright light.", 93, SE),
    S("NOT_SIDE_VIEW", "Turn sideways to the camera.", 90, F),
    # ... said instead when it is clear which way (exercises.view.turn_cue): the person's own left/right
    S("TURN_LEFT", "Turn a little to your left, so the camera sees your side.", 90, T, variant_of="NOT_SIDE_VIEW"),
    S("TURN_RIGHT", "Turn a little to your right, so the camera sees your side.", 90, T, variant_of="NOT_SIDE_VIEW"),
    S("CAMERA_TO_SIDE", "Move the camera more to your side.", 90, T, variant_of="NOT_SIDE_VIEW"),
    S("COME_CLOSER", "Come a little closer to the camera.", 89, SE),
    S("SETUP_OK", "Good, I can see all of you, from the side.", 85, G, once=True, urgent=True),
    S("SETUP_ANYWAY", "Let's start. I can't see you perfectly from here, so my tips may be less precise.",
      85, G, once=True, urgent=True),
    # the pelvis: guided calibration and what hides the low back
    S("CALIB_NEUTRAL", "Let's learn your back. Side-on, hands on your front thigh: let your pelvis rest in "
                       "the middle and hold still.", 84, N),
    S("CALIB_TUCK", "Now tuck your tailbone under, as far as is comfortable, and hold.", 84, N),
    S("CALIB_ARCH", "Now gently arch your low back, tailbone out, and hold.", 84, N),
    S("CALIB_DONE", "Thank you. Now settle into the stretch with your tailbone gently tucked.", 84, G),
    S("CALIB_LOOSE", "I can't see the shape of your low back through loose clothing, so I won't check your "
                     "pelvis. A fitted top helps.", 84, N),
    S("CALIB_AGAIN", "The camera moved. Let's learn your back again.", 84, N),
    S("PELVIS_UNCALIBRATED", "Without calibration my pelvis reading is rough. A short neutral hold at the "
                             "start makes it reliable.", 66, N, once=True),
    S("HANDS_ON_THIGH", "Rest your hands on your front thigh.", 75, F),
    # kneeling lunge: form faults (protocol.md), then the hold
    S("ANTERIOR_TILT", "Tuck your tailbone under and don't arch your low back.", 80, F),
    S("HIPS_FORWARD_ARCHED", "Ease your hips back and tuck your tailbone.", 80, T),
    S("HIPS_FORWARD", "Don't lunge deeper. Ease your hips back.", 79, F),
    S("KNEE_PAST_ANKLE", "Ease back: keep your front knee over your ankle.", 78, F),
    S("FOOT_TOO_FAR", "Bring your front foot back, under your knee.", 77, F),
    S("LEANING_FORWARD", "Sit tall, chest up.", 76, F),
    S("ALL_DONE", "All done. Well done.", 70, G, once=True, urgent=True),
    S("HOLD_COMPLETE", "Well done. Ease out of the stretch.", 69, G, once=True, urgent=True),
    S("SWITCH_SIDES", "Now switch sides: {front} foot forward.", 68, N, once=True),
    S("NEXT_REP", "Rest a moment, then once more with your {front} foot forward.", 67, N, once=True),
    S("TEN_SECONDS", "Ten seconds.", 60, N, once=True),
    S("GET_INTO_POSITION", "Kneel down with your {front} foot forward and your back knee on a soft pad.", 50, N),
    S("HOLD_START", "Good. Hold it there and breathe.", 40, G, once=True),
    S("GOOD_FORM", "That's it. Keep breathing.", 30, G, spoken=False),
    # constructive rest
    S("GOT_UP", "You've come up. Lie back down when you're ready.", 85, N),
    S("PELVIS_LIFTED", "Let your hips sink back down to the floor.", 80, F),
    S("KNEES_STRAIGHT", "Bend your knees and slide your feet a little towards you.", 79, F),
    S("FEET_NOT_FLAT", "Let both feet rest flat on the floor.", 78, F),
    # both sentences already have natural-voice clips (REST_PROMPT_1, REST_PROMPT_4)
    S("ARCHED_BACK_LYING", "Let your lower back soften into the floor. Just let the floor hold you.", 77, F),
    S("REST_COMPLETE", "Well done. Roll onto your side and come up slowly.", 70, G, once=True),
    S("BREATHE_SLOWER", "Let your breathing slow down. Breathe in through your nose and let your belly rise.",
      60, N),
    S("REST_ONE_MINUTE", "One more minute.", 56, N, once=True),
    S("REST_HALFWAY", "Halfway there. Keep breathing slowly.", 55, N, once=True),
    S("REST_GET_INTO_POSITION", "Lie on your back with your knees bent and your feet flat, about hip-width "
                                "apart. Rest your hands on your lower belly.", 50, N, cooldown_s=20.0),
    S("REST_START", "Good. Let your back be heavy on the floor and breathe slowly into your belly.", 40, G,
      once=True),
    S("REST_PROMPT_1", "Let your lower back soften into the floor.", 30, N),
    S("REST_PROMPT_2", "Feel your belly rise into your hands as you breathe in.", 30, N),
    S("REST_PROMPT_3", "Let your jaw, shoulders and the front of your hips relax.", 30, N),
    S("REST_PROMPT_4", "Nothing to do. Just let the floor hold you.", 30, N),
    # soft-ball release
    S("BALL_GOT_UP", "You've come up. Lie face down on the ball again when you're ready.", 85, N,
      cooldown_s=30.0),
    S("BALL_COMPLETE", "Well done. Roll off the ball slowly and rest a moment.", 70, G, once=True),
    S("BALL_SWITCH_SIDE", "Ease off the ball. Now the {side} side: ball just inside the front hip bone.", 69, N,
      once=True),
    S("BALL_NEXT_SPOT", "Ease off the ball and move it a little, to the next tender spot.", 68, N, once=True),
    S("BALL_NO_PRESS", "Never press harder. Let it soften by itself while you breathe.", 60, N, once=True),
    S("BALL_TEN_SECONDS", "Ten seconds.", 55, N, once=True),
    S("BALL_GET_INTO_POSITION", "Lie face down with a soft ball just inside your {side} front hip bone, "
                                "forearms on the floor.", 50, N, cooldown_s=25.0),
    S("BALL_START", "Lower your weight onto the ball gently. Pause and breathe.", 40, G, once=True),
)


del S, F, SE, G, ST, N, T

CUE_TABLE: MappingProxyType[str, CueSpec] = MappingProxyType({r.code: r for r in ROWS})

# Derived views of the table.
PRIORITY: dict[str, int] = {c: r.priority for c, r in CUE_TABLE.items()}
ONCE = frozenset(c for c, r in CUE_TABLE.items() if r.once)
URGENT = frozenset(c for c, r in CUE_TABLE.items() if r.urgent)
TEXTS: dict[str, str] = {c: r.text for c, r in CUE_TABLE.items()}


def cue_text(code: str, strings: dict[str, str] | None = None, **fields: str) -> str:
    """What the person is told for `code`: the plan's text when it has one, else the table's, with
    {fields} filled in. An unknown code reads as its words ("SOME_CODE" -> "Some code")."""
    strings = strings or {}
    spec = CUE_TABLE.get(code)
    text = strings.get(code)
    if not text and spec is not None and spec.variant_of:
        text = strings.get(spec.variant_of)
    text = text or (spec.text if spec else code.replace("_", " ").capitalize())
    try:
        return text.format(**fields)
    except (KeyError, IndexError):
        return text


def kind_of(code: str) -> Kind | None:
    """The table's kind of a code (None for a code not in the table)."""
    spec = CUE_TABLE.get(code)
    return spec.kind if spec else None
