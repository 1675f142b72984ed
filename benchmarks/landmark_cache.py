"""The pose model's landmarks of a whole video, run once (VIDEO mode, as the analysis runs it) and
cached as .npz, for the benchmarks that replay or measure them (offsets, replay, oblique and the
sagittal ones)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

SAMPLE_CACHE = Path(tempfile.gettempdir()) / "posecoach-landmarks"
"""Where offsets and replay keep the sample clips' landmarks unless told (--cache): one run serves both."""


def landmarks(video: Path, cache: Path) -> dict[str, np.ndarray]:
    """Per-frame xy (N,33,2) px, world (N,33,3), visibility, presence (N,33), present (N,), size.

    The cache file is named by the video's stem, size and mtime, so a re-rendered clip is run
    again. Files cached before visibility and presence were kept lack those two keys."""
    st = video.stat()
    path = cache / f"{video.stem}-{st.st_size}-{int(st.st_mtime)}.npz"
    if path.is_file():
        return dict(np.load(path))
    from posecoach.vision.estimator import PoseEstimator  # noqa: PLC0415  (mediapipe: only when caching)
    from posecoach.vision.sources import open_source  # noqa: PLC0415

    xy, world, vis, pres, present, size = [], [], [], [], [], (0, 0)
    with PoseEstimator(masks=False) as est:
        for frame in open_source(video):
            p = est.detect(frame)
            size = p.image_size
            xy.append(p.xy)
            world.append(p.world if p.world is not None else np.full((33, 3), np.nan))
            vis.append(p.visibility)
            pres.append(p.presence)
            present.append(p.present)
    data = {"xy": np.array(xy), "world": np.array(world), "visibility": np.array(vis),
            "presence": np.array(pres), "present": np.array(present), "size": np.array(size)}
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, **data)
    return data
