"""Accuracy of constructive rest and the soft-ball release on lying clips with ground truth
(sample_videos/lying/, or any folder of <stem>.mp4 + <stem>.truth.json made by samplegen.lying_render).

usage: python -m benchmarks.lying [FOLDER ...] [--out DIR] [--reuse]

Each clip is analysed by the product itself (`posecoach analyze --exercise rest|ball`), then
scored from frames.jsonl against the truth, with interface.md's conventions where they apply:
- detection: frames with a person found / frames whose truth has a person (by camera height too);
- posture: the steadied label (supine, prone, sitting, ...) vs the truth, skipping transitions and
  the first 0.5 s after the truth changes;
- metrics: mean absolute error (and bias) of the lying measurements, frames where both have a value;
- faults: frame-level precision and recall of KNEES_STRAIGHT, PELVIS_LIFTED, FEET_NOT_FLAT (ambiguous
  frames and 0.5 s after each change of truth skipped);
- breathing: absolute error of the shown rate vs the scenario's rate over the frames where a rate
  is shown, and how much of the supine time it is shown (coverage; the first ~10 s never are).
"""
from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

from posecoach.exercises.rest import REST_FAULTS, REST_METRICS

REACTION_MS = 500
ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "sample_videos" / "lying"


def load(folder: Path) -> list[dict]:
    with open(folder / "frames.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _settled(truth_rows: list[dict], key) -> list[bool]:
    """Per frame: True unless within REACTION_MS after the truth's `key(row)` changed."""
    out, last_change, prev = [], None, None
    for r in truth_rows:
        v = key(r)
        if prev is not None and v != prev:
            last_change = r["t_ms"]
        prev = v
        out.append(last_change is None or r["t_ms"] - last_change >= REACTION_MS)
    return out


def score_clip(truth: dict, frames: list[dict]) -> dict:
    rows = truth["per_frame"]
    n = min(len(rows), len(frames))
    rows, frames = rows[:n], frames[:n]
    present = [r["person"] for r in rows]
    det = sum(1 for r, f in zip(rows, frames) if r["person"] and f["person"])
    out: dict = {"clip": truth["video"], "exercise": truth.get("exercise"), "camera_m": truth["camera"]["height_m"],
                 "frames": n, "truth_person": sum(present), "detected": det}
    settled = _settled(rows, lambda r: r["posture"])
    pairs = [(r["posture"], f.get("posture")) for r, f, s in zip(rows, frames, settled)
             if s and r["person"] and r["posture"] not in ("transition", "absent")]
    out["posture_n"] = len(pairs)
    out["posture_ok"] = sum(1 for a, b in pairs if a == b)
    errs: dict[str, list[float]] = defaultdict(list)
    for r, f in zip(rows, frames):
        if not (r["person"] and f["person"] and r["posture"] == "supine"):
            continue
        em = f.get("exercise_metrics") or {}
        for name in REST_METRICS:
            t, p = r["lying_metrics"].get(name), em.get(name)
            if t is not None and p is not None:
                errs[name].append(p - t)
    out["metric_err"] = {k: v for k, v in errs.items()}
    faults: dict[str, dict[str, int]] = {}
    for code in REST_FAULTS:
        state = lambda r: "fault" if code in r.get("exercise_fault", []) else (  # noqa: E731
            "ambiguous" if code in r.get("exercise_ambiguous", []) else "ok")
        ok_frames = _settled(rows, state)
        c = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for r, f, s in zip(rows, frames, ok_frames):
            truth_state = state(r)
            if not s or truth_state == "ambiguous":
                continue
            pred = code in (f.get("exercise_faults") or [])
            key = ("tp" if pred else "fn") if truth_state == "fault" else ("fp" if pred else "tn")
            c[key] += 1
        faults[code] = c
    out["faults"] = faults
    rate_err, supine_frames, shown = [], 0, 0
    for r, f in zip(rows, frames):
        if r.get("breathing_rate_bpm") is None:
            continue
        supine_frames += 1
        if f.get("breathing_rate_bpm") is not None:
            shown += 1
            rate_err.append(f["breathing_rate_bpm"] - r["breathing_rate_bpm"])
    out["breathing"] = {"truth_bpm": truth.get("breathing_bpm"), "supine_frames": supine_frames, "shown": shown,
                        "err": rate_err, "last": rate_err[-1] if rate_err else None}
    return out


def analyse(video: Path, out_dir: Path, exercise: str, reuse: bool) -> list[dict]:
    folder = out_dir / video.stem
    if not (reuse and (folder / "frames.jsonl").is_file()):
        from posecoach.runner.analyze import AnalyzeOptions, analyze_video
        analyze_video(video, AnalyzeOptions(out_dir=out_dir, exercise=exercise, progress=False))
    return load(folder)


def _pr(c: dict[str, int]) -> str:
    if c["tp"] + c["fn"] == 0:
        return f"no fault frames; {c['fp']} of {c['fp'] + c['tn']} ok frames flagged"
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None
    f = lambda x: "-" if x is None else f"{x:.2f}"  # noqa: E731
    return f"{f(p)} / {f(r)} (n={c['tp'] + c['fn']}+{c['fp'] + c['tn']})"


def report(scores: list[dict]) -> str:
    lines = ["## Lying clips: detection, posture, metrics, faults, breathing", ""]
    lines += ["| clip | camera m | detected | posture right | breathing truth / mean shown (MAE), coverage |",
              "|---|---|---|---|---|"]
    for s in scores:
        b = s["breathing"]
        br = "-"
        if b["supine_frames"] and b["truth_bpm"]:
            if b["err"]:
                mae = statistics.fmean(abs(e) for e in b["err"])
                mean = b["truth_bpm"] + statistics.fmean(b["err"])
                br = f"{b['truth_bpm']:.0f} / {mean:.1f} ({mae:.2f}), {b['shown'] / b['supine_frames']:.0%}"
            else:
                br = f"{b['truth_bpm']:.0f} / none shown (clip shorter than the 10 s the estimate needs)"
        pst = f"{s['posture_ok'] / s['posture_n']:.0%}" if s["posture_n"] else "-"
        lines.append(f"| {s['clip']} | {s['camera_m']} | {s['detected']}/{s['truth_person']} | {pst} | {br} |")
    by_h: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for s in scores:
        by_h[s["camera_m"]][0] += s["detected"]
        by_h[s["camera_m"]][1] += s["truth_person"]
    lines += ["", "Detection rate by camera height: " + ", ".join(
        f"{h} m {d / t:.1%} ({d}/{t})" for h, (d, t) in sorted(by_h.items()) if t)]
    errs: dict[str, list[float]] = defaultdict(list)
    for s in scores:
        for k, v in s["metric_err"].items():
            errs[k].extend(v)
    lines += ["", "| metric (supine frames) | MAE | bias | n |", "|---|---|---|---|"]
    for k in REST_METRICS:
        v = errs.get(k) or []
        if v:
            lines.append(f"| {k} | {statistics.fmean(abs(x) for x in v):.2f} | {statistics.fmean(v):+.2f} | {len(v)} |")
    tot: dict[str, dict[str, int]] = {c: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for c in REST_FAULTS}
    for s in scores:
        for c, d in s["faults"].items():
            for k in d:
                tot[c][k] += d[k]
    lines += ["", "| fault | precision / recall (fault frames + ok frames) |", "|---|---|"]
    lines += [f"| {c} | {_pr(d)} |" for c, d in tot.items()]
    all_b = [abs(e) for s in scores for e in s["breathing"]["err"]]
    last = [abs(s["breathing"]["last"]) for s in scores if s["breathing"]["last"] is not None]
    if all_b:
        lines += ["", f"Breathing rate: MAE {statistics.fmean(all_b):.2f} breaths/min over {len(all_b)} frames "
                      f"with a rate shown; at the end of each clip {', '.join(f'{x:.2f}' for x in last)}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.lying", description=__doc__.split("\n")[0])
    ap.add_argument("folders", type=Path, nargs="*", default=[DEFAULT])
    ap.add_argument("--out", type=Path, default=Path("/tmp/posecoach-lying"))
    ap.add_argument("--reuse", action="store_true", help="reuse frames.jsonl already in --out")
    ap.add_argument("--json", type=Path, help="also write the raw scores here")
    args = ap.parse_args(argv)
    scores = []
    for folder in args.folders:
        for truth_path in sorted(folder.glob("*.truth.json")):
            truth = json.loads(truth_path.read_text())
            video = truth_path.with_name(truth["video"])
            frames = analyse(video, args.out, truth.get("exercise", "rest"), args.reuse)
            scores.append(score_clip(truth, frames))
            print(f"scored {video.name}", flush=True)
    print(report(scores))
    if args.json:
        args.json.write_text(json.dumps(scores, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
