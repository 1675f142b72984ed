"""Fit the sagittal correction's MLP ensemble (posecoach/exercises/sagittal_model.py) on rendered
stills, check it by body (cross-validation: no body is in both the fit and the check of a fold),
and write the weights with how they were made.

    python -m benchmarks.sagittal_fit /work/data/issue12-fit/stills_fit --cv 5            # check only
    python -m benchmarks.sagittal_fit /work/data/issue12-fit/stills_fit --out posecoach/data/sagittal_model.npz
    python -m benchmarks.sagittal_fit STILLS... --clips SWEEP... --cache DIR --out ...   # plus video frames

Development-time only: needs torch (the .[samples] extra); posecoach itself reads the weights
with numpy. Samples: stills MediaPipe found with the whole body in the picture and whose facing
posecoach read right (a wrong facing is a different failure, left to the facing vote); every
member of the ensemble is fitted on a bootstrap of the BODIES (all stills of a drawn body go in
or out together) from its own seed, so the members' spread says how sure the ensemble is.
`--clips`: the lunge frames of rendered clips (camera sweeps, benchmarks/camera_sweep.py) join
the fit, every `--every`-th frame, each clip its own body; their landmarks come from MediaPipe's
VIDEO mode (tracking and smoothing) as in posecoach itself, which stills cannot show. A clip
named in a folder's `rendered_after_check.list` (an unseen check take) is never used.
"""
from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import numpy as np

from benchmarks.sagittal_data import Sample, load_clips, load_stills, targets
from posecoach.exercises import sagittal_model as SM

N_REG = len(SM.TARGETS) - 1  # the last target (front leg nearer) is a classification logit


def dataset(samples: list[Sample]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Sample]]:
    """(X, Y, groups, kept samples) of the samples usable for fitting (module doc)."""
    xs, ys, gs, kept = [], [], [], []
    for s in samples:
        y = targets(s)
        if s.x is None or y is None or s.facing != s.facing_true:
            continue
        xs.append(s.x)
        ys.append(y)
        gs.append(s.group)
        kept.append(s)
    return np.array(xs), np.array(ys), np.array(gs), kept


def clip_samples(folders: list[Path], cache: Path, every: int) -> list[Sample]:
    """Every `every`-th lunge frame of each rendered clip in `folders` (module doc); the group
    (body) is the folder and clip name."""
    out: list[Sample] = []
    for folder in folders:
        for s in load_clips(folder, cache, every):
            s.group = f"{folder.name}:{s.group}"
            out.append(s)
    return out


