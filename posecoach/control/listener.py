"""Voice commands on a background thread, so recognition never blocks the video loop.

The loop calls `listener.poll(t_ms)` once per frame and gets the commands whose words ended at
or before that stream time. While the coach speaks, its own voice reaches the microphone: the
guard drops that audio (and `tail_ms` after it, the room's echo and the player's buffer), so the
coach's "Pause and breathe." cannot pause the session.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from posecoach.control.commands import Command
from posecoach.control.microphone import AudioChunk
from posecoach.control.speech import KeywordSpotter


class Guard(Protocol):
    def muted(self, chunk: AudioChunk) -> bool:
        """True when this chunk may hold the coach's own voice and must not be listened to."""


class SpeakingGuard:
    """Mutes while `speaking()` is true (polled as each chunk arrives: live or paced audio) and for
    `tail_ms` of audio after it last was."""

    def __init__(self, speaking: Callable[[], bool], tail_ms: int = 400) -> None:
        self.speaking, self.tail_ms = speaking, tail_ms
        self._last_ms: int | None = None

    def muted(self, chunk: AudioChunk) -> bool:
        if self.speaking():
            self._last_ms = chunk.end_ms
            return True
        return self._last_ms is not None and chunk.t_ms < self._last_ms + self.tail_ms


class SpanGuard:
    """Mutes chunks that overlap known speech spans [t0, t1 + tail_ms) in stream ms (a voice that
    reports when it played what; offline replays and benchmarks)."""

    def __init__(self, spans: Iterable[tuple[int, int]], tail_ms: int = 400) -> None:
        self.spans = sorted((int(a), int(b) + tail_ms) for a, b in spans)

    def muted(self, chunk: AudioChunk) -> bool:
        return any(a < chunk.end_ms and chunk.t_ms < b for a, b in self.spans)


class VoiceListener:
    """Reads `source` (an iterable of AudioChunk: microphone.WavMicrophone or a real one) on a
    daemon thread, spots keywords, and queues Commands for `poll`.

    stats: `audio_ms` heard, `muted_ms` dropped by the guard, `busy_s` spent recognising (CPU
    cost = busy_s / audio time), `error` if the thread died.
    """

    def __init__(self, source: Iterable[AudioChunk], spotter: KeywordSpotter | None = None,
                 guard: Guard | None = None) -> None:
        self.source = source
        self.spotter = spotter if spotter is not None else KeywordSpotter()
        self.guard = guard
        self.audio_ms = self.muted_ms = 0
        self.busy_s = 0.0
        self.error: str | None = None
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._pending: list[Command] = []
        self._thread = threading.Thread(target=self._run, name="posecoach-voice-commands", daemon=True)

    def start(self) -> "VoiceListener":
        self._thread.start()
        return self

    def poll(self, t_ms: int) -> list[Command]:
        """Commands whose word ended at or before stream time `t_ms`, oldest first, each once."""
        with self._lock:
            due = [c for c in self._pending if c.t_ms <= t_ms]
            self._pending = [c for c in self._pending if c.t_ms > t_ms]
        return due

    def close(self, timeout: float = 2.0) -> None:
        closer = getattr(self.source, "close", None)
        if callable(closer):
            closer()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            for chunk in self.source:
                self.audio_ms += chunk.end_ms - chunk.t_ms
                if self.guard is not None and self.guard.muted(chunk):
                    self.muted_ms += chunk.end_ms - chunk.t_ms
                    continue  # the spotter sees a gap and starts afresh after it
                t = time.perf_counter()
                found = self.spotter.feed(chunk.samples, chunk.t_ms)
                self.busy_s += time.perf_counter() - t
                if found:
                    with self._lock:
                        self._pending += found
        except Exception as e:  # a dead microphone must not take the session down
            self.error = f"voice commands stopped: {e}"
        finally:
            self.finished.set()
