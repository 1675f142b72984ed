"""Footage for the gesture benchmark: which clips, and their landmarks (pose model run once, cached).

    python -m benchmarks.gesture_data [--cache DIR]     # fill the cache for every clip below

Clip sets (each a list of `Clip`):
- rendered gesture clips with truth (sample_videos/gestures/ and the data folder's renders), split
  by body and camera, by the truth's tags: the tuning set, a first held-out set (`heldout`; its
  failures led to fixes, so it is no longer clean) and a fresh held-out set rendered after those
  fixes (`heldout2`; its failures led to two more fixes) and a third set rendered after those
  (`heldout3`), never tuned on;
- every sample clip (sample_videos/*.mp4, sample_videos/lying/*.mp4): no gestures, all negatives;
- every real clip in ../shared/real_clips (videos), and the two stills of the arms-overhead low
  lunge, each fed as a 10 s still video (the same picture at 30 fps).

Landmarks come from the product's own estimator paths: the kneeling/standing clips through
`PoseEstimator` (VIDEO mode, as the lunge session), lying clips through `RotatingEstimator` (as the
floor sessions), both with person masks on (as the sessions run them). The cache (.npz per clip:
xy, visibility, presence, present, t_ms, size, and the masks at half their size as uint8,
`mask_scale` = frame pixel -> stored mask pixel) is keyed by the file's size and mtime and the
path used.
"""
from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecoach.core.types import Pose

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_videos"
GESTURE_CLIPS = SAMPLES / "gestures"
REAL = REPO.parent / "shared" / "real_clips"
DATA = Path(os.environ.get("GESTURE_DATA", "/work/data/issue13-gesture"))
CACHE = DATA / "landmarks"
STILL_SECONDS = 10.0
STILL_FPS = 30.0


@dataclass(frozen=True)
class Clip:
    """One piece of footage: a video or a still (fed as a still video), and its truth if any."""
    path: Path
    group: str  # gesture_tune | gesture_heldout | gesture_fresh | gesture_third | samples | samples_lying | real | real_stills
    lying: bool = False

    @property
    def truth_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".truth.json")

    def truth(self) -> dict | None:
        return json.loads(self.truth_path.read_text()) if self.truth_path.is_file() else None


def gesture_clips(folders: tuple[Path, ...] = (GESTURE_CLIPS, DATA / "renders")) -> list[Clip]:
    """Rendered gesture clips with truth; the truth's tags say which set (see the module docstring)."""
    out: dict[str, Clip] = {}
    for folder in folders:
        for video in sorted(folder.glob("*.mp4")):
            t = Clip(video, "gesture_tune").truth()
            if t is None or video.stem in out:
                continue
            tags = t.get("tags", [])
            group = ("gesture_third" if "heldout3" in tags else "gesture_fresh" if "heldout2" in tags
                     else "gesture_heldout" if "heldout" in tags else "gesture_tune")
            out[video.stem] = Clip(video, group, lying=bool(t.get("exercise")))
    return list(out.values())


def negative_clips() -> list[Clip]:
    """Every sample clip and every real clip: footage in which no command may fire."""
    clips = [Clip(p, "samples") for p in sorted(SAMPLES.glob("*.mp4"))]
    clips += [Clip(p, "samples_lying", lying=True) for p in sorted((SAMPLES / "lying").glob("*.mp4"))]
    if REAL.is_dir():
        clips += [Clip(p, "real") for p in sorted(REAL.glob("*.mp4"))]
        clips += [Clip(p, "real_stills") for p in sorted(REAL.glob("*.jpg"))]
    return clips


def _frames(clip: Clip) -> Iterator:
    from posecoach.vision.sources import VideoSource
    from posecoach.core.types import Frame

    if clip.path.suffix.lower() in (".jpg", ".jpeg", ".png"):
        import cv2

        image = cv2.imread(str(clip.path))
        for i in range(int(STILL_SECONDS * STILL_FPS)):
            yield Frame(image=image, t_ms=int(round(i * 1000 / STILL_FPS)), index=i)
        return
    yield from VideoSource(clip.path)


def landmarks(clip: Clip, cache: Path = CACHE) -> dict[str, np.ndarray]:
    """Per-frame landmarks of `clip` (xy (N,33,2) px, visibility, presence (N,33), present (N,),
    t_ms (N,), size (2,)), from the cache or by running the pose model once."""
    st = clip.path.stat()
    mode = "rot" if clip.lying else "track"
    path = cache / f"{clip.path.stem}-{st.st_size}-{int(st.st_mtime)}-{mode}-mask.npz"
    if path.is_file():
        return dict(np.load(path))
    from posecoach.vision.estimator import PoseEstimator
    from posecoach.vision.rotation import RotatingEstimator

    import cv2

    est = RotatingEstimator(masks=True) if clip.lying else PoseEstimator(masks=True)
    rows: dict[str, list] = {k: [] for k in ("xy", "visibility", "presence", "present", "t_ms", "mask")}
    size, mask_scale, mask_shape = (0, 0), 0.0, (1, 1)
    try:
        for frame in _frames(clip):
            p = est.detect(frame)
            size = p.image_size
            m = None
            if p.mask is not None:
                small = cv2.resize(p.mask, (max(1, p.mask.shape[1] // 2), max(1, p.mask.shape[0] // 2)),
                                   interpolation=cv2.INTER_AREA)
                m = np.clip(np.round(small * 255), 0, 255).astype(np.uint8)
                mask_scale, mask_shape = p.mask_scale * small.shape[1] / p.mask.shape[1], m.shape
            for k, v in (("xy", p.xy), ("visibility", p.visibility), ("presence", p.presence),
                         ("present", p.present), ("t_ms", frame.t_ms), ("mask", m)):
                rows[k].append(v)
    finally:
        est.close()
    masks = rows.pop("mask")
    data = {k: np.array(v) for k, v in rows.items()}
    data["mask"] = np.stack([m if m is not None else np.zeros(mask_shape, np.uint8) for m in masks])
    data["has_mask"] = np.array([m is not None for m in masks])
    data["size"] = np.array(size)
    data["mask_scale"] = np.array(mask_scale)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **data)
    return data


def poses(data: dict[str, np.ndarray]) -> Iterator[tuple[int, Pose]]:
    """(t_ms, Pose) per frame of cached landmarks; frames without a person give Pose.empty."""
    size = (int(data["size"][0]), int(data["size"][1]))
    for i, t in enumerate(data["t_ms"]):
        if not data["present"][i]:
            yield int(t), Pose.empty(size)
            continue
        mask = None
        if "mask" in data and data["has_mask"][i]:
            mask = data["mask"][i].astype(np.float32) / 255.0
        yield int(t), Pose(xy=data["xy"][i], visibility=data["visibility"][i], presence=data["presence"][i],
                           world=None, mask=mask, image_size=size, mask_scale=float(data.get("mask_scale", 1.0)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--only", choices=("gestures", "negatives"), default=None)
    args = ap.parse_args(argv)
    clips = ([] if args.only == "negatives" else gesture_clips()) + ([] if args.only == "gestures" else negative_clips())
    for clip in clips:
        d = landmarks(clip, args.cache)
        print(f"{clip.group:16s} {clip.path.name:50s} {len(d['t_ms']):5d} frames, "
              f"{d['present'].mean():.0%} with a person", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
