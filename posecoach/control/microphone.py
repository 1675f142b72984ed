"""Audio sources for voice commands: timestamped 16 kHz mono chunks from a WAV file or a microphone.

A WAV file stands in for the microphone (`--mic FILE`) the way a video file stands in for the
camera (sources.PacedVideoSource): it is delivered at the pace of the stream clock, so its time 0
is the session's t_ms 0, and a chunk is handed over only once its last sample "has been
recorded". Like sources.py, this is an edge module that reads a clock; the spotter does not.
"""
from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posecoach.core.errors import SourceError

RATE = 16000  # Hz: what the speech engine's acoustic model expects


@dataclass(frozen=True)
class AudioChunk:
    """`samples`: int16 mono at 16 kHz; `t_ms`: stream time of the first sample."""
    samples: np.ndarray
    t_ms: int

    @property
    def end_ms(self) -> int:
        return self.t_ms + len(self.samples) * 1000 // RATE


# -- reading any common WAV ----------------------------------------------------------------------
def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """(float32 samples (n, channels) in [-1, 1], sample rate) of a RIFF/WAVE file: integer PCM of
    8/16/24/32 bits or IEEE float 32/64, plain or WAVE_FORMAT_EXTENSIBLE (the stdlib `wave`
    reads only integer PCM)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"audio file not found: {path}")
    data = path.read_bytes()
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        raise SourceError(f"cannot read {path}: not a WAV file")
    fmt, pcm, pos = None, None, 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = body
        elif cid == b"data":
            pcm = body
        pos += 8 + size + (size & 1)
    if fmt is None or pcm is None or len(fmt) < 16:
        raise SourceError(f"cannot read {path}: WAV without a format or data chunk")
    tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == 0xFFFE and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]
    if channels < 1 or rate < 1000 or align < 1:
        raise SourceError(f"cannot read {path}: invalid WAV header")
    pcm = pcm[: len(pcm) // align * align]
    width = align // channels
    if tag == 3 and width in (4, 8):
        x = np.frombuffer(pcm, "<f4" if width == 4 else "<f8").astype(np.float32)
    elif tag == 1 and width == 1:
        x = (np.frombuffer(pcm, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif tag == 1 and width in (2, 4):
        x = np.frombuffer(pcm, "<i2" if width == 2 else "<i4").astype(np.float32) / (2.0 ** (8 * width - 1))
    elif tag == 1 and width == 3:
        b = np.frombuffer(pcm, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 1 << 23, v - (1 << 24), v) / float(1 << 23)).astype(np.float32)
    else:
        raise SourceError(f"cannot read {path}: unsupported WAV encoding (format {tag}, {bits} bits)")
    return x.reshape(-1, channels), rate


def to_16k_mono(x: np.ndarray, rate: int) -> np.ndarray:
    """int16 mono 16 kHz from float samples (n,) or (n, channels): channels averaged; rates
    above 16 kHz low-passed at 7.2 kHz (windowed sinc) before linear interpolation, so nothing
    above the new Nyquist folds back into the speech band."""
    mono = x.mean(axis=1) if x.ndim == 2 else x.astype(np.float32)
    if rate != RATE and mono.size:
        if rate > RATE:
            cutoff = 0.45 * RATE / rate  # cycles per input sample
            taps = int(8 * rate / RATE) | 1
            n = np.arange(taps) - taps // 2
            h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
            mono = np.convolve(mono, (h / h.sum()).astype(np.float32), mode="same")
        t = np.arange(int(round(mono.size * RATE / rate))) * (rate / RATE)
        mono = np.interp(t, np.arange(mono.size), mono).astype(np.float32)
    return np.clip(np.round(mono * 32767.0), -32768, 32767).astype(np.int16)


def load_wav_16k(path: str | Path) -> np.ndarray:
    """The whole file as int16 mono 16 kHz."""
    x, rate = read_wav(path)
    return to_16k_mono(x, rate)


# -- sources ---------------------------------------------------------------------------------------
class WavMicrophone:
    """A WAV file played as if it were a microphone: chunks of `chunk_ms` are yielded when the
    stream clock reaches their end (wall time since `t0`, times `speed`). `t0` is the
    time.monotonic() value of stream time 0; pass the video source's to share one clock, else
    the first iteration starts it. `paced=False` yields as fast as the consumer takes (tests,
    benchmarks). `clock` and `sleep` are injectable for tests.
    """

    def __init__(self, path: str | Path, chunk_ms: int = 100, speed: float = 1.0, paced: bool = True,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.path = Path(path)
        self.samples = load_wav_16k(self.path)
        self.chunk_ms, self.speed, self.paced = chunk_ms, speed, paced
        self.t0: float | None = None
        self._clock, self._sleep = clock, sleep
        self._closed = threading.Event()

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // RATE

    def close(self) -> None:
        """End the iteration at the next chunk (from any thread)."""
        self._closed.set()

    def __iter__(self) -> Iterator[AudioChunk]:
        step = RATE * self.chunk_ms // 1000
        if self.t0 is None:
            self.t0 = self._clock()
        for start in range(0, len(self.samples), step):
            if self._closed.is_set():
                return
            chunk = AudioChunk(self.samples[start:start + step], start * 1000 // RATE)
            if self.paced:
                wait = self.t0 + chunk.end_ms / 1000.0 / self.speed - self._clock()
                if wait > 0 and self._sleep is time.sleep:
                    if self._closed.wait(wait):
                        return
                elif wait > 0:
                    self._sleep(wait)
            yield chunk


class SoundDeviceMicrophone:
    """The default microphone through `sounddevice` (PortAudio; bundled in its macOS and Windows
    wheels, `libportaudio2` on Linux). `t_ms` counts recorded samples from the stream's start,
    offset by when that start was relative to `t0` (time.monotonic() of stream time 0)."""

    def __init__(self, device: int | str | None = None, chunk_ms: int = 100, t0: float | None = None) -> None:
        self.chunk_ms, self.t0, self.device = chunk_ms, t0, device
        self._closed = threading.Event()
        self._sd = _sounddevice()
        try:
            info = self._sd.query_devices(device, "input")
        except Exception:  # sounddevice raises ValueError / PortAudioError when there is none
            raise SourceError("no microphone found (no audio input device); use --mic FILE.wav") from None
        self.name = str(info.get("name", "microphone")) if isinstance(info, dict) else "microphone"

    def close(self) -> None:
        self._closed.set()

    def __iter__(self) -> Iterator[AudioChunk]:
        import queue
        q: queue.Queue[np.ndarray] = queue.Queue(maxsize=100)
        step = RATE * self.chunk_ms // 1000

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:  # noqa: ARG001 (PortAudio's signature)
            if not q.full():
                q.put(indata[:, 0].copy())

        t_start = time.monotonic()
        t0 = self.t0 if self.t0 is not None else t_start
        offset_ms, done = int(round((t_start - t0) * 1000)), 0
        with self._sd.InputStream(samplerate=RATE, channels=1, dtype="int16", blocksize=step,
                                  device=self.device, callback=callback):
            while not self._closed.is_set():
                try:
                    block = q.get(timeout=0.5)
                except queue.Empty:
                    continue
                yield AudioChunk(block, offset_ms + done * 1000 // RATE)
                done += len(block)


def _sounddevice() -> Any:
    try:
        import sounddevice
    except (ImportError, OSError) as e:  # OSError: the PortAudio library itself is missing
        raise SourceError(f"cannot use a microphone: {e} (on Linux install libportaudio2); use --mic FILE.wav") from None
    return sounddevice


def open_microphone(spec: str | None, chunk_ms: int = 100) -> WavMicrophone | SoundDeviceMicrophone:
    """`--mic` value -> source: a WAV path, or None / "default" / a device number for a real one."""
    if spec is not None and spec.lower().endswith((".wav", ".wave")):
        return WavMicrophone(spec, chunk_ms=chunk_ms)
    device: int | str | None = int(spec) if spec is not None and spec.isdigit() else (
        None if spec in (None, "default") else spec)
    return SoundDeviceMicrophone(device, chunk_ms=chunk_ms)
