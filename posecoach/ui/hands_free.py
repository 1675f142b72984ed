"""Hands-free control of a live session: commands read from the pose (posecoach.control.gestures)
and heard from a microphone (posecoach.control.speech), merged in stream time and made concrete
for the moment: "move on" becomes switch side, next exercise or end; a word that asks for what is
already so is dropped. The coach's own voice is never listened to (a guard mutes the microphone
while it speaks and a moment after).
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Literal

from posecoach.control.commands import END, MOVE_ON, PAUSE, RESUME, START, Command
from posecoach.control.gestures import GestureContext, GestureReader
from posecoach.core.errors import SourceError
from posecoach.core.types import Pose

Mode = Literal["waiting", "running", "paused"]


class HandsFree:
    """`update(pose, t_ms, mode, move_on) -> [Command]` once per frame, in the loop's thread.

    mic: `--mic` (a WAV file standing in for the microphone, a device, "default"), or None for no
    voice commands. speaking: whether the coach is speaking now (the guard).
    """

    def __init__(self, mic: str | None, speaking: Callable[[], bool]) -> None:
        self.gestures = GestureReader()
        self.listener = None
        self._mic = None
        self._started = False
        self.notice: str | None = None
        if mic is None:
            return
        try:
            from posecoach.control.listener import SpeakingGuard, VoiceListener
            from posecoach.control.microphone import open_microphone
            from posecoach.control.speech import KeywordSpotter, SpeechUnavailable
        except ImportError as e:  # a broken install: gestures still work
            self.notice = f"voice commands are off ({e})"
        else:
            try:
                self._mic = open_microphone(mic)
                self.listener = VoiceListener(self._mic, KeywordSpotter(), SpeakingGuard(speaking))
            except (SpeechUnavailable, SourceError) as e:
                self.notice = f"voice commands are off: {e}"
        if self.notice:
            print(f"posecoach: {self.notice}", file=sys.stderr)

    @property
    def listening(self) -> bool:
        return self.listener is not None

    def start(self, clock_origin: float | None, speed: float) -> None:
        """Share the video's clock (time.monotonic() of stream time 0, playback speed) with the
        microphone, so a word's time is a frame's t_ms; called with the first frame."""
        if self._started or self.listener is None or self._mic is None:
            return
        self._started = True
        self._mic.t0 = clock_origin
        if hasattr(self._mic, "speed"):
            self._mic.speed = speed
        self.listener.start()

    def update(self, pose: Pose, t_ms: int, mode: Mode, move_on: str | None) -> list[Command]:
        found = self.gestures.update(pose, t_ms, GestureContext(mode, move_on)) if pose.present else []
        if self.listener is not None:
            found += self.listener.poll(t_ms)
        out = []
        for c in sorted(found, key=lambda c: c.t_ms):
            meant = heard(c, mode, move_on)
            if meant is not None:
                out.append(Command(c.t_ms, meant, c.by))
        return out

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()


def heard(c: Command, mode: Mode, move_on: str | None) -> str | None:
    """What command `c` means now (`concrete`), except that a spoken "end" before the start is
    dropped: the keyword spotter hears a spoken "start" as "stop" (docs/voice-commands.md), and
    ending a session that has not begun helps nobody who says it; a key or gesture still ends it."""
    meant = concrete(c.command, mode, move_on)
    return None if meant == END and c.by == "voice" and mode == "waiting" else meant


def concrete(command: str, mode: Mode, move_on: str | None) -> str | None:
    """What `command` means now: move on -> the session's next step; resume or pause while
    waiting -> start; a pause while paused (or a resume while running) -> nothing."""
    if command == MOVE_ON:
        return move_on
    if mode == "waiting" and command in (START, RESUME, PAUSE):
        return START
    if (command == PAUSE and mode != "running") or (command in (RESUME, START) and mode != "paused"):
        return None
    return command
