"""Score posecoach's frames.jsonl against a clip's ground truth (pure: no video, no MediaPipe).

The rules are those of ../shared/docs/interface.md ("How accuracy is scored"), made precise here:

* Metrics. Over frames where the truth has a person and a non-null value for the metric:
  `n_truth` frames. `coverage` = share of those where posecoach also gave a value (1.0 = always
  measured; 1 - coverage is the share it left null). `mae` (and `bias`, the mean signed error
  posecoach - truth) over the frames where both are non-null. Units: the metric's own (degrees,
  or shin lengths for knee_ahead_of_ankle).
* Faults. Each frame's truth for a code is "fault" (listed in `fault`), "ambiguous" (listed in
  `ambiguous`) or "ok" (neither). Ambiguous frames are skipped, and so are the frames less than
  0.5 s after any change of that code's truth state (the first frame of a clip is not a change).
  Predicted = the code is in frames.jsonl's `faults`. Precision = TP / (TP + FP), recall =
  TP / (TP + FN), pooled over frames (None when undefined).
* Cue latency. A fault episode is a maximal run of frames whose truth for the code is not "ok"
  and which holds at least one "fault" frame; its onset is the first "fault" frame. The first cue
  of that code inside the run answers it: latency = max(0, t_cue - t_onset) (a cue while the value
  was already between the bands, just before it crossed, counts as immediate). No cue in the run
  = a miss.
* Oblique cameras (issue 12). The truth files judge the lunge form codes only side-on (the
  view bands of docs/ground-truth.md); `judge_form_3d` re-judges them from the 3D `metrics` by the
  protocol's bands in every lunge frame whatever the camera, which is what the by-camera table
  scores. `score_picture_gap` is the MAE of the truth's `metrics_2d` (the picture's angles of the
  true joint centres) against `metrics`: what a perfect picture reader would still get wrong.
  `score_view_angle` compares frames.jsonl's optional `view_angle_deg` with the truth's
  `view_deg` (both unsigned, 0 = side view), as a MetricScore.
* False cues. A fault cue (a cue whose code is one of the seven codes of protocol.md) issued at a
  frame where the truth of every one of the seven codes is "ok". The rate is per minute of such
  all-ok time. `wrong_cues` additionally counts fault cues whose own code's truth is "ok" at the
  time, whatever the other codes are (stricter; informational).
"""
from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METRICS = ("front_knee_angle_deg", "shin_tilt_deg", "knee_ahead_of_ankle",
           "back_hip_extension_deg", "trunk_lean_deg", "pelvic_tilt_deg")
FORM_CODES = ("KNEE_PAST_ANKLE", "FOOT_TOO_FAR", "HIPS_FORWARD", "ANTERIOR_TILT", "LEANING_FORWARD")
CODES = FORM_CODES + ("NOT_SIDE_VIEW", "NO_PERSON")
REACTION_MS = 500.0

FAULT, AMBIGUOUS, OK = "fault", "ambiguous", "ok"
Record = Mapping[str, Any]


