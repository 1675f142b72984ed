"""What the person is told in constructive rest, the soft-ball release and between exercises of the
routine, by code. Calm, short sentences; plans may replace any of them like the lunge's cues.
"""
from __future__ import annotations

FLOOR_CUES: dict[str, str] = {
    # both floor exercises
    "LYING_SETUP": "I can't see you well. Put the camera at floor level, side-on, two to three "
                   "metres away, so your whole body is in view.",
    "PAIN_STOP": "Stopping. Ease out of the position slowly. It should never feel sharp or painful.",
    # constructive rest
    "REST_GET_INTO_POSITION": "Lie on your back with your knees bent and your feet flat, about hip-width "
                              "apart. Rest your hands on your lower belly.",
    "REST_START": "Good. Let your back be heavy on the floor and breathe slowly into your belly.",
    "KNEES_STRAIGHT": "Bend your knees and slide your feet a little towards you.",
    "FEET_NOT_FLAT": "Let both feet rest flat on the floor.",
    "PELVIS_LIFTED": "Let your hips sink back down to the floor.",
    "BREATHE_SLOWER": "Let your breathing slow down. Breathe in through your nose and let your belly rise.",
    "REST_PROMPT_1": "Let your lower back soften into the floor.",
    "REST_PROMPT_2": "Feel your belly rise into your hands as you breathe in.",
    "REST_PROMPT_3": "Let your jaw, shoulders and the front of your hips relax.",
    "REST_PROMPT_4": "Nothing to do. Just let the floor hold you.",
    "REST_HALFWAY": "Halfway there. Keep breathing slowly.",
    "REST_ONE_MINUTE": "One more minute.",
    "REST_COMPLETE": "Well done. Roll onto your side and come up slowly.",
    "GOT_UP": "You've come up. Lie back down when you're ready.",
    # soft-ball release
    "BALL_GET_INTO_POSITION": "Lie face down with a soft ball just inside your {side} front hip bone, "
                              "forearms on the floor.",
    "BALL_START": "Lower your weight onto the ball gently. Pause and breathe.",
    "BALL_NO_PRESS": "Never press harder. Let it soften by itself while you breathe.",
    "BALL_TEN_SECONDS": "Ten seconds.",
    "BALL_NEXT_SPOT": "Ease off the ball and move it a little, to the next tender spot.",
    "BALL_SWITCH_SIDE": "Ease off the ball. Now the {side} side: ball just inside the front hip bone.",
    "BALL_COMPLETE": "Well done. Roll off the ball slowly and rest a moment.",
    "BALL_GOT_UP": "You've come up. Lie face down on the ball again when you're ready.",
    # routine transitions
    "ROUTINE_START": "First, constructive rest. Put the camera at floor level, side-on, so your whole body "
                     "is in view. Press N at any time to move on to the next exercise.",
    "NEXT_LUNGE": "Next, the kneeling lunge. Kneel on something soft, side-on to the camera.",
    "NEXT_BALL": "Last, the soft-ball release. Lie face down with a soft ball just inside your front "
                 "hip bone.",
    "NEXT_REST": "Lie on your back with your knees bent and your feet flat.",
    "ROUTINE_COMPLETE": "The routine is complete. Well done.",
}


def floor_strings(strings: dict[str, str] | None = None) -> dict[str, str]:
    """The floor cues with a plan's replacements laid over them."""
    return {**FLOOR_CUES, **(strings or {})}


def _clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


TITLES = {"rest": "Constructive rest", "lunge": "Kneeling lunge", "ball": "Soft-ball release"}


def status_lines(notes: dict, phase: str) -> list[str]:
    """The lines shown at the top of the picture for the floor exercises and the routine's
    transitions, from a frame's notes; [] for the kneeling lunge (it draws its own hold timers)."""
    exercise = notes.get("exercise")
    stage = notes.get("routine_stage")
    prefix = f"{stage}/{notes.get('routine_stages')} " if stage else ""
    if phase == "transition":
        return [f"{prefix}NEXT: {TITLES.get(str(exercise), str(exercise)).upper()}"]
    if exercise not in ("rest", "ball"):
        return []
    ok = " OK" if notes.get("good_form") else ""
    timer, target = float(notes.get("timer_s") or 0.0), float(notes.get("target_s") or 0.0)
    if exercise == "rest":
        lines = [f"{prefix}REST {_clock(timer)} / {_clock(target)}{ok}"]
        rate = notes.get("breathing_rate_bpm")
        lines.append(f"BREATHING {rate:.0f} /min" if isinstance(rate, (int, float)) else "BREATHING --")
        return lines
    side = notes.get("ball_side")
    where = f"{str(side).upper()} SIDE, SPOT {notes.get('spot')}" if side else "BALL"
    return [f"{prefix}BALL {where}: {timer:.0f} / {target:.0f} s{ok}"]
