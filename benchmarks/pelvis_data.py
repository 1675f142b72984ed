"""Load rendered pelvis stills (benchmarks.pelvis_gen) with what posecoach measures on them, cached.

For every still: its meta (truth, body, camera, look, series), MediaPipe's output run through the
product's own code (posecoach.exercises.lunge.observe for the joint centres, facing and view;
posecoach.pelvis.measure for the old estimator's Sample and its reason when null) and the raw
material of the new model (posecoach.pelvis.learned.Observed: the back profile and the landmark cues).
Everything but the meta is cached in FOLDER/measured.npz, so refitting does not touch MediaPipe's
masks again. Pure numpy at use (no torch, no renderer).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posecoach.pelvis import model as P
from posecoach.pelvis import learned as M
from posecoach.pelvis.outline import OutlineFeatures

CACHE_VERSION = 4


@dataclass
class Still:
    """One rendered still and what posecoach measured on it."""
    meta: dict[str, Any]
    old: P.Sample | None  # the old estimator's sample (None: no person found)
    seen: M.Observed | None  # the new model's raw inputs (None: no person or no outline)
    crop: np.ndarray | None = None  # the mask in the trunk frame (CROP_V x CROP_U, uint8), for experiments

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def tilt(self) -> float:
        return float(self.meta["truth"]["pelvic_tilt_deg"])

    @property
    def body(self) -> str:
        return self.meta["body_id"]

    @property
    def series(self) -> str:
        return self.meta["series"]


def _measure(meta: dict[str, Any], res: Any) -> tuple[P.Sample | None, M.Observed | None, np.ndarray | None]:
    from posecoach.exercises.lunge import observe
    from posecoach.core.types import Pose

    sid = meta["id"]
    xy = res[sid + "_xy"]
    if not len(xy):
        return None, None, None
    mask = res[sid + "_mask"].astype(np.float32) / 255.0
    pose = Pose(xy=xy[:, :2], visibility=xy[:, 2], presence=xy[:, 2], world=res[sid + "_world"], mask=mask,
                image_size=(mask.shape[1], mask.shape[0]))
    obs = observe(pose)
    if obs.joints is None:
        return None, None, None
    old = P.measure(pose, obs.joints.mid_hip, obs.joints.mid_shoulder, obs.facing, obs.view_angle_deg, 0)
    crop = M.trunk_crop(mask, np.asarray(obs.joints.mid_hip, float), np.asarray(obs.joints.mid_shoulder, float),
                      obs.facing)
    return old, M.observe_outline(pose, obs), crop


def _pack(stills: list[Still]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {"version": np.array(CACHE_VERSION)}
    for s in stills:
        if s.old is not None:
            f = s.old.features
            out[s.id + "/old"] = np.r_[f.as_array() if f is not None else np.full(12, np.nan), s.old.trunk_px,
                                       *s.old.hip_xy]
            out[s.id + "/reason"] = np.array(s.old.reason or "")
        if s.crop is not None:
            out[s.id + "/crop"] = s.crop
        if s.seen is not None:
            for k, v in s.seen.to_arrays().items():
                out[f"{s.id}/seen/{k}"] = v
    return out


def _unpack(meta: dict[str, Any], cache: Any) -> Still:
    sid = meta["id"]
    old = None
    if sid + "/old" in cache:
        a = cache[sid + "/old"]
        reason = str(cache[sid + "/reason"]) or None
        feats = None if np.isnan(a[0]) and reason else OutlineFeatures.from_array(a[:12])
        old = P.Sample(0, feats, reason, float(a[12]), (float(a[13]), float(a[14])))
    seen = None
    prefix = f"{sid}/seen/"
    keys = [k for k in cache if k.startswith(prefix)]
    if keys:
        seen = M.Observed.from_arrays({k[len(prefix):]: cache[k] for k in keys})
    return Still(meta, old, seen, cache.get(sid + "/crop"))


def load(folder: Path) -> list[Still]:
    """Every still of a folder rendered and detected by benchmarks.pelvis_gen (cached measuring)."""
    metas = [json.loads(line) for line in open(folder / "meta.jsonl")]
    cache_path = folder / "measured.npz"
    cache: dict[str, Any] = {}
    if cache_path.is_file():
        with np.load(cache_path) as z:
            if int(z["version"]) == CACHE_VERSION:
                cache = {k: z[k] for k in z.files}
    by_body: dict[str, list[dict[str, Any]]] = {}
    for m in metas:
        by_body.setdefault(m["body_id"], []).append(m)
    stills: list[Still] = []
    dirty = False
    for body_id, ms in by_body.items():
        if all(m["id"] + "/reason" in cache or m["id"] + "/none" in cache for m in ms):
            stills += [_unpack(m, cache) for m in ms]
            continue
        mp_path = folder / "mp" / f"{body_id}.npz"
        if not mp_path.is_file():
            continue  # not detected yet
        with np.load(mp_path) as res:
            for m in ms:
                if m["id"] + "_xy" not in res.files:
                    continue
                old, seen, crop = _measure(m, res)
                s = Still(m, old, seen, crop)
                stills.append(s)
                cache.update(_pack([s]))
                if old is None:
                    cache[m["id"] + "/none"] = np.array(1)
        dirty = True
    if dirty:
        np.savez_compressed(cache_path, **cache)
    return stills
