"""Spoken commands: the keyword spotter on real speech audio (tests/data/audio, see its README),
the coach's-own-voice guard, the listener thread, and the notice when the engine is missing."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from posecoach.control.commands import Command
from posecoach.control.listener import SpanGuard, SpeakingGuard, VoiceListener
from posecoach.control.microphone import AudioChunk, WavMicrophone
from posecoach.control import speech

AUDIO = Path(__file__).parent / "data" / "audio"
pytest.importorskip("pocketsphinx", reason="the voice-control extra is not installed")


def spot(name: str, guard=None, **kw) -> list[Command]:
    spotter = speech.KeywordSpotter(**kw)
    out: list[Command] = []
    for chunk in WavMicrophone(AUDIO / name, paced=False):
        if guard is not None and guard.muted(chunk):
            continue
        out += spotter.feed(chunk.samples, chunk.t_ms)
    return out


def test_pause_then_resume_gives_exactly_those_two_commands_when_the_words_end():
    truth = json.loads((AUDIO / "pause_resume.json").read_text())
    found = spot("pause_resume.wav")
    assert [c.command for c in found] == ["pause", "resume"]
    for c, t in zip(found, truth):
        assert c.by == "voice"
        assert t["start_ms"] < c.t_ms <= t["end_ms"] + 300, (c, t)


def test_speech_without_command_words_gives_no_command():
    assert spot("negative.wav") == []


def coach_spans() -> list[tuple[int, int]]:
    return [tuple(s) for s in json.loads((AUDIO / "coach_echo.json").read_text())["speaking"]]


def test_the_coachs_own_words_are_heard_without_the_guard_and_ignored_with_it():
    assert spot("coach_echo.wav"), "the echo holds command words: without a guard some must fire"
    assert spot("coach_echo.wav", guard=SpanGuard(coach_spans(), tail_ms=400)) == []


def test_listener_polls_commands_by_stream_time_and_mutes_while_the_coach_speaks():
    spans = coach_spans()
    state = {"t": 0}

    def chunks():  # as a live source would: speaking() is asked as each chunk arrives
        for c in WavMicrophone(AUDIO / "coach_echo.wav", paced=False):
            state["t"] = c.t_ms
            yield c

    def speaking() -> bool:
        return any(a <= state["t"] < b for a, b in spans)

    guarded = VoiceListener(chunks(), guard=SpeakingGuard(speaking, tail_ms=400)).start()
    assert guarded.finished.wait(30)
    assert guarded.poll(10**9) == [] and guarded.muted_ms > 2000 and guarded.error is None

    listener = VoiceListener(WavMicrophone(AUDIO / "pause_resume.wav", paced=False)).start()
    assert listener.finished.wait(30)
    first = listener.poll(4000)
    assert [c.command for c in first] == ["pause"]
    assert [c.command for c in listener.poll(10**9)] == ["resume"] and listener.poll(10**9) == []
    assert 0 < listener.busy_s < 5


def test_listening_never_blocks_the_video_loop():
    listener = VoiceListener(WavMicrophone(AUDIO / "pause_resume.wav", speed=4.0)).start()
    worst, got = 0.0, []
    while not listener.finished.is_set():
        t = time.perf_counter()
        got += listener.poll(10**9)
        worst = max(worst, time.perf_counter() - t)
        time.sleep(0.01)
    listener.close()
    got += listener.poll(10**9)
    assert worst < 0.01
    assert [c.command for c in got] == ["pause", "resume"]


def test_a_gap_in_the_audio_starts_a_fresh_utterance_and_keeps_times():
    spotter = speech.KeywordSpotter()
    silence = np.zeros(1600, np.int16)
    for i in range(10):
        spotter.feed(silence, i * 100)
    x = WavMicrophone(AUDIO / "pause_resume.wav", paced=False)
    found = []
    for c in x:  # the same audio, 60 s later in the stream
        found += spotter.feed(c.samples, c.t_ms + 60000)
    truth = json.loads((AUDIO / "pause_resume.json").read_text())
    assert [c.command for c in found] == ["pause", "resume"]
    assert abs(found[0].t_ms - 60000 - truth[0]["end_ms"]) < 400


def test_speaking_guard_keeps_a_tail_after_the_coach_stops():
    talking = {"now": True}
    g = SpeakingGuard(lambda: talking["now"], tail_ms=400)
    chunk = lambda t: AudioChunk(np.zeros(1600, np.int16), t)  # noqa: E731
    assert g.muted(chunk(0))
    talking["now"] = False
    assert g.muted(chunk(100)) and g.muted(chunk(400)) and not g.muted(chunk(500))


def test_missing_engine_is_a_one_line_notice(monkeypatch):
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)  # import fails as if not installed
    with pytest.raises(speech.SpeechUnavailable) as e:
        speech.KeywordSpotter()
    assert "\n" not in str(e.value) and "pip install" in str(e.value) and "voice-control" in str(e.value)


def test_int16_is_required():
    spotter = speech.KeywordSpotter()
    with pytest.raises(TypeError):
        spotter.feed(np.zeros(1600, np.float32), 0)


def test_a_word_right_after_muted_audio_is_not_taken_as_said_on_its_own():
    """After the guard muted the coach, the time before the next word was not heard: it may
    have been the coach's own sentence, so the word needs Isolation.quiet_before_ms (250) of
    quiet heard after the muted stretch."""
    truth = json.loads((AUDIO / "pause_resume.json").read_text())
    start = truth[0]["start_ms"]
    assert speech.Isolation().quiet_before_ms == 250
    gap = SpanGuard([(start - 700, start - 150)], tail_ms=0)  # heard again only 150 ms before "pause"
    assert [c.command for c in spot("pause_resume.wav", guard=gap)] == ["resume"]
    gap = SpanGuard([(start - 900, start - 600)], tail_ms=0)  # 600 ms of quiet heard before it
    assert [c.command for c in spot("pause_resume.wav", guard=gap)] == ["pause", "resume"]
    assert [c.command for c in spot("pause_resume.wav")] == ["pause", "resume"]
