"""Voice: rendered to a WAV file and measured; the one-slot mailbox never blocks the caller."""
from __future__ import annotations

import threading
import time
import wave

import numpy as np
import pytest

from posecoach.outputs import voice as v


def read_wav(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a.astype(np.float64) ** 2))) if a.size else 0.0


def test_cues_are_rendered_as_audible_speech(tmp_path):
    out = tmp_path / "voice.wav"
    engine = v.VoiceEngine(to_file=out)
    for text in ("Ten seconds.", "Now switch sides: left foot forward."):
        engine.say(text)
        assert engine.wait_idle(10)
    engine.close()
    samples, rate = read_wav(out)
    assert rate >= 8000
    seconds = samples.size / rate
    assert 1.5 < seconds < 10, seconds  # two short sentences, not silence and not a loop
    assert rms(samples) > 500  # clearly audible (16-bit full scale is 32767)
    # speech, not a constant tone: loud and quiet 20 ms windows alternate
    win = rate // 50
    levels = [rms(samples[i:i + win]) for i in range(0, samples.size - win, win)]
    assert min(levels) < 50 and max(levels) > 2000
    assert out.with_name("voice.wav.txt").read_text().splitlines() == [
        "Ten seconds.", "Now switch sides: left foot forward."]


def test_language_changes_the_voice(tmp_path):
    a, b = tmp_path / "en.wav", tmp_path / "de.wav"
    for path, lang in ((a, "en"), (b, "de")):
        e = v.VoiceEngine(to_file=path, language=lang)
        e.say("Zehn Sekunden.")
        e.close()
    sa, sb = read_wav(a)[0], read_wav(b)[0]
    assert rms(sa) > 500 and rms(sb) > 500
    assert sa.size != sb.size or not np.array_equal(sa, sb)


class SlowSpeaker:
    """A stand-in engine whose utterances take `seconds`; records what it said and when."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.said, self.overlap = seconds, [], False
        self._busy = threading.Lock()

    def __call__(self, text: str) -> None:
        if not self._busy.acquire(blocking=False):
            self.overlap = True
            return
        try:
            self.said.append(text)
            time.sleep(self.seconds)
        finally:
            self._busy.release()


def test_say_never_blocks_and_a_newer_cue_replaces_a_waiting_one():
    spk = SlowSpeaker(0.3)
    engine = v.VoiceEngine(speak=spk)
    t0 = time.monotonic()
    engine.say("one")
    time.sleep(0.05)  # "one" is being spoken now
    engine.say("two")
    engine.say("three")  # replaces "two", which never got its turn
    assert time.monotonic() - t0 < 0.2  # the caller (the frame loop) did not wait for speech
    assert engine.wait_idle(5)
    engine.close()
    assert spk.said == ["one", "three"] and engine.dropped == 1 and not spk.overlap


def test_the_same_words_back_to_back_are_not_repeated():
    spk = SlowSpeaker(0.2)
    engine = v.VoiceEngine(speak=spk)
    engine.say("Sit tall, chest up.")
    time.sleep(0.05)
    engine.say("Sit tall, chest up.")
    engine.close()
    assert spk.said == ["Sit tall, chest up."]


def test_cancel_drops_what_is_waiting():
    spk = SlowSpeaker(0.3)
    engine = v.VoiceEngine(speak=spk)
    engine.say("one")
    time.sleep(0.05)
    engine.say("two")
    engine.cancel()
    engine.close()
    assert spk.said == ["one"]


def test_close_lets_the_last_words_finish():
    spk = SlowSpeaker(0.3)
    engine = v.VoiceEngine(speak=spk)
    engine.say("All done. Well done.")
    engine.close()
    assert spk.said == ["All done. Well done."]


def test_env_var_renders_to_a_file(tmp_path, monkeypatch):
    out = tmp_path / "env.wav"
    monkeypatch.setenv(v.ENV_FILE, str(out))
    engine = v.make_voice()
    assert isinstance(engine, v.VoiceEngine)
    engine.say("Good, I can see all of you.")
    engine.close()
    assert rms(read_wav(out)[0]) > 500


def test_without_any_engine_cues_are_printed_after_one_notice(monkeypatch, capsys):
    def unavailable():
        raise v.VoiceUnavailable("no library")
    monkeypatch.setattr(v.LibEspeak, "shared", classmethod(lambda cls: unavailable()))
    monkeypatch.setattr(v, "espeak_program", lambda: None)
    engine = v.make_voice()
    assert isinstance(engine, v.TextVoice)
    engine.say("Sit tall, chest up.")
    out = capsys.readouterr()
    assert out.err.count("\n") == 1 and "shown on screen only" in out.err
    assert "[coach] Sit tall, chest up." in out.out


@pytest.mark.skipif(v.espeak_program() is None, reason="no espeak-ng program on this machine")
def test_the_system_program_renders_too(tmp_path):
    cli = v.CliEspeak(v.espeak_program(), "en", 150)
    assert rms(cli.synth("Ten seconds.")) > 500


@pytest.mark.skipif(v.espeak_program() is None, reason="no espeak-ng program on this machine")
def test_without_the_wheel_the_system_program_is_used(tmp_path, monkeypatch):
    def unavailable():
        raise v.VoiceUnavailable("no library")
    monkeypatch.setattr(v.LibEspeak, "shared", classmethod(lambda cls: unavailable()))
    out = tmp_path / "cli.wav"
    engine = v.make_voice(to_file=out)
    assert isinstance(engine, v.VoiceEngine) and "program" in engine.name
    engine.say("Switch sides.")
    engine.close()
    samples, rate = read_wav(out)
    assert rate > 8000 and rms(samples) > 500
