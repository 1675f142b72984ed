"""Fit the pelvic-tilt models of posecoach/pelvis/learned.py on rendered stills, check them
leave-bodies-out on the training stills only, and write the shipped weights.

    python -m benchmarks.pelvis_learn DATA/train [--dev DATA/robust_dev] [--cnn] [--write]

Stills come from benchmarks.pelvis_gen (render + detect), measured with the product's own code by
benchmarks.pelvis_data (cached). Printed, all from 5-fold cross-validation over whole bodies (no
body is in the fit of its own fold): the old linear estimators; the absolute ridge model over
learned.inputs (the back profile, outline features, landmark cues); with --cnn the small
network over the trunk-frame mask crop (benchmarks.pelvis_cnn) and the linear/network average;
the change model (ridge over input changes -> tilt changes: calibrated, from the series' tilt-0
still); and the session reading that needs no calibration ("self-referenced": the change model's
frame-to-frame changes on a level that is the absolute model's median over the series). Then the
ANTERIOR_TILT threshold shift that keeps the uncalibrated precision >= PRECISION on these folds.
--dev: stills in loose shirts, long hair, dark clothes, hands on the hips (their own seed, never
the check set): how often the unusualness check says "outline_unusual" per variant.
--write: fit everything on all stills and write posecoach/data/pelvis_model.npz and .json
(with the data, the seeds, the CV figures and this command). Needs torch only with --cnn.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.pelvis_data import Still, load
from posecoach.pelvis import model as P
from posecoach.pelvis import learned as M

FAULT, OK = 8.0, 0.0
ON = 0.55 * FAULT  # the analyzer switches a fault on at 55 % of the band (posecoach.core.config)
PRECISION = 0.95  # wanted of the uncalibrated ANTERIOR_TILT on the training folds
ALPHA_ABS, ALPHA_DELTA = 10.0, 10.0
FOLDS = 5


def table(stills: list[Still]) -> dict[str, np.ndarray]:
    """Inputs and labels of the stills the product would read (its gates passed, inputs found)."""
    rows = [(s, M.inputs(s.seen)) for s in stills if s.seen is not None and s.old is not None
            and s.old.features is not None]
    rows = [(s, x) for s, x in rows if x is not None and np.isfinite(x).all()]
    return dict(X=np.array([x for _, x in rows]), y=np.array([s.tilt for s, _ in rows]),
                V=np.array([s.old.vector() for s, _ in rows]),
                C=np.array([s.crop if s.crop is not None else s.seen.crop for s, _ in rows]),
                Q=np.array([s.seen.cues for s, _ in rows]),
                body=np.array([s.body for s, _ in rows]), series=np.array([s.series for s, _ in rows]),
                neutral=np.array([s.meta["tilt_index"] == 0 for s, _ in rows]),
                ids=np.array([s.id for s, _ in rows]))


def ridge(X: np.ndarray, y: np.ndarray, alpha: float, intercept: bool = True) -> M.Linear:
    """Ridge regression on standardised inputs; without `intercept` through the origin (a change
    model: no input change, no tilt change), inputs scaled by their RMS."""
    if intercept:
        mean, scale, y0 = X.mean(0), X.std(0) + 1e-9, float(y.mean())
    else:
        mean, scale, y0 = np.zeros(X.shape[1]), np.sqrt((X ** 2).mean(0)) + 1e-9, 0.0
    Z = (X - mean) / scale
    w = np.linalg.solve(Z.T @ Z + alpha * len(Z) * 1e-3 * np.eye(Z.shape[1]), Z.T @ (y - y0))
    return M.Linear(mean, scale, w, y0)


def folds(d: dict[str, np.ndarray], seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(np.unique(d["body"]))
    return [np.isin(d["body"], order[k::FOLDS]) for k in range(FOLDS)]


def cv_linear(d: dict[str, np.ndarray], alpha: float = ALPHA_ABS) -> np.ndarray:
    pred = np.full(len(d["y"]), np.nan)
    for held in folds(d):
        pred[held] = ridge(d["X"][~held], d["y"][~held], alpha).predict(d["X"][held])
    return np.clip(pred, *M.CLIP_DEG)


def cv_cnn(d: dict[str, np.ndarray], epochs: int, width: int) -> np.ndarray:
    from benchmarks.pelvis_cnn import fit_predict

    pred = np.full(len(d["y"]), np.nan)
    for held in folds(d):
        pred[held] = fit_predict(d["C"][~held], d["Q"][~held], d["y"][~held], d["C"][held], d["Q"][held], epochs,
                                 width=width)[0]
    return np.clip(pred, *M.CLIP_DEG)


def pairs(d: dict[str, np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (not neutral) that have their series' neutral among `rows`, and that neutral."""
    neutral = {d["series"][i]: i for i in rows if d["neutral"][i]}
    keep = np.array([i for i in rows if d["series"][i] in neutral and not d["neutral"][i]], int)
    return keep, np.array([neutral[d["series"][i]] for i in keep], int)