def load_truth(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_frames(path: str | Path) -> list[dict[str, Any]]:
    """frames.jsonl -> list of records (blank lines ignored)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def truth_state(rec: Record, code: str) -> str:
    if code in rec.get("fault", ()):
        return FAULT
    if code in rec.get("ambiguous", ()):
        return AMBIGUOUS
    return OK


def align(truth_frames: Sequence[Record], frames: Sequence[Record]) -> list[tuple[Record, Record | None]]:
    """Pair each truth frame with posecoach's record of the same frame index (None if missing)."""
    by_index = {int(r["frame"]): r for r in frames}
    return [(t, by_index.get(int(t["frame"]))) for t in truth_frames]


@dataclass
class MetricScore:
    n_truth: int = 0
    n_both: int = 0
    abs_sum: float = 0.0
    signed_sum: float = 0.0

    @property
    def mae(self) -> float | None:
        return self.abs_sum / self.n_both if self.n_both else None

    @property
    def bias(self) -> float | None:
        return self.signed_sum / self.n_both if self.n_both else None

    @property
    def coverage(self) -> float | None:
        return self.n_both / self.n_truth if self.n_truth else None

    def add_pair(self, truth: float, pred: float | None) -> None:
        """Count one frame's truth and, when `pred` is a finite number, its error (pred - truth)."""
        self.n_truth += 1
        if pred is None or not math.isfinite(float(pred)):
            return
        self.n_both += 1
        self.abs_sum += abs(float(pred) - float(truth))
        self.signed_sum += float(pred) - float(truth)

    def add(self, other: "MetricScore") -> None:
        self.n_truth += other.n_truth
        self.n_both += other.n_both
        self.abs_sum += other.abs_sum
        self.signed_sum += other.signed_sum

    def to_dict(self) -> dict[str, Any]:
        return {"mae": self.mae, "bias": self.bias, "coverage": self.coverage,
                "n_truth": self.n_truth, "n_both": self.n_both}


@dataclass
class FaultScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    skipped: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def add(self, other: "FaultScore") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        self.skipped += other.skipped

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "tp": self.tp, "fp": self.fp,
                "fn": self.fn, "tn": self.tn, "skipped": self.skipped}


@dataclass
class CueScore:
    latencies_s: list[float] = field(default_factory=list)
    misses: int = 0

    @property
    def episodes(self) -> int:
        return len(self.latencies_s) + self.misses

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.latencies_s) if self.latencies_s else None

    @property
    def max_s(self) -> float | None:
        return max(self.latencies_s) if self.latencies_s else None

    def add(self, other: "CueScore") -> None:
        self.latencies_s.extend(other.latencies_s)
        self.misses += other.misses

    def to_dict(self) -> dict[str, Any]:
        return {"episodes": self.episodes, "cued": len(self.latencies_s), "misses": self.misses,
                "median_s": self.median_s, "max_s": self.max_s,
                "latencies_s": [round(x, 3) for x in self.latencies_s]}


@dataclass
class ClipScore:
    """Raw counts for one clip (or pooled over clips by `pool`)."""
    name: str = ""
    frames: int = 0
    duration_s: float = 0.0
    detected: int = 0
    metrics: dict[str, MetricScore] = field(default_factory=lambda: {m: MetricScore() for m in METRICS})
    faults: dict[str, FaultScore] = field(default_factory=lambda: {c: FaultScore() for c in CODES})
    cues: dict[str, CueScore] = field(default_factory=lambda: {c: CueScore() for c in CODES})
    all_ok_s: float = 0.0
    false_cues: list[dict[str, Any]] = field(default_factory=list)
    wrong_cues: list[dict[str, Any]] = field(default_factory=list)
    fault_cues: list[dict[str, Any]] = field(default_factory=list)

    @property
    def detection_rate(self) -> float | None:
        return self.detected / self.frames if self.frames else None

    @property
    def false_cues_per_min(self) -> float | None:
        return len(self.false_cues) / (self.all_ok_s / 60.0) if self.all_ok_s > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "frames": self.frames, "duration_s": round(self.duration_s, 3),
            "detection_rate": self.detection_rate,
            "metrics": {k: v.to_dict() for k, v in self.metrics.items()},
            "faults": {k: v.to_dict() for k, v in self.faults.items()},
            "cues": {k: v.to_dict() for k, v in self.cues.items()},
            "all_ok_s": round(self.all_ok_s, 3), "false_cues": self.false_cues,
            "false_cues_per_min": self.false_cues_per_min, "wrong_cues": self.wrong_cues,
            "fault_cues": self.fault_cues,
        }


def _frame_ms(truth_frames: Sequence[Record]) -> float:
    """Typical frame duration (ms) from the truth's timestamps; 1000/30 if there is one frame."""
    ts = [float(r["t_ms"]) for r in truth_frames]
    steps = [b - a for a, b in zip(ts, ts[1:]) if b > a]
    return statistics.median(steps) if steps else 1000.0 / 30.0


