"""The held-out pelvic-tilt table: old estimator vs the learned one, uncalibrated and calibrated,
per body type, camera height, view and clothing, on rendered stills never used to fit anything.

    python -m benchmarks.pelvis_check DATA/check [--robust DATA/robust] [--markdown] [--offsets]

Stills from benchmarks.pelvis_gen (check split: seed 7719, 48 bodies; robust split: seed 7720,
16 bodies in four appearance variants), measured by benchmarks.pelvis_data with the product's
code. Readings per still, each through posecoach.pelvis.tilt exactly as a frame would go:
* old uncal: today's absolute linear model (ANTERIOR_TILT switched on 7 deg later, as today);
* old cal: today's change-from-neutral model, the neutral = the same series' tilt-0 still;
* new frame: the learned absolute model on the still alone (null when the outline is unusual);
* new uncal: what the product reads without calibration: learned.SelfReference over the
  series (one body, posture, camera and clothing, like one clip) after it has seen each of the
  series' stills once (its level is then the median over the series);
* new cal: the calibrated reading of the product as shipped, same neutral.
Scores (calibrated rows leave out the neutral stills themselves): coverage = share of stills with a reading (a still MediaPipe missed counts as no
reading); MAE and bias over stills with a reading; ANTERIOR_TILT precision / recall on stills
(truth fault >= 8, ok <= 0 by protocol.md; predicted = reading >= the analyzer's on-threshold,
4.4 deg, plus the estimator's threshold shift; a missing reading is not a prediction). Per body:
the spread (sd) and the largest of the per-body mean errors, and the per-body MAE's median / max.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.pelvis_data import Still, load
from posecoach.pelvis import model as P
from posecoach.pelvis.tilt import PelvisTilt
from posecoach.pelvis import learned as M
from posecoach.core.config import Settings

BAND = Settings().bands["ANTERIOR_TILT"]
FAULT, OK, ON = BAND.fault, BAND.ok, BAND.on


def _sample(s: Still, model: M.Models | None) -> P.Sample | None:
    """The Sample posecoach.pelvis.measure gives for this still (the learned model attached)."""
    if s.old is None:
        return None
    if s.old.features is None or s.seen is None or model is None:
        return P.Sample(0, s.old.features, s.old.reason, s.old.trunk_px, s.old.hip_xy)
    est = model.estimate(s.seen)
    x = M.inputs(s.seen)
    return P.Sample(s.meta["tilt_index"] * 33, s.old.features, None, s.old.trunk_px, s.old.hip_xy,
                    absolute=est.tilt_deg, absolute_reason=est.reason,
                    inputs=x if x is not None and np.isfinite(x).all() else None, facing=1)


def _session(stills: list[Still], samples: list[P.Sample | None], model: M.Models | None) -> np.ndarray:
    """The product's uncalibrated reading per still: SelfReference over each series, warmed up."""
    out = np.full(len(stills), np.nan)
    if model is None:
        return out
    by_series: dict[str, list[int]] = {}
    for i, s in enumerate(stills):
        by_series.setdefault(s.series, []).append(i)
    for idx in by_series.values():
        idx = sorted(idx, key=lambda i: stills[i].meta["tilt_index"])
        ref = M.SelfReference(model)
        usable = [i for i in idx if samples[i] is not None and samples[i].absolute is not None]
        for i in usable:  # first look: the level
            ref.update(samples[i])
        for i in usable:
            out[i] = ref.update(samples[i])
    return out


def readings(stills: list[Still], model: M.Models | None) -> dict[str, np.ndarray]:
    """Per still: the readings (NaN = none) and the reason of the new uncalibrated one."""
    n = len(stills)
    out = {k: np.full(n, np.nan) for k in ("old uncal", "old cal", "new frame", "new cal")}
    reasons = np.array([""] * n, dtype=object)
    samples = [_sample(s, model) for s in stills]
    neutral: dict[str, P.Sample | None] = {s.series: samples[i] for i, s in enumerate(stills) if s.meta["tilt_index"] == 0}
    neutral_tilt = {s.series: s.tilt for s in stills if s.meta["tilt_index"] == 0}
    for i, (s, smp) in enumerate(zip(stills, samples)):
        if smp is None:
            reasons[i] = "no_person"
            continue
        if smp.features is None:
            reasons[i] = smp.reason or "?"
            continue
        out["old uncal"][i] = float(smp.vector() @ P.ABS_WEIGHTS + P.ABS_INTERCEPT)
        if smp.absolute is not None:
            out["new frame"][i] = P.tilt_from(smp, None)
        else:
            reasons[i] = smp.absolute_reason or "no_model"
        ref = neutral.get(s.series)
        if ref is not None and ref.features is not None:
            cal = P.calibrate([ref], min_samples=1)
            if cal is not None and cal.usable:  # (a neutral without a hollow: loose top, no reading)
                # the truth of a neutral still is ~0; calibration reads changes from it
                out["old cal"][i] = float((smp.vector() - ref.vector()) @ P.DELTA_WEIGHTS) + neutral_tilt[s.series]
                reading = P.tilt_from(smp, cal)  # None: the calibrated model's inputs missing (no reading)
                if reading is not None:
                    out["new cal"][i] = reading + neutral_tilt[s.series]
    out["new uncal"] = _session(stills, samples, model)
    out["reason"] = reasons
    return out


