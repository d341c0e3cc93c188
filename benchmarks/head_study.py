"""Why `linear` sits below the frozen probe on a task: the harness's pooled head beside variants of its
recipe and the probe, on the same cached pooled states.

    python benchmarks/head_study.py --task sid-mini [--backbone whisper-tiny.en] [--seeds 0 1 2] \\
        [--lrs 1e-3 3e-3 1e-2] [--variants default wd0.1 drop0.5 standardise epochs50 no-proj]

Each variant trains the head `kind.head(...)` builds (or that head with one change) in a bare loop: AdamW,
the task's batch size, 10 % linear warm-up then linear decay, the best dev epoch kept with the task's
patience; shuffled batches (not the Trainer's length-grouped ones, so its numbers differ from `run`'s by
seed noise). It prints mean dev and test accuracy over the seeds per rate, and the rate a full-budget
search on the first seed would pick with that pick's mean test; then the probe's dev and test per C.
Variants: `default` (the harness's recipe), `wd<x>` (L2 in the loss, x times the squared weights / 2),
`drop<p>` (dropout on the pooled input), `standardise` (BatchNorm without affine on the pooled input:
train-set statistics, as the probe's StandardScaler), `epochs<n>`, `no-proj` (one linear layer, no 256-d
projection); changes combine with `+` (`standardise+no-proj+wd0.001`). Only single-slot classification tasks.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sure_bench.run.cells import CellSpec, resolve
from sure_bench.run.runner import Cell, RunOptions, load_splits
from sure_bench.kinds import make_kind


def _data(task_name: str, backbone: str) -> tuple[dict, dict, Cell]:
    """(pooled states per split as (N, states, hidden) tensors, class ids per split, the cell)."""
    spec = CellSpec(method="linear", task=task_name, phase="train", seed=0, backbone=backbone, output=Path("."),
                    show_progress=False)
    method, config, task, pristine, run = resolve(spec)
    opts = RunOptions(backbone=backbone, seeds=[0], output=Path("."), show_progress=False,
                      console=Console(quiet=True))
    kind = make_kind(task, None)
    splits, _ = load_splits(task, opts, kind)
    cell = Cell(run, method, config, task, kind, splits, pristine, opts)
    model, _, cached, _ = cell.inputs(0)
    if not hasattr(model, "head") or "features" not in cached["train"].column_names:
        raise SystemExit(f"{task_name}: not a pooled classification task")
    x = {s: torch.from_numpy(np.asarray(ds["features"], dtype=np.float32)) for s, ds in cached.items()}
    y = {s: kind.targets([{"label": v, "id": i} for v, i in zip(ds["label"], ds["id"])])[:, 0]
         for s, ds in cached.items()}
    return x, y, cell


class Variant(torch.nn.Module):
    """The harness's head (`classify` on pooled states) with the changes `name` lists (`+`-joined)."""

    def __init__(self, head: torch.nn.Module, name: str, in_dim: int, classes: int):
        super().__init__()
        self.head, self.name = head, name
        changes = name.split("+")
        pre = [torch.nn.BatchNorm1d(in_dim, affine=False)] if "standardise" in changes else []
        pre += [torch.nn.Dropout(float(c.removeprefix("drop"))) for c in changes if c.startswith("drop")]
        self.pre = torch.nn.Sequential(*pre)
        self.direct = torch.nn.Linear(in_dim, classes) if "no-proj" in changes else None

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        flat = self.pre(self.head.featurizer.combine(pooled))
        if self.direct is not None:
            return self.direct(flat)
        return self.head.slots[0](self.head.projector(flat))


def train(cell: Cell, x: dict, y: dict, variant: str, lr: float, seed: int) -> tuple[float, float]:
    """(best dev accuracy, test accuracy at that epoch) of one run."""
    budget = cell.task.spec.budget
    changes = variant.split("+")
    epochs = next((int(c.removeprefix("epochs")) for c in changes if c.startswith("epochs")), budget.epochs)
    l2 = next((float(c.removeprefix("wd")) for c in changes if c.startswith("wd")), 0.0)
    torch.manual_seed(seed)
    model, _, _, _ = cell.inputs(seed)
    head = copy.deepcopy(model.head)
    net = Variant(head, variant, head.featurizer.out_dim, head.slots[0].out_features)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    n, bs = len(x["train"]), budget.batch_size
    total = -(-n // bs) * epochs
    warm = int(budget.warmup_ratio * total)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    best, stale = (-1.0, 0.0), 0
    for _ in range(epochs):
        net.train()
        for idx in torch.randperm(n).split(bs):
            loss = torch.nn.functional.cross_entropy(net(x["train"][idx]), y["train"][idx])
            if l2:
                weights = (p for name, p in net.named_parameters() if name.endswith("weight"))
                loss = loss + l2 / 2 * sum((p ** 2).sum() for p in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            dev, test = ((net(x[s]).argmax(1) == y[s]).float().mean().item() for s in ("dev", "test"))
        if dev > best[0]:
            best, stale = (dev, test), 0
        elif (stale := stale + 1) >= budget.patience:
            break
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", default="sid-mini")
    ap.add_argument("--backbone", default="whisper-tiny.en")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--lrs", type=float, nargs="+", default=[1e-3, 3e-3, 1e-2])
    ap.add_argument("--variants", nargs="+",
                    default=["default", "wd0.01", "drop0.5", "standardise", "epochs50", "no-proj"])
    args = ap.parse_args()
    x, y, cell = _data(args.task, args.backbone)
    console = Console(width=200)
    table = Table(title=f"{args.backbone} on {args.task}: the pooled head's recipe, mean over seeds "
                        f"{' '.join(map(str, args.seeds))} (dev / test accuracy)")
    for col in ("variant", *(f"lr {lr:g}" for lr in args.lrs), "full-budget pick on seed 0 -> test"):
        table.add_column(col)
    for variant in args.variants:
        runs = {lr: [train(cell, x, y, variant, lr, s) for s in args.seeds] for lr in args.lrs}
        means = {lr: (np.mean([d for d, _ in r]), np.mean([t for _, t in r])) for lr, r in runs.items()}
        pick = max(sorted(args.lrs), key=lambda lr: runs[lr][0][0])
        table.add_row(variant, *(f"{d:.3f} / {t:.3f}" for d, t in means.values()), f"{pick:g} -> {means[pick][1]:.3f}")
    console.print(table)
    flat = {s: v.flatten(1).numpy() for s, v in x.items()}
    scaler = StandardScaler().fit(flat["train"])
    for c in (0.001, 0.01, 0.1, 1.0):
        probe = LogisticRegression(C=c, max_iter=3000).fit(scaler.transform(flat["train"]), y["train"].numpy())
        dev, test = (probe.score(scaler.transform(flat[s]), y[s].numpy()) for s in ("dev", "test"))
        console.print(f"probe C {c:g}: dev {dev:.3f} test {test:.3f}")


if __name__ == "__main__":
    main()