def score_metrics(pairs: Sequence[tuple[Record, Record | None]]) -> dict[str, MetricScore]:
    out = {m: MetricScore() for m in METRICS}
    for t, p in pairs:
        if not t.get("person"):
            continue
        for m in METRICS:
            tv = (t.get("metrics") or {}).get(m)
            if tv is not None:
                out[m].add_pair(tv, None if p is None else (p.get("metrics") or {}).get(m))
    return out


def score_metrics_between(truth_frames: Sequence[Record], truth_key: str, pred_key: str
                          ) -> dict[str, MetricScore]:
    """MAE of one truth key's metrics against another's within the same truth frames (e.g.
    `metrics_2d` vs `metrics`); frames without `pred_key` count as not measured."""
    pairs = [(t, {"metrics": t.get(pred_key) or {}}) for t in truth_frames]
    if truth_key != "metrics":
        pairs = [({**t, "metrics": t.get(truth_key) or {}}, p) for t, p in pairs]
    return score_metrics(pairs)


def score_picture_gap(truth_frames: Sequence[Record]) -> dict[str, MetricScore]:
    """The picture's angles of the true joint centres (`metrics_2d`) against the body's own
    (`metrics`); empty scores (n_truth = 0 for the missing frames' metrics) on old truth files."""
    if not any("metrics_2d" in t for t in truth_frames):
        return {m: MetricScore() for m in METRICS}
    return score_metrics_between(truth_frames, "metrics", "metrics_2d")


def score_view_angle(pairs: Sequence[tuple[Record, Record | None]]) -> MetricScore:
    """frames.jsonl `view_angle_deg` (abs, if present) against the truth's `view_deg` over frames
    with a person; coverage = share of them with an estimate."""
    s = MetricScore()
    for t, p in pairs:
        tv = t.get("view_deg")
        if not t.get("person") or tv is None:
            continue
        pv = None if p is None else p.get("view_angle_deg")
        s.add_pair(tv, None if pv is None else abs(float(pv)))
    return s


def judge_form_3d(truth_frames: Sequence[Record], bands: Mapping[str, tuple[str, float, float]]
                  ) -> list[dict[str, Any]]:
    """Copies of the truth frames whose lunge form codes are judged from the 3D `metrics` by
    `bands` (code -> (metric, ok when <=, fault when >=), protocol.md) in every lunge frame,
    whatever the view; out of the lunge they stay ambiguous. Other codes are left as they are."""
    out = []
    for t in truth_frames:
        fault = [c for c in t.get("fault", ()) if c not in bands]
        ambiguous = [c for c in t.get("ambiguous", ()) if c not in bands]
        metrics = t.get("metrics") or {}
        for code, (name, ok_max, fault_min) in bands.items():
            value = metrics.get(name)
            if not (t.get("person") and t.get("in_lunge")) or value is None:
                ambiguous.append(code)
            elif value >= fault_min:
                fault.append(code)
            elif value > ok_max:
                ambiguous.append(code)
        out.append({**t, "fault": fault, "ambiguous": ambiguous})
    return out


def score_faults(pairs: Sequence[tuple[Record, Record | None]],
                 reaction_ms: float = REACTION_MS) -> dict[str, FaultScore]:
    out = {c: FaultScore() for c in CODES}
    for code in CODES:
        s = out[code]
        prev: str | None = None
        changed_at: float | None = None
        for t, p in pairs:
            state = truth_state(t, code)
            tms = float(t["t_ms"])
            if prev is not None and state != prev:
                changed_at = tms
            prev = state
            if state == AMBIGUOUS or (changed_at is not None and tms - changed_at < reaction_ms):
                s.skipped += 1
                continue
            predicted = p is not None and code in (p.get("faults") or ())
            if state == FAULT:
                s.tp += predicted
                s.fn += not predicted
            else:
                s.fp += predicted
                s.tn += not predicted
    return out


def _cue_code(p: Record | None) -> str | None:
    if p is None or not p.get("cue"):
        return None
    return str(p["cue"].get("code"))