def score(pred: np.ndarray, y: np.ndarray, body: np.ndarray, shift: float = 0.0) -> dict[str, Any]:
    ok = np.isfinite(pred)
    e = pred[ok] - y[ok]
    fault, good = y >= FAULT, y <= OK
    on = ok & (pred >= ON + shift)
    tp, fp, fn = int((on & fault).sum()), int((on & good).sum()), int((~on & fault).sum())
    per = [e[body[ok] == b] for b in np.unique(body[ok])]
    bias = np.array([p.mean() for p in per]) if per else np.array([np.nan])
    maes = np.array([np.abs(p).mean() for p in per]) if per else np.array([np.nan])
    return dict(n=len(y), coverage=float(ok.mean()) if len(y) else np.nan,
                mae=float(np.abs(e).mean()) if len(e) else np.nan, bias=float(e.mean()) if len(e) else np.nan,
                precision=tp / (tp + fp) if tp + fp else np.nan, recall=tp / (tp + fn) if tp + fn else np.nan,
                body_sd=float(np.std(bias)), body_max=float(np.max(np.abs(bias))),
                body_mae_med=float(np.median(maes)), body_mae_max=float(np.max(maes)), bodies=len(per))


def _f(x: float, fmt: str = "{:.2f}") -> str:
    return "-" if x is None or not np.isfinite(x) else fmt.format(x)


def groups(stills: list[Still]) -> list[tuple[str, Callable[[Still], bool]]]:
    """Named subsets: all, body types, camera heights, views, clothing and webcam."""
    b = lambda s: s.meta["body"]  # noqa: E731
    cam = lambda s: s.meta["series_spec"]["camera"]  # noqa: E731
    out: list[tuple[str, Callable[[Still], bool]]] = [("all", lambda s: True)]
    out += [("women (gender >= 0.5)", lambda s: b(s)["phenotype"]["gender"] >= 0.5),
            ("men", lambda s: b(s)["phenotype"]["gender"] < 0.5),
            ("light (weight < 0.4)", lambda s: b(s)["phenotype"]["weight"] < 0.4),
            ("average weight", lambda s: 0.4 <= b(s)["phenotype"]["weight"] <= 0.7),
            ("heavy (weight > 0.7)", lambda s: b(s)["phenotype"]["weight"] > 0.7),
            ("small buttocks (< -0.33)", lambda s: b(s)["local"]["buttocks-volume-incr"] < -0.33),
            ("large buttocks (> 0.33)", lambda s: b(s)["local"]["buttocks-volume-incr"] > 0.33),
            ("belly (pregnant > 0.4)", lambda s: b(s)["local"]["stomach-pregnant-incr"] > 0.4),
            ("flat low back (arch < -3)", lambda s: b(s)["arch_deg"] < -3),
            ("hollow low back (arch > 3)", lambda s: b(s)["arch_deg"] > 3),
            ("camera 0.30-0.60 m", lambda s: cam(s)["height_m"] < 0.6),
            ("camera 0.60-0.95 m", lambda s: 0.6 <= cam(s)["height_m"] < 0.95),
            ("camera 0.95-1.30 m", lambda s: cam(s)["height_m"] >= 0.95),
            ("view 0-10 deg off side", lambda s: s.meta["view_deg"] < 10),
            ("view 10-20 deg off side", lambda s: s.meta["view_deg"] >= 10),
            ("webcam clean", lambda s: not s.meta["series_spec"].get("degrade")),
            ("webcam blur/noise/JPEG", lambda s: bool(s.meta["series_spec"].get("degrade")))]
    variants = sorted({s.meta["series_spec"]["variant"] for s in stills})
    if len(variants) > 1:
        out = [(f"clothing: {v}", (lambda v: lambda s: s.meta["series_spec"]["variant"] == v)(v)) for v in variants]
    return out


MODES = (("old uncal", P.UNCALIBRATED_MARGIN_DEG), ("old cal", 0.0), ("new frame", None), ("new uncal", None),
         ("new cal", 0.0))


