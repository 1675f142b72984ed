"""What the person is told, by code. Plans may replace any of these strings (e.g. a translation)."""
from __future__ import annotations

CUES: dict[str, str] = {
    # form faults (protocol.md)
    "ANTERIOR_TILT": "Tuck your tailbone under and don't arch your low back.",
    "HIPS_FORWARD": "Don't lunge deeper. Ease your hips back.",
    "HIPS_FORWARD_ARCHED": "Ease your hips back and tuck your tailbone.",
    "KNEE_PAST_ANKLE": "Ease back: keep your front knee over your ankle.",
    "FOOT_TOO_FAR": "Bring your front foot back, under your knee.",
    "LEANING_FORWARD": "Sit tall, chest up.",
    "NOT_SIDE_VIEW": "Turn sideways to the camera.",
    "NO_PERSON": "Step into view of the camera.",
    # guidance
    "STEP_BACK": "Step back so your whole body is in view.",
    "LOWER_CAMERA": "Lower or tilt the camera so your feet are in view.",
    "ONE_PERSON": "Only one person should be in view.",
    "TOO_DARK": "It is too dark to see you well. Add some light.",
    "TOO_BRIGHT": "The picture is washed out. Turn the camera away from bright light.",
    "COME_CLOSER": "Come a little closer to the camera.",
    "SETUP_OK": "Good, I can see all of you.",
    "SETUP_ANYWAY": "Let's start. I can't see you perfectly from here, so my tips may be less precise.",
    "GET_INTO_POSITION": "Kneel down with your {front} foot forward and your back knee on a soft pad.",
    "HOLD_START": "Good. Hold it there and breathe.",
    "GOOD_FORM": "That's it. Keep breathing.",
    "TEN_SECONDS": "Ten seconds.",
    "HOLD_COMPLETE": "Well done. Ease out of the stretch.",
    "SWITCH_SIDES": "Now switch sides: {front} foot forward.",
    "NEXT_REP": "Rest a moment, then once more with your {front} foot forward.",
    "ALL_DONE": "All done. Well done.",
    "PAIN_STOP": "Stopping. A stretch should never feel sharp or painful.",
    # pelvis: guided calibration (live) and what hides the low back
    "CALIB_NEUTRAL": "Let's learn your back. Side-on, hands on your front thigh: let your pelvis rest in the middle and hold still.",
    "CALIB_TUCK": "Now tuck your tailbone under, as far as is comfortable, and hold.",
    "CALIB_ARCH": "Now gently arch your low back, tailbone out, and hold.",
    "CALIB_DONE": "Thank you. Now settle into the stretch with your tailbone gently tucked.",
    "CALIB_LOOSE": "I can't see the shape of your low back through loose clothing, so I won't check your pelvis. A fitted top helps.",
    "CALIB_AGAIN": "The camera moved. Let's learn your back again.",
    "HANDS_ON_THIGH": "Rest your hands on your front thigh.",
    "PELVIS_UNCALIBRATED": "Without calibration my pelvis reading is rough. A short neutral hold at the start makes it reliable.",
    "PAIN_ADVICE": ("If the pain was sharp or shooting, does not settle, or your leg feels numb or weak, "
                    "see a physiotherapist or doctor."),
}


def cue_text(code: str, strings: dict[str, str] | None = None, **fields: str) -> str:
    """The text for `code`, from `strings` when given there, with {fields} filled in."""
    text = (strings or {}).get(code) or CUES.get(code) or code.replace("_", " ").capitalize()
    try:
        return text.format(**fields)
    except (KeyError, IndexError):
        return text
