"""The bundled pose model: present, intact, reported plainly when damaged, and usable by MediaPipe."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from posecoach.vision.model import (
    ENV_VAR,
    MODEL_NAME,
    REQUIRED_ENTRIES,
    ModelError,
    default_model_path,
    load_model_bytes,
    model_path,
)

REAL_CLIPS = Path(__file__).resolve().parents[1].parent / "shared" / "real_clips"


@pytest.fixture
def good_bytes() -> bytes:
    return load_model_bytes(default_model_path())


def _assert_one_readable_line(err: ModelError, *words: str) -> None:
    msg = str(err)
    assert "\n" not in msg and len(msg) < 400
    assert MODEL_NAME in msg or ENV_VAR in msg  # says what to do
    for w in words:
        assert w in msg


def test_bundled_model_is_a_valid_bundle(good_bytes: bytes) -> None:
    p = default_model_path()
    assert p.name == MODEL_NAME and p.is_file()
    assert 9_000_000 < len(good_bytes) < 10_000_000
    with zipfile.ZipFile(p) as z:
        assert sorted(z.namelist()) == sorted(REQUIRED_ENTRIES)
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())


def test_env_var_and_argument_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere.task"))
    assert model_path() == tmp_path / "elsewhere.task"
    assert model_path(tmp_path / "x.task") == tmp_path / "x.task"
    with pytest.raises(ModelError) as e:
        load_model_bytes()
    _assert_one_readable_line(e.value, "not found", "elsewhere.task")
    monkeypatch.setenv(ENV_VAR, "")
    assert model_path() == default_model_path()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as e:
        load_model_bytes(tmp_path / "nope.task")
    _assert_one_readable_line(e.value, "not found")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as e:
        load_model_bytes(tmp_path)
    _assert_one_readable_line(e.value, "cannot be read")


def test_truncated_copy(tmp_path: Path, good_bytes: bytes) -> None:
    bad = tmp_path / "truncated.task"
    bad.write_bytes(good_bytes[: len(good_bytes) // 2])
    with pytest.raises(ModelError) as e:
        load_model_bytes(bad)
    _assert_one_readable_line(e.value, "not a valid .task bundle", "truncated.task")


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "model.task"
    bad.write_text("<html>404 Not Found</html>")
    with pytest.raises(ModelError) as e:
        load_model_bytes(bad)
    _assert_one_readable_line(e.value, "not a valid .task bundle")


def test_missing_entry(tmp_path: Path, good_bytes: bytes) -> None:
    bad = tmp_path / "half.task"
    with zipfile.ZipFile(default_model_path()) as src, zipfile.ZipFile(bad, "w") as dst:
        dst.writestr("pose_detector.tflite", src.read("pose_detector.tflite"))
    with pytest.raises(ModelError) as e:
        load_model_bytes(bad)
    _assert_one_readable_line(e.value, "lacks pose_landmarks_detector.tflite")


def test_damaged_bytes_inside(tmp_path: Path, good_bytes: bytes) -> None:
    data = bytearray(good_bytes)
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the landmark model
    bad = tmp_path / "flipped.task"
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelError) as e:
        load_model_bytes(bad)
    _assert_one_readable_line(e.value, "corrupted")


def test_entries_that_are_not_tflite(tmp_path: Path) -> None:
    bad = tmp_path / "fake.task"
    with zipfile.ZipFile(bad, "w") as z:
        for name in REQUIRED_ENTRIES:
            z.writestr(name, b"not a model at all")
    with pytest.raises(ModelError) as e:
        load_model_bytes(bad)
    _assert_one_readable_line(e.value, "is not a TFLite model")


def test_bundle_finds_person_in_real_clip(good_bytes: bytes) -> None:
    """The bundle loads in MediaPipe's PoseLandmarker (VIDEO mode, masks on) and sees the person."""
    clip = REAL_CLIPS / "kneeling_stretch_side.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} not present")
    cv2 = pytest.importorskip("cv2")
    mp = pytest.importorskip("mediapipe")
    from mediapipe.tasks.python import BaseOptions, vision

    cap = cv2.VideoCapture(str(clip))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 200)
    ok, bgr = cap.read()
    cap.release()
    assert ok
    rgb = cv2.cvtColor(cv2.resize(bgr, (640, 360)), cv2.COLOR_BGR2RGB)
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_buffer=good_bytes),
        running_mode=vision.RunningMode.VIDEO, output_segmentation_masks=True)
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        result = landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), 0)
    assert len(result.pose_landmarks) == 1
    lm = result.pose_landmarks[0]
    assert len(lm) == 33
    # Side view, woman kneeling facing left: the head is above the hips, the hips above the ankles.
    nose, hip, ankle = lm[0], lm[23], lm[27]
    assert nose.y < hip.y < ankle.y
    assert 0.3 < hip.x < 0.7
    mask = result.segmentation_masks[0].numpy_view()
    assert mask.shape[:2] == rgb.shape[:2]
    mask = mask.reshape(mask.shape[:2])
    assert mask[int(hip.y * 360), int(hip.x * 640)] > 0.5  # the mask covers the person
    assert 0.01 < float((mask > 0.5).mean()) < 0.3
