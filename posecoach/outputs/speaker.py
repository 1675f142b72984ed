"""The live coach's voice with a mute switch: speech for cues (posecoach.outputs.voice: a worker
thread, never blocks the live loop). `muted` (key m, --mute, a plan's voice = false) silences it;
muting also cuts off what is being said. Without a speech engine cues are printed, after a
one-line notice (said when the voice is first wanted, so a muted session stays quiet).
"""
from __future__ import annotations

import sys

from posecoach.outputs.voice import TextVoice, make_voice


class Speaker:
    def __init__(self, enabled: bool, language: str = "en") -> None:
        self._muted = not enabled
        self._engine = make_voice(language=language, notice=enabled)
        self._noticed = enabled

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = value
        if value:
            self._engine.cancel()
        elif not self._noticed:
            self._noticed = True
            if isinstance(self._engine, TextVoice) and self._engine.warnings:
                print(f"posecoach: {self._engine.warnings[-1]}", file=sys.stderr)

    @property
    def engine_name(self) -> str:
        return self._engine.name

    def speaking(self) -> bool:
        """Whether the coach is speaking now (so voice commands do not hear it)."""
        return self._engine.speaking()

    def say(self, text: str) -> None:
        if not self._muted:
            self._engine.say(text)

    def say_now(self, text: str) -> None:
        """Cut off whatever is being said and say this, even when muted (the pain stop)."""
        self._engine.cancel()
        self._engine.say(text)

    def close(self) -> None:
        self._engine.close()