def fit_delta(d: dict[str, np.ndarray], rows: np.ndarray, alpha: float = ALPHA_DELTA) -> M.Linear:
    keep, ref = pairs(d, rows)
    return ridge(d["X"][keep] - d["X"][ref], d["y"][keep] - d["y"][ref], alpha, intercept=False)


def cv_delta(d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated readings (change from the series' neutral + its truth) and the bare change from
    the series' neutral (no truth: what a session can compute), out of fold."""
    cal, rel = np.full(len(d["y"]), np.nan), np.full(len(d["y"]), np.nan)
    for held in folds(d):
        m = fit_delta(d, np.nonzero(~held)[0])
        keep, ref = pairs(d, np.nonzero(held)[0])
        rel[keep] = m.predict(d["X"][keep] - d["X"][ref])
        cal[keep] = rel[keep] + d["y"][ref]
        rel[np.nonzero(held & d["neutral"])[0]] = 0.0
    return cal, rel


def self_referenced(absolute: np.ndarray, rel: np.ndarray, d: dict[str, np.ndarray]) -> np.ndarray:
    """The session reading without calibration: per series, the change from its first still on a
    level that is the median of (absolute - change) over the series (no truth used)."""
    out = np.full(len(absolute), np.nan)
    for s in np.unique(d["series"]):
        idx = np.nonzero(d["series"] == s)[0]
        ok = idx[np.isfinite(rel[idx]) & np.isfinite(absolute[idx])]
        if len(ok):
            out[ok] = rel[ok] + np.median(absolute[ok] - rel[ok])
    return out


def scores(pred: np.ndarray, y: np.ndarray, body: np.ndarray, shift: float = 0.0) -> dict[str, float]:
    ok = np.isfinite(pred)
    e = pred[ok] - y[ok]
    fault, good = y >= FAULT, y <= OK
    on = ok & (pred >= ON + shift)
    tp, fp = (on & fault).sum(), (on & good).sum()
    biases = [np.mean(e[body[ok] == b]) for b in np.unique(body[ok])]
    return dict(n=int(ok.sum()), mae=float(np.abs(e).mean()), bias=float(e.mean()),
                p90=float(np.quantile(np.abs(e), 0.9)), body_sd=float(np.std(biases)),
                body_max=float(np.max(np.abs(biases))), precision=float(tp / max(1, tp + fp)),
                recall=float(tp / max(1, (fault & ok).sum())))


def line(name: str, s: dict[str, float]) -> str:
    return (f"  {name:<36} n {s['n']:>5}  MAE {s['mae']:5.2f}  bias {s['bias']:+5.2f}  90% {s['p90']:5.2f}  "
            f"body bias sd {s['body_sd']:4.2f} max {s['body_max']:4.1f}  AT P {s['precision']:.2f} R {s['recall']:.2f}")


def shift_for(pred: np.ndarray, y: np.ndarray, body: np.ndarray, precision: float = PRECISION) -> float:
    """The smallest threshold shift (0.5 deg steps) with ANTERIOR_TILT precision >= `precision`."""
    for shift in np.arange(0.0, 15.01, 0.5):
        if scores(pred, y, body, float(shift))["precision"] >= precision:
            return float(shift)
    return 15.0


def old_predictions(stills: list[Still], d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """posecoach.pelvis.tilt before this model: the absolute linear model, and the change-from-neutral
    model calibrated on the series' tilt-0 still (neutral stills themselves left out)."""
    absolute = d["V"] @ P.ABS_WEIGHTS + P.ABS_INTERCEPT
    cal = np.full(len(d["y"]), np.nan)
    keep, ref = pairs(d, np.arange(len(d["y"])))
    cal[keep] = (d["V"][keep] - d["V"][ref]) @ P.DELTA_WEIGHTS + d["y"][ref]
    return absolute, cal


def unusual_check(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Principal directions of the standardised training inputs, their spread (floored at 2 % of
    the largest, so near-constant directions do not explode) and the distance limit: 1.25 x the
    99.5th percentile of the training inputs' own distances."""
    Z = (X - X.mean(0)) / (X.std(0) + 1e-9)
    vals, vecs = np.linalg.eigh(np.cov(Z.T))
    keep = vals > 1e-6 * vals.max()
    pcs, sd = vecs[:, keep], np.sqrt(vals[keep] + 0.02 * vals.max())
    dist = np.sqrt(np.mean(((Z @ pcs) / sd) ** 2, axis=1))
    return pcs, sd, float(np.quantile(dist, 0.995) * 1.25)


def dev_report(models: M.Models, dev: list[Still]) -> None:
    print("dev robustness stills: share with a number (the product's gates, then outline_unusual)")
    for variant in sorted({s.meta["series_spec"]["variant"] for s in dev}):
        group = [s for s in dev if s.meta["series_spec"]["variant"] == variant]
        reasons: dict[str, int] = {}
        errs = []
        for s in group:
            if s.old is None or s.old.features is None or s.seen is None:
                r = "no_person" if s.old is None else (s.old.reason or "?")
            else:
                est = models.estimate(s.seen)
                r = est.reason or "ok"
                if est.tilt_deg is not None:
                    errs.append(est.tilt_deg - s.tilt)
            reasons[r] = reasons.get(r, 0) + 1
        mae = f"{np.mean(np.abs(errs)):.1f} (bias {np.mean(errs):+.1f})" if errs else "-"
        print(f"  {variant:<9} n {len(group):>3}  read {len(errs) / len(group):.2f}  MAE {mae}  {reasons}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.pelvis_learn", description=__doc__.split("\n")[0])
    ap.add_argument("folders", type=Path, nargs="+")
    ap.add_argument("--dev", type=Path)
    ap.add_argument("--cnn", action="store_true", help="also fit the network over the mask crop")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--cnn-width", type=int, default=16, help="channels of the network's first layer (default 16)")
    ap.add_argument("--conv-weight", type=float, help="network share of the absolute reading (default: best on CV)")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    stills = [s for f in args.folders for s in load(f)]
    d = table(stills)
    y, body = d["y"], d["body"]
    print(f"{len(stills)} stills, {len(y)} readable, {len(np.unique(body))} bodies")
    old_abs, old_cal = old_predictions(stills, d)
    print(line("old absolute", scores(old_abs, y, body)))
    print(line("old absolute (+7 deg, as shipped)", scores(old_abs, y, body, P.UNCALIBRATED_MARGIN_DEG)))
    print(line("old calibrated", scores(old_cal, y, body)))
    cal, rel = cv_delta(d)
    print(line("change model, calibrated", scores(cal, y, body)))
    lin = cv_linear(d)
    print(line("absolute ridge", scores(lin, y, body)))
    absolute, weight = lin, 0.0
    if args.cnn:
        net = cv_cnn(d, args.epochs, args.cnn_width)
        print(line("absolute network", scores(net, y, body)))
        best = {w: scores(lin + w * (net - lin), y, body)["mae"] for w in np.arange(0, 1.01, 0.1)}
        weight = args.conv_weight if args.conv_weight is not None else float(min(best, key=best.get))
        absolute = lin + weight * (net - lin)
        print(line(f"absolute average (network {weight:.1f})", scores(absolute, y, body)))
    if args.cnn:
        print(line("self-referenced, ridge only", scores(self_referenced(lin, rel, d), y, body)))
    selfref = self_referenced(absolute, rel, d)
    print(line("self-referenced (no calibration)", scores(selfref, y, body)))
    shift = shift_for(selfref, y, body)
    print(line(f"self-referenced, +{shift:.1f} deg shift", scores(selfref, y, body, shift)))
    shift_abs = shift_for(absolute, y, body)
    print(line(f"absolute, +{shift_abs:.1f} deg shift", scores(absolute, y, body, shift_abs)))
    if not (args.write or args.dev):
        return 0
    everything = np.arange(len(y))
    pcs, pc_sd, max_dist = unusual_check(d["X"])
    conv = None
    if args.cnn and weight > 0:
        from benchmarks.pelvis_cnn import fit_predict

        conv = fit_predict(d["C"], d["Q"], y, d["C"][:1], d["Q"][:1], args.epochs, width=args.cnn_width)[1]
    cv = dict(absolute=scores(absolute, y, body), self_referenced=scores(selfref, y, body),
              calibrated=scores(cal, y, body), old_absolute=scores(old_abs, y, body),
              old_calibrated=scores(old_cal, y, body))
    models = M.Models(ridge(d["X"], y, ALPHA_ABS), fit_delta(d, everything), pcs, pc_sd, max_dist,
                      float(np.std(absolute - y)), conv, weight,
                      info=dict(made_by="python -m benchmarks.pelvis_learn " + " ".join(sys.argv[1:] if argv is None else argv),
                                data=[dict(folder=str(f), plan=json.loads((f / "plan.json").read_text())
                                           if (f / "plan.json").is_file() else None) for f in args.folders],
                                stills=int(len(y)),
                                bodies=int(len(np.unique(body))), inputs=M.input_names(),
                                alpha_absolute=ALPHA_ABS, alpha_change=ALPHA_DELTA, conv_weight=weight,
                                epochs=args.epochs if conv else None, cnn_width=args.cnn_width if conv else None, threshold_shift_deg=shift,
                                threshold_rule=f"smallest shift with ANTERIOR_TILT precision >= {PRECISION} "
                                               "on the self-referenced CV readings",
                                cv_by_body=cv))
    if args.dev:
        dev_report(models, load(args.dev))
    if args.write:
        M.DATA.mkdir(exist_ok=True)
        models.save(M.WEIGHTS_FILE)
        print(f"wrote {M.WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
