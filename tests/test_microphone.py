"""Audio sources for voice commands: any common WAV becomes 16 kHz mono; a WAV file is paced by
the stream clock like a microphone; a missing microphone is a one-line error."""
from __future__ import annotations

import struct
import time

import numpy as np
import pytest

from posecoach.control import microphone as mic
from posecoach.core.errors import SourceError


def write_wav(path, data: bytes, rate: int, channels: int, bits: int, tag: int = 1) -> None:
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    path.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
                     + b"data" + struct.pack("<I", len(data)) + data)


def tone(rate: int, seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * hz * t)


def peak_hz(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x.astype(np.float64)))
    return float(np.fft.rfftfreq(x.size, 1 / mic.RATE)[np.argmax(spec)])


@pytest.mark.parametrize("rate,channels,bits,tag", [
    (16000, 1, 16, 1), (44100, 2, 16, 1), (48000, 1, 24, 1), (22050, 1, 32, 3), (8000, 1, 8, 1), (32000, 2, 32, 1)])
def test_common_wavs_become_16k_mono_with_the_same_pitch_and_length(tmp_path, rate, channels, bits, tag):
    x = tone(rate, 1.0)
    if tag == 3:
        data = x.astype("<f4").tobytes()
    elif bits == 8:
        data = np.round(x * 127 + 128).astype(np.uint8).tobytes()
    elif bits == 24:
        v = np.round(x * (2 ** 23 - 1)).astype(np.int32)
        data = np.stack([v & 255, (v >> 8) & 255, (v >> 16) & 255], axis=1).astype(np.uint8).tobytes()
    else:
        data = np.round(x * (2 ** (bits - 1) - 1)).astype(f"<i{bits // 8}").tobytes()
    if channels == 2:  # the tone on the left, silence on the right: the mix keeps half of it
        width = bits // 8
        frames = [data[i:i + width] for i in range(0, len(data), width)]
        data = b"".join(f + bytes(width) if bits != 8 else f + b"\x80" for f in frames)
    path = tmp_path / "a.wav"
    write_wav(path, data, rate, channels, bits, tag)
    y = mic.load_wav_16k(path)
    assert y.dtype == np.int16 and abs(y.size - 16000) <= 2
    assert abs(peak_hz(y) - 440) < 3
    level = np.sqrt(np.mean((y / 32768.0) ** 2))
    assert level == pytest.approx(0.5 / np.sqrt(2) / channels, rel=0.08)


def test_downsampling_removes_what_would_fold_into_the_speech_band(tmp_path):
    x = tone(48000, 1.0, hz=12000)  # above the new 8 kHz Nyquist: would alias to 4 kHz
    path = tmp_path / "hi.wav"
    write_wav(path, np.round(x * 32767).astype("<i2").tobytes(), 48000, 1, 16)
    y = mic.load_wav_16k(path)
    assert np.sqrt(np.mean((y / 32768.0) ** 2)) < 0.02  # was 0.35


def test_not_a_wav_is_a_one_line_error(tmp_path):
    p = tmp_path / "x.wav"
    p.write_bytes(b"ID3 not audio at all")
    with pytest.raises(SourceError, match="not a WAV") as e:
        mic.load_wav_16k(p)
    assert "\n" not in str(e.value)
    with pytest.raises(SourceError, match="not found"):
        mic.load_wav_16k(tmp_path / "missing.wav")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


def test_wav_mic_hands_over_each_chunk_once_its_end_has_been_heard(tmp_path):
    path = tmp_path / "s.wav"
    write_wav(path, np.zeros(16000, "<i2").tobytes(), 16000, 1, 16)  # 1 s
    clock = FakeClock()
    source = mic.WavMicrophone(path, chunk_ms=100, clock=clock, sleep=clock.sleep)
    seen = []
    for chunk in source:
        seen.append((chunk.t_ms, chunk.end_ms, clock.now - source.t0))
    assert [s[0] for s in seen] == list(range(0, 1000, 100))
    for _, end_ms, elapsed in seen:  # never early, never late
        assert elapsed == pytest.approx(end_ms / 1000.0)


def test_wav_mic_shares_the_session_clock_and_runs_in_real_time(tmp_path):
    path = tmp_path / "s.wav"
    write_wav(path, np.zeros(8000, "<i2").tobytes(), 16000, 1, 16)  # 0.5 s
    source = mic.WavMicrophone(path, chunk_ms=100)
    source.t0 = time.monotonic() - 0.3  # the session started 300 ms ago: its first 300 ms are due now
    start = time.monotonic()
    times = [(c.end_ms, time.monotonic() - start) for c in source]
    assert times[0][1] < 0.08 and times[2][1] < 0.08  # already due: no waiting
    assert 0.17 < times[-1][1] < 0.45  # the last chunk ends at 500 ms of session time


def test_a_machine_without_a_microphone_gets_a_one_line_error():
    try:
        source = mic.SoundDeviceMicrophone()
    except SourceError as e:
        assert "\n" not in str(e) and ("microphone" in str(e))
        return
    pytest.skip(f"this machine has a microphone: {source.name}")


def test_mic_spec_chooses_the_source(tmp_path):
    path = tmp_path / "s.wav"
    write_wav(path, np.zeros(1600, "<i2").tobytes(), 16000, 1, 16)
    assert isinstance(mic.open_microphone(str(path)), mic.WavMicrophone)
    with pytest.raises(SourceError):
        mic.open_microphone(str(tmp_path / "nothing.wav"))
