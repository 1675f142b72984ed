"""Samples for fitting and scoring the sagittal correction (issue 12): rendered stills
(benchmarks/oblique_stills.py) and frames of rendered clips (the camera sweep, with the landmark
cache of benchmarks/oblique.py), turned into what posecoach sees (features, the picture's
metrics, the kneeling gate) beside the truth.

A sample is one picture of a person in the lunge that MediaPipe found. `facing` is posecoach's
own decision (facing_votes; a clip's is steadied over the last 30 frames as LungeAnalyzer does),
`front` the leg whose ankle is further ahead in the picture (observe()'s choice).
"""
from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from posecoach.core.types import Metrics, Pose
from posecoach.exercises import sagittal_model as SM
from posecoach.exercises.lunge import facing_votes, observe

METRICS = SM.METRICS


@dataclass
class Sample:
    """One picture: what posecoach sees and the truth (degrees; knee_ahead_of_ankle in shins)."""
    source: str  # still id or clip:frame
    group: str  # the body (a still's body id, a clip's name): fit and check never share one
    pose: Pose
    facing: int
    front: str  # MediaPipe's label of the front leg by the picture
    x: np.ndarray | None  # features (None: the model cannot read this frame)
    picture: Metrics  # corrected picture (posecoach today)
    plain: Metrics  # raw landmarks (the plain baseline)
    kneeling: bool  # observe()'s gate
    view_today: float | None  # posecoach's unsigned view angle
    truth: dict[str, float]  # 3D metrics
    truth_2d: dict[str, float]  # the true joint centres' picture metrics
    azimuth: float
    elevation: float
    height_m: float
    facing_true: int
    front_side_true: str  # anatomical
    front_near: bool  # the front leg is the one nearer the camera
    extra: dict[str, Any] = field(default_factory=dict)


def pose_from_record(p: dict[str, Any]) -> Pose:
    return Pose(xy=np.array(p["xy"], float), visibility=np.array(p["visibility"], float),
                presence=np.array(p["presence"], float),
                world=None if p.get("world") is None else np.array(p["world"], float), mask=None,
                image_size=(int(p["size"][0]), int(p["size"][1])))


def make_sample(source: str, group: str, pose: Pose, facing: int, truth: dict[str, Any], azimuth: float,
                elevation: float, height_m: float, facing_true: str, front_true: str,
                truth_2d: dict[str, Any] | None = None) -> Sample:
    """A Sample from a detected pose and the truth of its picture."""
    obs = observe(pose, facing, corrected=True)
    front = _front_label(pose, facing)
    got = SM.features(pose, facing, front)
    from posecoach.exercises.joints import joint_centres  # noqa: PLC0415

    picture = SM.picture_metrics(joint_centres(pose, front, facing, corrected=True), facing)
    plain = SM.picture_metrics(joint_centres(pose, front, facing, corrected=False), facing)
    ft = 1 if facing_true == "right" else -1
    near_side = "right" if ft > 0 else "left"
    return Sample(source=source, group=group, pose=pose, facing=facing, front=front,
                  x=None if got is None else got[0], picture=picture, plain=plain, kneeling=obs.kneeling,
                  view_today=obs.view_angle_deg,
                  truth={k: float(truth[k]) for k in METRICS if truth.get(k) is not None},
                  truth_2d={k: float(v) for k, v in (truth_2d or {}).items() if v is not None},
                  azimuth=float(azimuth), elevation=float(elevation), height_m=float(height_m),
                  facing_true=ft, front_side_true=front_true, front_near=front_true == near_side)


def _front_label(pose: Pose, facing: int) -> str:
    from posecoach.core import geometry as g  # noqa: PLC0415
    from posecoach.core.landmarks import Landmark as L  # noqa: PLC0415
    from posecoach.core.landmarks import side_joints  # noqa: PLC0415

    xy = pose.xy
    mid = g.midpoint(xy[L.LEFT_HIP], xy[L.RIGHT_HIP])
    return max(("left", "right"), key=lambda s: g.ahead_offset(xy[side_joints(s)["ankle"]], mid, facing))