def fit_member(x: np.ndarray, y: np.ndarray, seed: int, hidden: tuple[int, ...], epochs: int, lr: float,
               weight_decay: float, norm: tuple[np.ndarray, ...]) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """One MLP (ReLU, Huber loss on the standardised regression targets, logistic loss on the
    front-leg-nearer target); returns its layers as numpy (W, b) pairs."""
    import torch  # noqa: PLC0415

    torch.manual_seed(seed)
    fm, fs, tm, ts = norm
    xt = torch.tensor((x - fm) / fs, dtype=torch.float32)
    yt = torch.tensor((y - tm) / ts, dtype=torch.float32)
    sizes = (x.shape[1],) + hidden + (y.shape[1],)
    layers: list[torch.nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in torch.randperm(len(xt), generator=gen).split(128):
            out = net(xt[idx])
            loss = torch.nn.functional.huber_loss(out[:, :N_REG], yt[idx, :N_REG], delta=1.0)
            loss = loss + 0.3 * torch.nn.functional.binary_cross_entropy_with_logits(out[:, N_REG], yt[idx, N_REG])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    lin = [m for m in net if isinstance(m, torch.nn.Linear)]
    return tuple((m.weight.detach().numpy().T.astype(float), m.bias.detach().numpy().astype(float)) for m in lin)


def fit_ensemble(x: np.ndarray, y: np.ndarray, groups: np.ndarray, members: int, seed: int,
                 hidden: tuple[int, ...], epochs: int, lr: float, weight_decay: float,
                 info: dict[str, object]) -> SM.Ensemble:
    """`members` MLPs, each on a bootstrap of the bodies."""
    fm, fs = x.mean(0), np.maximum(x.std(0), 0.05)  # a floor: a feature nearly constant in the fit set
    tm, ts = y.mean(0), y.std(0) + 1e-6
    tm[N_REG], ts[N_REG] = 0.0, 1.0  # the logit stays a logit
    rng = np.random.default_rng(seed)
    bodies = np.unique(groups)
    out = []
    for m in range(members):
        pick = rng.choice(bodies, len(bodies), replace=True)
        counts = {b: int((pick == b).sum()) for b in bodies}
        rows = np.concatenate([np.repeat(np.nonzero(groups == b)[0], c) for b, c in counts.items() if c])
        out.append(fit_member(x[rows], y[rows], seed * 100 + m, hidden, epochs, lr, weight_decay, (fm, fs, tm, ts)))
    return SM.Ensemble(fm, fs, tm, ts, tuple(out), info)


def cross_validate(x: np.ndarray, y: np.ndarray, groups: np.ndarray, kept: list[Sample], folds: int,
                   args: argparse.Namespace) -> np.ndarray:
    """Out-of-fold ensemble mean predictions (N, targets), folds by body."""
    bodies = np.unique(groups)
    order = np.random.default_rng(args.seed).permutation(len(bodies))
    pred = np.zeros_like(y)
    for k in range(folds):
        held = set(bodies[order[k::folds]])
        test = np.array([g in held for g in groups])
        ens = fit_ensemble(x[~test], y[~test], groups[~test], args.members, args.seed + k, args.hidden,
                           args.epochs, args.lr, args.weight_decay, {})
        pred[test] = ens.predict(x[test]).mean(0)
        print(f"fold {k + 1}/{folds}: {int(test.sum())} held-out stills of {len(held)} bodies", flush=True)
    report(y, pred, kept)
    return pred


def report(y: np.ndarray, pred: np.ndarray, kept: list[Sample]) -> None:
    """MAE of picture vs corrected per metric, by |azimuth| bin; view angle and near-leg scores
    (rendered stills only: their mirrored copies are left out of the scores)."""
    keep = np.array([not s.extra.get("mirrored") for s in kept])
    y, pred, kept = y[keep], pred[keep], [s for s, k in zip(kept, keep) if k]
    az = np.array([s.azimuth for s in kept])
    bins = [(0, 10), (10, 20), (20, 30), (30, 40), (40, 56), (0, 20), (0, 40), (0, 56)]
    print("| |az| | n | " + " | ".join(SM.METRICS) + " | azimuth MAE | elevation MAE | near acc |")
    for lo, hi in bins:
        sel = (np.abs(az) >= lo) & (np.abs(az) < hi)
        if not sel.any():
            continue
        cells = [f"{np.abs(y[sel, j]).mean():.2f} -> {np.abs(y[sel, j] - pred[sel, j]).mean():.2f}" for j in range(5)]
        near = ((pred[sel, N_REG] > 0) == (y[sel, N_REG] > 0.5)).mean()
        print(f"| {lo}-{hi} | {int(sel.sum())} | " + " | ".join(cells)
              + f" | {np.abs(y[sel, 5] - pred[sel, 5]).mean():.1f} | {np.abs(y[sel, 6] - pred[sel, 6]).mean():.1f} | {near:.2f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sagittal_fit", description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path, help="stills folders (benchmarks.oblique_stills)")
    ap.add_argument("--out", type=Path, help="write the fitted ensemble here (.npz)")
    ap.add_argument("--cv", type=int, default=0, help="cross-validate by body with this many folds first")
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--hidden", type=lambda s: tuple(int(v) for v in s.split(",")), default=(64, 64))
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--seeds", type=lambda v: [int(t) for t in v.split(",")],
                    help="fit --members per seed and pool them (e.g. 7,8); overrides --seed for the written model")
    ap.add_argument("--mirrored", action="store_true", help="also fit on the mirrored stills (mirror.jsonl)")
    ap.add_argument("--clips", type=Path, nargs="*", default=[], help="folders of rendered clips whose lunge frames join the fit")
    ap.add_argument("--cache", type=Path, default=Path("landmark_cache"), help="the clips' landmark cache (benchmarks.landmark_cache)")
    ap.add_argument("--every", type=int, default=5, help="use every N-th lunge frame of a clip")
    args = ap.parse_args(argv)
    import torch  # noqa: PLC0415

    torch.set_num_threads(1)
    samples = [s for f in args.folders for s in load_stills(f, mirrored=args.mirrored)]
    n_stills = len(samples)
    samples += clip_samples(args.clips, args.cache, args.every)
    x, y, groups, kept = dataset(samples)
    print(f"{n_stills} stills, {len(samples) - n_stills} clip frames, {len(kept)} usable, {len(np.unique(groups))} bodies "
          f"(or clips), {x.shape[1]} features", flush=True)
    if args.cv:
        cross_validate(x, y, groups, kept, args.cv, args)
    if args.out:
        info = {"feature_version": SM.FEATURE_VERSION, "targets": list(SM.TARGETS),
                "script": "python -m benchmarks.sagittal_fit " + " ".join(sys.argv[1:] if argv is None else argv),
                "data": [str(f) for f in args.folders], "clips": [str(f) for f in args.clips], "every": args.every,
                "mirrored": args.mirrored, "samples": len(kept), "bodies": int(len(np.unique(groups))),
                "members": args.members * len(args.seeds or [args.seed]), "hidden": list(args.hidden), "epochs": args.epochs,
                "seed": args.seeds or args.seed,
                "date": datetime.date.today().isoformat()}
        # --seeds: one ensemble per seed, pooled (the video behaviour of one seed's members varies)
        parts = [fit_ensemble(x, y, groups, args.members, seed, args.hidden, args.epochs, args.lr, args.weight_decay, info)
                 for seed in (args.seeds or [args.seed])]
        ens = SM.Ensemble(parts[0].feature_mean, parts[0].feature_std, parts[0].target_mean, parts[0].target_std,
                          tuple(m for e in parts for m in e.members), info)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        ens.save(args.out)
        print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
