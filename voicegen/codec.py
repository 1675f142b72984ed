"""Encoders for the voice clips, development time only (the decoder is posecoach.outputs.clips).

`encode_pcv` writes the block-DPCM format described in posecoach/outputs/clips.py. It runs the
decoder's arithmetic itself (closed loop), so quantisation errors never accumulate, and for each
block it tries a few step sizes and keeps the one with the least squared error.
"""
from __future__ import annotations

import struct

import numpy as np

from posecoach.outputs.clips import HEADER_BYTES, MAGIC, STEPS

BLOCK = 64  # samples a block at 16 kHz = 4 ms: the step follows the speech envelope closely


def _encode_block(x: np.ndarray, y: int, bits: int, candidates: np.ndarray) -> tuple[int, np.ndarray, int]:
    """Closed-loop DPCM of one block, for every candidate step at once.

    Returns (index of the best candidate, its codes, the last reconstructed sample).
    """
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    steps = STEPS[candidates].astype(np.int64)
    ys = np.full(steps.size, y, np.int64)
    err = np.zeros(steps.size, np.float64)
    codes = np.empty((steps.size, x.size), np.int64)
    for i, target in enumerate(x.astype(np.int64)):
        c = np.clip(np.rint((target - ys) / steps), lo, hi).astype(np.int64)
        nxt = ys + c * steps
        over = (nxt > 32767) | (nxt < -32768)  # step back towards zero: never leave int16
        c = np.where(over, c - np.sign(c), c)
        ys = ys + c * steps
        codes[:, i] = c
        err += (target - ys) ** 2
    best = int(np.argmin(err))
    return best, codes[best] - lo, int(ys[best])


def encode_pcv(samples: np.ndarray, sample_rate: int, bits: int = 4, block: int = BLOCK) -> bytes:
    """int16 mono samples -> the bytes of a .pcv clip."""
    x = np.asarray(samples, np.int16)
    n = x.size
    lo = -(1 << (bits - 1))
    ks: list[int] = []
    code_parts: list[np.ndarray] = []
    y = 0
    for start in range(0, n, block):
        seg = x[start:start + block]
        # the step that would just cover the block's largest change from the running sample
        reach = np.abs(np.diff(np.concatenate([[y], seg.astype(np.int64)]))).max()
        k0 = int(np.searchsorted(STEPS, max(reach / -lo, 1)))
        candidates = np.arange(max(k0 - 4, 0), min(k0 + 2, STEPS.size - 1) + 1)
        best, codes, y = _encode_block(seg, y, bits, candidates)
        ks.append(int(candidates[best]))
        code_parts.append(codes)
    codes = np.concatenate(code_parts) if code_parts else np.zeros(0, np.int64)
    bitplanes = ((codes[:, None] >> np.arange(bits - 1, -1, -1)) & 1).astype(np.uint8)
    packed = np.packbits(bitplanes.reshape(-1))
    header = MAGIC + struct.pack("<IIBH", sample_rate, n, bits, block)
    assert len(header) == HEADER_BYTES
    return header + bytes(np.asarray(ks, np.uint8)) + packed.tobytes()


def mulaw_encode(samples: np.ndarray) -> np.ndarray:
    """G.711-style mu-law (mu = 255) of int16 samples -> uint8, for the size/quality comparison."""
    x = np.asarray(samples, np.float64) / 32768.0
    y = np.sign(x) * np.log1p(255 * np.abs(x)) / np.log1p(255)
    return np.clip(np.rint((y + 1) * 127.5), 0, 255).astype(np.uint8)


def mulaw_decode(codes: np.ndarray) -> np.ndarray:
    y = codes.astype(np.float64) / 127.5 - 1
    x = np.sign(y) * np.expm1(np.abs(y) * np.log1p(255)) / 255
    return np.clip(np.rint(x * 32768), -32768, 32767).astype(np.int16)