def load_stills(folder: Path, whole_body_only: bool = True, mirrored: bool = False) -> list[Sample]:
    """Samples of OUT/stills.jsonl (stills MediaPipe found, whole body in the picture), and of
    OUT/mirror.jsonl (the same stills flipped, benchmarks.oblique_stills --mirror) if asked."""
    out = []
    files = [folder / "stills.jsonl"] + ([folder / "mirror.jsonl"] if mirrored and (folder / "mirror.jsonl").is_file() else [])
    for line in (ln for f in files for ln in f.open()):
        d = json.loads(line)
        t, p = d["truth"], d["pose"]
        if not p.get("present") or p.get("world") is None or (whole_body_only and not t["whole_body"]):
            continue
        pose = pose_from_record(p)
        facing = 1 if facing_votes(pose) >= 0 else -1
        s = make_sample(d["id"], f"{d['seed']}:{d['body_id']}", pose, facing, t["metrics"], t["azimuth_deg"],
                        t["elevation_deg"], d["camera"]["height_m"], t["facing"], t["front"], t["metrics_2d"])
        s.extra = {"kind": d["posture"]["kind"], "posture": f"{d['seed']}:{d['body_id']}:{d['posture_id']}",
                   "degraded": bool(d["camera"]["webcam"]), "distance_m": d["camera"]["distance_m"],
                   "mirrored": bool(d.get("mirrored"))}
        out.append(s)
    return out


def load_clip(truth_path: Path, cache: Path) -> list[Sample]:
    """Samples of the lunge frames of one rendered clip (landmarks from benchmarks.landmark_cache)."""
    from benchmarks.landmark_cache import landmarks  # noqa: PLC0415
    from benchmarks.oblique import pose_at  # noqa: PLC0415

    video = truth_path.with_name(truth_path.name.replace(".truth.json", ".mp4"))
    truth = json.loads(truth_path.read_text())
    data = landmarks(video, cache)
    height = float((truth.get("camera") or {}).get("height_m", 0.0))
    votes: deque[float] = deque(maxlen=30)
    out = []
    for rec in truth["per_frame"]:
        i = int(rec["frame"])
        if i >= len(data["present"]) or not data["present"][i]:
            votes.clear()
            continue
        pose = pose_at(data, i)
        votes.append(facing_votes(pose))
        facing = 1 if sum(votes) >= 0 else -1
        if not (rec.get("person") and rec.get("in_lunge")) or rec.get("camera_azimuth_deg") is None:
            continue
        if pose.world is None or not np.isfinite(pose.world).all():
            continue
        s = make_sample(f"{video.stem}:{i}", video.stem, pose, facing, rec["metrics"], rec["camera_azimuth_deg"],
                        rec["camera_elevation_deg"], height, rec["facing"], rec["front_side"], rec.get("metrics_2d"))
        s.extra = {"clip": video.stem, "frame": i, "t_ms": int(rec["t_ms"])}
        out.append(s)
    return out


def load_clips(folder: Path, cache: Path, every: int = 1) -> list[Sample]:
    """Every `every`-th lunge frame of each rendered clip in `folder` (load_clip), leaving out
    the takes named in the folder's `rendered_after_check.list` (unseen check takes)."""
    listed = folder / "rendered_after_check.list"
    unseen = set(listed.read_text().split()) if listed.is_file() else set()
    out: list[Sample] = []
    for t in sorted(folder.glob("*.truth.json")):
        if t.name not in unseen and t.with_name(t.name.replace(".truth.json", ".mp4")).is_file():
            out += load_clip(t, cache)[::every]
    return out


def targets(s: Sample) -> np.ndarray | None:
    """The fit targets of a sample (sagittal_model.TARGETS order), None if the truth lacks one."""
    row = []
    for name in METRICS:
        tv, pv = s.truth.get(name), getattr(s.picture, name)
        if tv is None or pv is None or not math.isfinite(pv):
            return None
        row.append(tv - pv)
    row += [s.azimuth, s.elevation, 1.0 if s.front_near else 0.0]
    return np.array(row, float)