def score_cues(pairs: Sequence[tuple[Record, Record | None]]) -> dict[str, CueScore]:
    """Latency from each fault episode's onset to the first cue of its code (see module doc)."""
    out = {c: CueScore() for c in CODES}
    for code in CODES:
        run: list[tuple[Record, Record | None]] = []
        for t, p in [*pairs, (None, None)]:  # a sentinel closes the last run
            if t is not None and truth_state(t, code) != OK:
                run.append((t, p))
                continue
            onset = next((float(r["t_ms"]) for r, _ in run if truth_state(r, code) == FAULT), None)
            if onset is not None:
                cue_t = next((float(r["t_ms"]) for r, q in run if _cue_code(q) == code), None)
                if cue_t is None:
                    out[code].misses += 1
                else:
                    out[code].latencies_s.append(max(0.0, cue_t - onset) / 1000.0)
            run = []
    return out


def score_clip(name: str, truth_frames: Sequence[Record], frames: Sequence[Record]) -> ClipScore:
    """Everything for one clip. truth_frames: the truth's per_frame (or a stand-in, see
    `expected_truth`); frames: posecoach's frames.jsonl records."""
    pairs = align(truth_frames, frames)
    step = _frame_ms(truth_frames)
    clip = ClipScore(name=name, frames=len(frames), detected=sum(bool(r.get("person")) for r in frames))
    clip.duration_s = len(truth_frames) * step / 1000.0
    clip.metrics = score_metrics(pairs)
    clip.faults = score_faults(pairs)
    clip.cues = score_cues(pairs)
    for t, p in pairs:
        states = {c: truth_state(t, c) for c in CODES}
        all_ok = all(s == OK for s in states.values())
        clip.all_ok_s += step / 1000.0 if all_ok else 0.0
        code = _cue_code(p)
        if code not in CODES:
            continue
        event = {"t_s": round(float(t["t_ms"]) / 1000.0, 3), "code": code}
        clip.fault_cues.append(event)
        if all_ok:
            clip.false_cues.append(event)
        if states[code] == OK:
            clip.wrong_cues.append(event)
    return clip


def pool(name: str, clips: Iterable[ClipScore]) -> ClipScore:
    """Pool raw counts over clips (frame-weighted MAE, pooled precision/recall, all latencies)."""
    total = ClipScore(name=name)
    for c in clips:
        total.frames += c.frames
        total.duration_s += c.duration_s
        total.detected += c.detected
        total.all_ok_s += c.all_ok_s
        for m in METRICS:
            total.metrics[m].add(c.metrics[m])
        for code in CODES:
            total.faults[code].add(c.faults[code])
            total.cues[code].add(c.cues[code])
        total.false_cues += [{**e, "clip": c.name} for e in c.false_cues]
        total.wrong_cues += [{**e, "clip": c.name} for e in c.wrong_cues]
        total.fault_cues += [{**e, "clip": c.name} for e in c.fault_cues]
    return total


def pooled_latency(clip: ClipScore, codes: Iterable[str]) -> CueScore:
    out = CueScore()
    for c in codes:
        out.add(clip.cues[c])
    return out


def expected_truth(frames: Sequence[Record], expect: Mapping[str, str],
                   until_s: float | None = None) -> list[dict[str, Any]]:
    """A stand-in truth for a clip without one (real footage): each code's state is constant,
    `expect[code]` in {"fault", "ok", "ambiguous"} (codes not named are ambiguous); after
    `until_s` seconds every code is ambiguous. No metrics (nothing to score them against)."""
    out = []
    for r in frames:
        late = until_s is not None and float(r["t_ms"]) / 1000.0 >= until_s
        states = {c: (AMBIGUOUS if late else expect.get(c, AMBIGUOUS)) for c in CODES}
        out.append({"frame": r["frame"], "t_ms": r["t_ms"], "person": None, "metrics": {},
                    "fault": [c for c, s in states.items() if s == FAULT],
                    "ambiguous": [c for c, s in states.items() if s == AMBIGUOUS]})
    return out
