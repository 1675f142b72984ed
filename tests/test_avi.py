"""The live recording's container (outputs.avi): a Motion-JPEG AVI that plays after a cut at any
byte, up to its last whole frame, and with an index and seeking after a clean close."""
from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np

from posecoach.outputs.avi import MjpegAvi, RecordingWriter


def jpeg(i: int, size: tuple[int, int] = (160, 120)) -> bytes:
    img = np.full((size[1], size[0], 3), (i * 9) % 256, np.uint8)
    cv2.putText(img, str(i), (10, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 255), 3)
    return cv2.imencode(".jpg", img)[1].tobytes()


def decoded(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, img = cap.read()
        if not ok:
            return out
        out.append(img)


def test_closed_file_has_its_frames_rate_and_index(tmp_path: Path) -> None:
    avi = MjpegAvi(tmp_path / "a.avi", 160, 120, 29.97)
    for i in range(40):
        avi.write(jpeg(i))
    avi.close()
    cap = cv2.VideoCapture(str(tmp_path / "a.avi"))
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == 40
    assert abs(cap.get(cv2.CAP_PROP_FPS) - 29.97) < 0.01
    cap.set(cv2.CAP_PROP_POS_FRAMES, 30)  # seeking uses the index
    ok, img = cap.read()
    assert ok and abs(float(img.mean()) - float(decoded(tmp_path / "a.avi")[30].mean())) < 1.0
    assert len(decoded(tmp_path / "a.avi")) == 40


def test_a_file_cut_anywhere_plays_its_whole_frames(tmp_path: Path) -> None:
    """As a killed process leaves it: no index, no sizes, possibly half a frame at the end."""
    avi = MjpegAvi(tmp_path / "a.avi", 160, 120, 30.0)
    ends = []
    for i in range(30):
        avi.write(jpeg(i))
        ends.append(avi.bytes)  # the file's size after frame i was flushed
    data = (tmp_path / "a.avi").read_bytes()  # before close(): what a kill leaves
    rng = random.Random(15)
    for cut in sorted(rng.sample(range(ends[0], len(data) + 1), 8)) + [len(data)]:
        (tmp_path / "cut.avi").write_bytes(data[:cut])
        whole = sum(1 for e in ends if e <= cut)
        n = len(decoded(tmp_path / "cut.avi"))
        assert whole <= n <= whole + 1, (cut, whole, n)  # + a torn last frame FFmpeg may show
    avi.close()


def test_recording_moves_to_a_new_file_at_the_size_limit(tmp_path: Path) -> None:
    rec = RecordingWriter(tmp_path, "camera", 30.0, max_bytes=20_000)
    for i in range(30):
        rec.write(jpeg(i), 160, 120)
    rec.close()
    assert len(rec.paths) > 1 and rec.paths[1].name == "camera-2.avi"
    assert sum(len(decoded(p)) for p in rec.paths) == 30
    assert all(p.stat().st_size <= 20_000 + 1024 for p in rec.paths)
