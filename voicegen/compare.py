"""Size against quality of candidate clip encodings, on the real rendered sentences.

    python -m voicegen compare [--cache DIR]

Needs the development extras (scipy) plus pesq, pystoi and soundfile (only here, to judge the
formats posecoach does not use: Opus and Vorbis through libsndfile). For every sentence: the
Piper render, levelled and resampled exactly as `render` does, is the reference; each candidate
is encoded, decoded, and scored against it. Quality: PESQ wide-band (ITU-T P.862.2, MOS-LQO
1-4.64) and STOI (0-1) on the sentences joined into ~10 s groups; segmental SNR in dB (waveform
codecs only: perceptual codecs do not keep the waveform). Size: the sum of the files, and the same
deflated (what a wheel stores).
"""
from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import numpy as np

from posecoach.outputs.clips import decode
from voicegen.audio import RATE, resample
from voicegen.codec import encode_pcv, mulaw_decode, mulaw_encode

Codec = Callable[[np.ndarray], tuple[bytes, np.ndarray]]  # int16 @16k -> (file bytes, int16 @16k)


def _pcm(x: np.ndarray) -> tuple[bytes, np.ndarray]:
    return x.tobytes(), x


def _mulaw(x: np.ndarray) -> tuple[bytes, np.ndarray]:
    c = mulaw_encode(x)
    return c.tobytes(), mulaw_decode(c)


def _pcv(bits: int, rate: int = RATE) -> Codec:
    def run(x: np.ndarray) -> tuple[bytes, np.ndarray]:
        low = x if rate == RATE else np.rint(resample(x, RATE, rate)).clip(-32768, 32767).astype(np.int16)
        data = encode_pcv(low, rate, bits)
        y, _ = decode(data)
        back = y if rate == RATE else np.rint(resample(y, rate, RATE)).clip(-32768, 32767).astype(np.int16)
        return data, back[: x.size]
    return run


def _libsndfile(fmt: str, subtype: str, level: float) -> Codec:
    def run(x: np.ndarray) -> tuple[bytes, np.ndarray]:
        import soundfile as sf
        buf = io.BytesIO()
        sf.write(buf, x, RATE, format=fmt, subtype=subtype, compression_level=level)
        data = buf.getvalue()
        y, rate = sf.read(io.BytesIO(data), dtype="int16")
        assert rate == RATE
        y = np.pad(y, (0, max(0, x.size - y.size)))[: x.size]
        return data, y
    return run


CANDIDATES: dict[str, Codec] = {
    "PCM 16-bit 16 kHz": _pcm,
    "mu-law 8-bit 16 kHz": _mulaw,
    "block DPCM 6-bit 16 kHz": _pcv(6),
    "block DPCM 5-bit 16 kHz": _pcv(5),
    "block DPCM 4-bit 16 kHz": _pcv(4),
    "block DPCM 3-bit 16 kHz": _pcv(3),
    "block DPCM 5-bit 12 kHz": _pcv(5, 12000),
    "block DPCM 4-bit 12 kHz": _pcv(4, 12000),
    "Opus (libsndfile, level 0.8)": _libsndfile("OGG", "OPUS", 0.8),
    "Opus (libsndfile, level 1.0)": _libsndfile("OGG", "OPUS", 1.0),
    "Vorbis (libsndfile, level 0.8)": _libsndfile("OGG", "VORBIS", 0.8),
}


def _groups(signals: list[np.ndarray], seconds: float = 10.0) -> list[np.ndarray]:
    gap = np.zeros(int(0.3 * RATE), np.int16)
    out, cur, n = [], [], 0
    for s in signals:
        cur += [s, gap]
        n += s.size + gap.size
        if n >= seconds * RATE:
            out.append(np.concatenate(cur))
            cur, n = [], 0
    if cur:
        out.append(np.concatenate(cur))
    return out


def seg_snr(ref: np.ndarray, out: np.ndarray, frame: int = 320) -> float:
    """Mean SNR of 20 ms frames with speech (frame energy above -50 dBFS), clamped to [-10, 35]."""
    r, o = ref.astype(np.float64), out.astype(np.float64)
    n = r.size // frame * frame
    r, e = r[:n].reshape(-1, frame), (r[:n] - o[:n]).reshape(-1, frame)
    power = (r ** 2).mean(axis=1)
    keep = power > (32768 * 10 ** (-50 / 20)) ** 2
    snr = 10 * np.log10(power[keep] / np.maximum((e[keep] ** 2).mean(axis=1), 1e-9))
    return float(np.clip(snr, -10, 35).mean())


def compare(references: list[np.ndarray]) -> list[dict]:
    """One row a candidate: sizes, PESQ-WB, STOI, seg-SNR, seconds of speech."""
    from pesq import pesq
    from pystoi import stoi
    seconds = sum(r.size for r in references) / RATE
    ref_groups = _groups(references)
    rows = []
    for name, codec in CANDIDATES.items():
        files, outs = zip(*(codec(r) for r in references))
        out_groups = _groups(list(outs))
        rows.append({
            "encoding": name,
            "bytes": sum(len(f) for f in files),
            "deflated": sum(len(zlib.compress(f, 6)) for f in files),
            "kbit_s": 8 * sum(len(f) for f in files) / seconds / 1000,
            "pesq_wb": float(np.mean([pesq(RATE, a, b, "wb") for a, b in zip(ref_groups, out_groups)])),
            "stoi": float(np.mean([stoi(a, b, RATE) for a, b in zip(ref_groups, out_groups)])),
            "seg_snr_db": float(np.mean([seg_snr(a, b) for a, b in zip(ref_groups, out_groups)])),
            "speech_s": seconds,
        })
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| encoding | kbit/s | total KB | deflated KB | PESQ-WB | STOI | seg-SNR dB |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['encoding']} | {r['kbit_s']:.1f} | {r['bytes'] / 1024:.0f} | "
                     f"{r['deflated'] / 1024:.0f} | {r['pesq_wb']:.2f} | {r['stoi']:.3f} | {r['seg_snr_db']:.1f} |")
    return "\n".join(lines)
