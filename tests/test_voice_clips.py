"""Natural-voice clips: every fixed text has them, they decode, and the engine plays them (falling
back to eSpeak NG for anything else) into the same WAV file tests listen to."""
from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from posecoach.core.cues import TEXTS, cue_text
from posecoach.outputs import voice as v
from posecoach.outputs.clips import GAP_S, MANIFEST, ClipBank, ClipError, decode, split_sentences
from posecoach.outputs.voice_lines import FIELD_VALUES, fixed_texts, variants

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # voicegen is not in the runtime wheel
PLAN_TEXT = "Keep your chin level and look ahead."


@pytest.fixture(scope="module")
def bank() -> ClipBank:
    b = ClipBank.bundled()
    assert b is not None, "posecoach/data/voice/manifest.json is missing: run python -m voicegen render"
    return b


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(a.astype(np.float64) ** 2))) if a.size else 0.0


def test_every_fixed_text_has_clips(bank: ClipBank) -> None:
    """Fails when a cue text is added or edited without re-rendering the voice."""
    missing = sorted({s for t in fixed_texts() for s in split_sentences(t) if s not in bank})
    assert not missing, f"no natural-voice clip for {missing}: run `python -m voicegen render`"
    every = set(fixed_texts())
    assert all(set(variants(t)) <= every for t in TEXTS.values())


def test_the_texts_the_coach_builds_are_fixed_texts(bank: ClipBank) -> None:
    """The same formatting path as the coaches (cue_text with their fields) lands on clips."""
    for front in FIELD_VALUES["front"]:
        for code in ("GET_INTO_POSITION", "SWITCH_SIDES", "NEXT_REP"):
            assert bank.covers(cue_text(code, front=front))
    for side in FIELD_VALUES["side"]:
        for code in ("BALL_GET_INTO_POSITION", "BALL_SWITCH_SIDE"):
            assert bank.covers(cue_text(code, side=side))
    # the pain stop as the live loop says it: the cue and the advice, one utterance
    for stop in ("PAIN_STOP", "PAIN_STOP_LYING"):
        assert bank.covers(f"{cue_text(stop)} {cue_text('PAIN_ADVICE')}")


def test_a_field_without_known_values_is_an_error() -> None:
    with pytest.raises(KeyError, match="mood"):
        variants("Feeling {mood} today?")
    assert variants("Now the {side} side.") == ["Now the left side.", "Now the right side."]


def test_manifest_files_exist_decode_and_are_speech(bank: ClipBank) -> None:
    folder = ROOT / "posecoach" / "data" / "voice"
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    files = {e["file"] for e in manifest["clips"].values()}
    assert files == {p.name for p in folder.glob("*.pcv")}  # no stray or missing files
    assert (folder / "PROVENANCE.md").is_file()
    durations = []
    for text, e in manifest["clips"].items():
        samples, rate = decode((folder / e["file"]).read_bytes())
        assert rate == manifest["sample_rate"] >= 12000 and samples.size == e["samples"], e["file"]
        assert 0.25 < samples.size / rate < 12, (text, samples.size / rate)
        assert rms(samples) > 1000, text  # speech at about -20 dBFS, not silence
        durations.append(samples.size / rate)
    assert 1.0 < float(np.mean(durations)) < 4.0


def test_decode_rejects_damaged_files(bank: ClipBank) -> None:
    good = (bank.folder / bank.clips["Ten seconds."].file).read_bytes()
    for bad in (b"RIFF" + good[4:], good[:-1], good[:10]):
        with pytest.raises(ClipError):
            decode(bad)