def report(stills: list[Still], r: dict[str, np.ndarray], markdown: bool) -> list[str]:
    """The table by group, the per-body spread and the null reasons, from `readings`."""
    y = np.array([s.tilt for s in stills])
    body = np.array([s.body for s in stills])
    new_shift = PelvisTilt().threshold_shift_deg
    neutral = np.array([s.meta["tilt_index"] == 0 for s in stills])
    lines = []
    head = "| group | stills | " + " | ".join(f"{m} MAE / cover / AT P-R" for m, _ in MODES) + " |"
    lines += [head, "|---|---|" + "---|" * len(MODES)] if markdown else [head]
    spread = []
    for name, pick in groups(stills):
        sel = np.array([pick(s) for s in stills])
        if not sel.any():
            continue
        cells = []
        for mode, shift in MODES:
            m = sel & ~neutral if mode.endswith("cal") and "uncal" not in mode else sel  # calibrated: not the neutral
            sc = score(r[mode][m], y[m], body[m], new_shift if shift is None else shift)
            cells.append(f"{_f(sc['mae'])} / {_f(sc['coverage'])} / {_f(sc['precision'])}-{_f(sc['recall'])}")
            if name == "all" or name.startswith("clothing"):
                spread.append(f"{name:<22} {mode:<10} per-body bias sd {_f(sc['body_sd'])}, max |bias| "
                              f"{_f(sc['body_max'], '{:.1f}')}, per-body MAE median {_f(sc['body_mae_med'])} max "
                              f"{_f(sc['body_mae_max'], '{:.1f}')} ({sc['bodies']} bodies)")
        lines.append(f"| {name} | {int(sel.sum())} | " + " | ".join(cells) + " |")
    lines += ["", "Per-body spread:"] + spread
    reasons: dict[str, int] = {}
    for x in r["reason"]:
        if x:
            reasons[x] = reasons.get(x, 0) + 1
    lines.append(f"new uncal null reasons: {dict(sorted(reasons.items()))}")
    return lines


def body_parameters(still: Still) -> dict[str, float]:
    """The render's body parameters of a still: phenotype, local shape, habitual lumbar arch."""
    b = still.meta["body"]
    return {**b["phenotype"], **b["local"], "arch_deg": b["arch_deg"]}


def offsets(stills: list[Still], pred: np.ndarray) -> list[str]:
    """What the uncalibrated per-body offset follows: its correlation with each body parameter,
    what a linear fit on all of them leaves (each body left out of its own fit), and how much a
    body's camera series share it. `pred`: the new uncalibrated reading of each still."""
    err = pred - np.array([s.tilt for s in stills])
    body, series = np.array([s.body for s in stills]), np.array([s.series for s in stills])
    ok = np.isfinite(err)
    names = sorted({b for b in body[ok]})
    bias = np.array([err[ok & (body == b)].mean() for b in names])
    first = {s.body: body_parameters(s) for s in stills}
    keys = list(first[names[0]])
    X = np.array([[first[b][k] for k in keys] for b in names])
    r = {k: float(np.corrcoef(X[:, j], bias)[0, 1]) for j, k in enumerate(keys)}
    lines = [f"uncalibrated per-body offset: {len(names)} bodies, sd {bias.std():.2f} deg; correlation r with:"]
    lines += [f"  {k:<28} {v:+.2f}" for k, v in sorted(r.items(), key=lambda kv: -abs(kv[1]))]
    A = np.c_[np.ones(len(names)), X]
    left = [bias[i] - A[i] @ np.linalg.lstsq(np.delete(A, i, 0), np.delete(bias, i), rcond=None)[0]
            for i in range(len(names))]
    lines.append(f"linear fit on all {len(keys)} parameters, each body left out: sd {np.std(left):.2f} left")
    pairs = []
    for b in names:
        per = [err[ok & (series == s)].mean() for s in sorted(set(series[body == b])) if (ok & (series == s)).any()]
        if len(per) >= 2:
            pairs.append(per[:2])
    if len(pairs) > 2:
        a = np.array(pairs)
        lines.append(f"a body's first two series: offset sd {a.std():.2f}, shared r {np.corrcoef(a.T)[0, 1]:.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pelvis_check", description=__doc__.split("\n")[0])
    ap.add_argument("folders", type=Path, nargs="+")
    ap.add_argument("--robust", type=Path, nargs="*", default=[])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--offsets", action="store_true",
                    help="also: what the uncalibrated per-body offset follows (body parameters)")
    args = ap.parse_args(argv)
    model = M.shipped()
    print(f"model: {model.info.get('made_by') if model else None}; new uncal threshold shift "
          f"{PelvisTilt().threshold_shift_deg} deg")
    for folders in (args.folders, args.robust):
        if folders:
            stills = [s for f in folders for s in load(f)]
            print(f"\n{', '.join(map(str, folders))}: {len(stills)} stills, "
                  f"{len({s.body for s in stills})} bodies")
            r = readings(stills, model)
            print("\n".join(report(stills, r, args.markdown)))
            if args.offsets and folders is args.folders:
                print("\n".join(["", *offsets(stills, r["new uncal"])]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
