"""Build ``models/pose_landmarker_full.task`` (BlazePose Full) from the mediapipe 0.10.21 wheel.

Why: current mediapipe (1.x, Tasks API) ships no pose weights and normally downloads the
``.task`` bundle from the web, which offline and locked-down machines cannot do.  The old
``mediapipe==0.10.21`` wheel on PyPI still contains BlazePose Full as two plain TFLite files.
This script adds the TFLite metadata the Tasks API needs (input normalisation; without it
PoseLandmarker fails with "Input tensor has type float32: it requires specifying
NormalizationOptions metadata") and zips them into a bundle.  The result is committed; the
runtime never runs this script and never imports mediapipe 0.10.21.

mediapipe 0.10.21 pins numpy<2 and pulls jax, so run this in a throwaway virtualenv outside
the repository, never in the project's own environment::

    python3 -m venv /tmp/mpbuild
    /tmp/mpbuild/bin/pip install mediapipe==0.10.21
    /tmp/mpbuild/bin/python models/build_pose_model.py

(run the last line from the repository root, or pass ``--out PATH``).  The output is
byte-for-byte reproducible: fixed zip timestamps, ZIP_STORED, fixed entry order.  The script
prints the SHA-256 of both source TFLite files and of the bundle; models/README.md records them.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import struct
import sys
import zipfile
from pathlib import Path

# (path inside the mediapipe package, name inside the .task, model name, mean, std,
#  expected output tensor shapes -> feature output names)
_DETECTOR = (
    "modules/pose_detection/pose_detection.tflite",
    "pose_detector.tflite",
    "BlazePose detector",
    "Pose detection (BlazePose, 224x224 input, 2254 SSD anchors).",
    127.5,  # input in [-1, 1]
    127.5,
    {(1, 2254, 12): "regressors", (1, 2254, 1): "classificators"},
)
_LANDMARKS = (
    "modules/pose_landmark/pose_landmark_full.tflite",
    "pose_landmarks_detector.tflite",
    "BlazePose GHUM 3D Full",
    "Pose landmarks (BlazePose Full, 256x256 input, 33 landmarks, segmentation).",
    0.0,  # input in [0, 1]
    255.0,
    {
        (1, 195): "landmarks",
        (1, 1): "pose_flag",
        (1, 256, 256, 1): "segmentation",
        (1, 64, 64, 39): "heatmap",
        (1, 117): "world_landmarks",
    },
)
# 1980-01-01 00:00:00 is the earliest DOS timestamp; any fixed value makes the zip reproducible.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Each model's bytes start on a 64-byte boundary inside the zip.  TFLite reads the models in
# place; unaligned, it warns "Read-only tensor ... has an unaligned buffer" and copies them.
_ALIGN = 64
_ALIGN_EXTRA_ID = 0xD935  # the zip "extra field" id Android's zipalign uses for padding
_EXPECTED_VERSION = "0.10.21"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _output_names(model: bytearray, names_by_shape: dict[tuple[int, ...], str]) -> list[str]:
    """Name each output tensor by its shape; fail loudly if the model is not the expected one."""
    from mediapipe.tasks.python.metadata.metadata_writers import writer_utils

    subgraph = writer_utils.get_subgraph(model)
    names = []
    for i in range(subgraph.OutputsLength()):
        shape = tuple(int(d) for d in subgraph.Tensors(subgraph.Outputs(i)).ShapeAsNumpy())
        if shape not in names_by_shape:
            sys.exit(f"unexpected output tensor shape {shape}; is this mediapipe {_EXPECTED_VERSION}?")
        names.append(names_by_shape[shape])
    if len(names) != len(names_by_shape):
        sys.exit(f"expected {len(names_by_shape)} output tensors, found {len(names)}")
    return names


def _with_metadata(raw: bytes, spec: tuple) -> bytes:
    """Return the TFLite model with normalisation and output metadata attached."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    _, _, name, description, mean, std, names_by_shape = spec
    model = bytearray(raw)
    writer = metadata_writer.MetadataWriter.create(model)
    writer.add_general_info(name, description)
    writer.add_image_input(norm_mean=[mean] * 3, norm_std=[std] * 3)
    for out_name in _output_names(model, names_by_shape):
        writer.add_feature_output(name=out_name)
    tflite, _json = writer.populate()
    return bytes(tflite)


def main() -> int:
    default_out = Path(__file__).resolve().parent / "pose_landmarker_full.task"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=default_out, help=f"default: {default_out}")
    args = parser.parse_args()

    import mediapipe

    if mediapipe.__version__ != _EXPECTED_VERSION:
        print(f"warning: mediapipe {mediapipe.__version__}, recipe verified with {_EXPECTED_VERSION}",
              file=sys.stderr)
    root = Path(mediapipe.__file__).resolve().parent

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as bundle:
        for spec in (_DETECTOR, _LANDMARKS):
            src = root / spec[0]
            if not src.is_file():
                sys.exit(f"{src} not found: install mediapipe=={_EXPECTED_VERSION} (see docstring)")
            raw = src.read_bytes()
            print(f"source  {_sha256(raw)}  mediapipe/{spec[0]} ({len(raw)} bytes)")
            info = zipfile.ZipInfo(spec[1], date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, independent of the build host
            data_offset = buf.tell() + 30 + len(spec[1].encode()) + 4  # local header + extra hdr
            pad = -data_offset % _ALIGN
            info.extra = struct.pack("<HH", _ALIGN_EXTRA_ID, pad) + b"\0" * pad
            bundle.writestr(info, _with_metadata(raw, spec))

    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as check:
        for info in check.infolist():
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            assert start % _ALIGN == 0, f"{info.filename} not aligned"
        assert check.testzip() is None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"bundle  {_sha256(data)}  {args.out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