def test_encoder_round_trip_keeps_the_waveform() -> None:
    from voicegen.codec import encode_pcv
    rate = 16000
    t = np.arange(rate) / rate
    # a gliding tone under a syllable-rate envelope, with a full-scale burst at the end
    x = 12000 * np.sin(2 * np.pi * (200 + 300 * t) * t) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t))
    x[-800:] = 32767 * np.sign(np.sin(2 * np.pi * 500 * t[-800:]))
    x = np.clip(np.rint(x), -32768, 32767).astype(np.int16)
    for bits, min_snr in ((4, 20.0), (5, 26.0)):
        y, r = decode(encode_pcv(x, rate, bits))
        assert r == rate and y.size == x.size
        err = x.astype(np.float64) - y
        snr = 10 * np.log10(np.sum(x.astype(np.float64) ** 2) / np.sum(err ** 2))
        assert snr > min_snr, (bits, snr)


def test_a_text_of_known_sentences_plays_them_in_sequence(bank: ClipBank) -> None:
    text = f"{cue_text('PAIN_STOP')} {cue_text('PAIN_ADVICE')}"
    sentences = split_sentences(text)
    assert len(sentences) == 3
    gap = np.zeros(int(GAP_S * bank.sample_rate), np.int16)
    expected = np.concatenate([bank.sentence(sentences[0]), gap, bank.sentence(sentences[1]), gap,
                               bank.sentence(sentences[2])])
    assert np.array_equal(bank.render(text), expected)


def test_a_plan_string_or_a_mixed_text_is_not_played_from_clips(bank: ClipBank) -> None:
    assert bank.render(PLAN_TEXT) is None
    assert bank.render(f"Ten seconds. {PLAN_TEXT}") is None  # never switch voice inside one utterance
    assert bank.render("ten seconds.") is None  # exact text only


def test_wav_output_holds_the_clip_samples_then_espeak_for_a_plan_string(tmp_path: Path, bank: ClipBank) -> None:
    out = tmp_path / "voice.wav"
    engine = v.VoiceEngine(to_file=out)
    assert engine.name.startswith("natural voice clips")
    cue = cue_text("SWITCH_SIDES", front="right")
    for text in (cue, PLAN_TEXT):
        engine.say(text)
        assert engine.wait_idle(20)
    engine.close()
    samples, rate = read_wav(out)
    clip = bank.render(cue)
    assert rate == bank.sample_rate and np.array_equal(samples[:clip.size], clip)
    rest = samples[clip.size + int(v.GAP_S * rate):]
    # the plan string: eSpeak NG's rendering (22.05 kHz), resampled into the file's 16 kHz
    espeak = v.LibEspeak.shared()
    espeak.set_voice("en", v.RATE_WPM)
    ref = espeak.synth(PLAN_TEXT)
    expected_len = int(ref.size * rate / espeak.sample_rate)
    assert abs(rest.size - int(v.GAP_S * rate) - expected_len) <= 0.02 * expected_len  # eSpeak varies by a few samples
    assert rms(rest) > 500
    assert out.with_name("voice.wav.txt").read_text().splitlines() == [cue, PLAN_TEXT]


def test_clips_can_be_switched_off(tmp_path: Path, bank: ClipBank) -> None:
    out = tmp_path / "espeak.wav"
    engine = v.VoiceEngine(to_file=out, clips=False)
    engine.say("Ten seconds.")
    engine.close()
    samples, rate = read_wav(out)
    assert rate == v.LibEspeak.shared().sample_rate != bank.sample_rate
    assert not engine.name.startswith("natural voice clips")


def test_a_player_plays_the_clip_and_falls_back_for_other_texts(monkeypatch: pytest.MonkeyPatch,
                                                               bank: ClipBank) -> None:
    played: list[tuple[int, int]] = []

    def fake_play(self, samples: np.ndarray, sample_rate: int) -> None:
        played.append((samples.size, sample_rate))

    monkeypatch.setattr(v, "find_player", lambda: ["true"])
    monkeypatch.setattr(v.Player, "play", fake_play)
    engine = v.VoiceEngine()
    engine.say("Ten seconds.")
    assert engine.wait_idle(20)
    engine.say(PLAN_TEXT)
    engine.close()
    assert played[0] == (bank.render("Ten seconds.").size, bank.sample_rate)
    assert played[1][1] == v.LibEspeak.shared().sample_rate and len(played) == 2
