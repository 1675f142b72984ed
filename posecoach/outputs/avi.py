"""A Motion-JPEG AVI writer that a hard kill cannot spoil: `live --record`'s camera video.

An MP4 is unreadable until its index (moov) is written at the end, so a session killed hard (power
loss, SIGKILL, the OS out of memory) lost its whole recording. Here every frame is one JPEG in its
own chunk, appended and flushed to the operating system as it comes; the sizes in the header and
the index are only written at close. A file cut at any byte plays up to its last whole frame
(FFmpeg, hence OpenCV and ffprobe, read an AVI without an index by walking its chunks; measured:
a cut MP4 from OpenCV's writer has 0 readable frames, this file all the frames flushed).

Files stop at MAX_FILE_BYTES (an AVI 1.0 file cannot pass 1 GiB of frames without OpenDML
extensions): `RecordingWriter` then starts `camera-2.avi`, and so on. JPEG encoding is the
caller's (outputs.session_log, with OpenCV); this module only writes bytes.
"""
from __future__ import annotations

import os
import struct
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

MAX_FILE_BYTES = 1 << 30
_AVIF_HASINDEX = 0x10
_KEYFRAME = 0x10


class MjpegAvi:
    """One AVI file of JPEG frames (width x height pixels at `fps`). `write(jpeg)`, `close()`."""

    def __init__(self, path: Path, width: int, height: int, fps: float) -> None:
        self.path = path
        self.width, self.height = width, height
        rate = Fraction(fps).limit_denominator(1001)
        self._rate, self._scale = rate.numerator, rate.denominator
        self._index: list[tuple[int, int]] = []  # (offset from 'movi', size) per frame
        self.bytes = 0
        self._fh: BinaryIO | None = open(path, "wb")
        self._fh.write(self._header(frames=0, riff_size=0, movi_size=0))
        self._movi = self._fh.tell() - 4  # the 'movi' fourcc: idx1 offsets count from it
        self._fh.flush()

    @property
    def frames(self) -> int:
        return len(self._index)

    def _header(self, frames: int, riff_size: int, movi_size: int) -> bytes:
        us = int(round(1e6 * self._scale / self._rate))
        avih = struct.pack("<14I", us, 0, 0, _AVIF_HASINDEX, frames, 0, 1, 0, self.width, self.height, 0, 0, 0, 0)
        strh = struct.pack("<4s4sIHHIIIIIIIIhhhh", b"vids", b"MJPG", 0, 0, 0, 0, self._scale, self._rate, 0,
                           frames, 0, 0xFFFFFFFF, 0, 0, 0, self.width, self.height)
        strf = struct.pack("<IiiHH4sIiiII", 40, self.width, self.height, 1, 24, b"MJPG",
                           self.width * self.height * 3, 0, 0, 0, 0)
        strl = b"strl" + _chunk(b"strh", strh) + _chunk(b"strf", strf)
        hdrl = b"hdrl" + _chunk(b"avih", avih) + _chunk(b"LIST", strl)
        return (b"RIFF" + struct.pack("<I", riff_size) + b"AVI " + _chunk(b"LIST", hdrl)
                + b"LIST" + struct.pack("<I", movi_size) + b"movi")

    def write(self, jpeg: bytes) -> None:
        """Append one frame and hand it to the operating system (it survives a killed process)."""
        assert self._fh is not None, "the file is open"
        self._index.append((self._fh.tell() - self._movi, len(jpeg)))
        self._fh.write(_chunk(b"00dc", jpeg))
        self._fh.flush()
        self.bytes = self._fh.tell()

    def sync(self) -> None:
        """Also to the disk (a power cut keeps what was synced)."""
        if self._fh is not None:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Write the index and the real sizes: from then on players can seek in it."""
        if self._fh is None:
            return
        fh, self._fh = self._fh, None
        try:
            end = fh.tell()
            idx = b"".join(struct.pack("<4sIII", b"00dc", _KEYFRAME, off, size) for off, size in self._index)
            fh.write(_chunk(b"idx1", idx))
            total = fh.tell()
            fh.seek(0)
            fh.write(self._header(self.frames, total - 8, end - self._movi))
        finally:
            fh.close()


def _chunk(fourcc: bytes, data: bytes) -> bytes:
    pad = b"\0" if len(data) % 2 else b""
    return fourcc + struct.pack("<I", len(data)) + data + pad


class RecordingWriter:
    """A recording in MJPEG AVI files of at most MAX_FILE_BYTES each: `stem.avi`, then
    `stem-2.avi`, ... `write(jpeg, width, height)`; `paths` lists the files written."""

    def __init__(self, folder: Path, stem: str, fps: float, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.folder, self.stem, self.fps, self.max_bytes = folder, stem, fps, max_bytes
        self.paths: list[Path] = []
        self._file: MjpegAvi | None = None

    def write(self, jpeg: bytes, width: int, height: int) -> None:
        f = self._file
        if f is None or f.bytes + len(jpeg) > self.max_bytes or (f.width, f.height) != (width, height):
            if f is not None:
                f.close()
            n = len(self.paths) + 1
            path = self.folder / (f"{self.stem}.avi" if n == 1 else f"{self.stem}-{n}.avi")
            self._file = f = MjpegAvi(path, width, height, self.fps)
            self.paths.append(path)
        f.write(jpeg)

    def sync(self) -> None:
        if self._file is not None:
            self._file.sync()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
