"""The harness beside two reference loops: same method, task, batches, seed, epochs and learning rate.

    python benchmarks/reference_loops.py --methods linear lora finetune --task ks-mini \\
        [--backbone whisper-tiny.en] [--epochs 2] [--seed 0] [--lr 1e-3] [--repeats 1] [--threads N] [--cold-cache] \\
        [--json out.json]

Every loop runs in its own subprocess (peak RSS is per loop):
  harness  what `sure-bench run --lr R --seeds S` trains: `Cell.train` (Trainer, length-grouped batches,
           dev evaluation and a checkpoint every epoch, best reload, the frozen-feature cache where the
           method leaves the encoder frozen);
  limit    a bare PyTorch loop: the same model fed what the harness model is fed (cached states, or waves
           through the harness's Collator), the same sampler and seed, hence the same batches (checked:
           `batch order`), AdamW with the harness's two groups (method at lr, head at Cell.head_lr) and its
           linear warmup/decay, grad-norm clipping at 1 (the Trainer's default); nothing else;
  sure     the SURE code's way: HF Trainer at its defaults (one AdamW group at lr, random order), every clip
           padded or cut to 2.5 s, the whole model (frozen encoder too) run every step, no cache;
  uncached the harness with `--no-feature-cache`: the frozen front end (and, for `linear`, the frozen
           encoder) recomputed every step; uncached/harness is what the frozen-feature cache buys.
s/epoch is training time over epochs (model, data and cached states loaded beforehand; `cache s` is that
read, or with --cold-cache the first build). Dev is scored once after the last epoch (the harness: its
best epoch, as it reports it). Without --lr each method trains at the task's rate for its LR family.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader
from transformers import Trainer, TrainingArguments, get_linear_schedule_with_warmup, set_seed
from transformers.trainer_pt_utils import LengthGroupedSampler

from sure_bench.backbones.digest import state_dict_sha256
from sure_bench.backbones.registry import load_backbone
from sure_bench.files import default_cache_dir
from sure_bench.kinds import TaskKind, make_kind
from sure_bench.methods.base import config_hash
from sure_bench.methods.registry import load_method
from sure_bench.metrics.registry import compute
from sure_bench.run.config import RunConfig
from sure_bench.run.runner import Cell, RunOptions, load_splits, prepare_model
from sure_bench.tasks.registry import resolve_tasks
from sure_bench.train import collate
from sure_bench.train.loop import balanced_sampler

LOOPS = ("harness", "limit", "sure", "uncached")
SURE_SAMPLES = 40_000  # 2.5 s at 16 kHz
STEP_TARGET, SPEEDUP_TARGET, FRONTEND_TARGET = 1.10, 3.0, 1.3
BATCHES: list[list[str]] = []  # the ids of every batch a harness collator built in this process


@dataclass
class Measure:
    method: str
    loop: str
    lr: float
    epochs: float  # trained (the harness stops early after `budget.patience` epochs without a better dev score)
    steps: int
    train_s: float
    epoch_s: float
    step_ms: float
    samples_per_s: float
    peak_rss_mb: float
    dev: float
    metric: str
    cache_s: float | None = None  # reading (or first building) the cached states, outside train_s
    eval_ckpt_s: float | None = None  # inside the harness's train_s: per-epoch dev eval, checkpoints, best reload
    batch_order: list[str] | None = None  # per epoch: sha256 of its training batches' ids, in order


def _record_batches() -> None:
    """Log the ids of every batch the harness's collators build (to compare batch orders)."""
    for cls in (collate.Collator, collate.PooledCollator, collate.FramesCollator):
        def call(self, rows, _orig=cls.__call__):
            BATCHES.append([str(r["id"]) for r in rows])
            return _orig(self, rows)
        cls.__call__ = call


def _setup(args: argparse.Namespace) -> tuple[Cell, float]:
    """The pieces `sure_bench.run.runner.run_method` builds for one (method, task), and the rate."""
    opts = RunOptions(backbone=args.backbone, seeds=[args.seed], output=Path(args.work), show_progress=False,
                      cache_dir=Path(args.cache_dir) if args.cache_dir else None, head=args.head,
                      feature_cache=args.child != "uncached")
    task = resolve_tasks([args.task], None)[0]
    method = load_method(args.methods[0])
    config = method.make_config(args.preset)
    pristine = load_backbone(opts.backbone, opts.cache_dir, weights=not args.random_weights)
    if args.random_weights:  # key the feature cache by these very weights
        pristine.weights_sha256 = state_dict_sha256(pristine.model)
    pristine.set_attention(opts.attention)
    run = RunConfig(backbone=opts.backbone, backbone_sha256=pristine.weights_sha256, method=method.name,
                    preset=args.preset, method_config_hash=config_hash(method.name, config), head=opts.head,
                    lr_grid=None, precision=opts.precision, attention=opts.attention)
    kind = make_kind(task, opts.data_root)
    splits, _ = load_splits(task, opts, kind)
    budget = task.spec.budget
    lr = args.lr or (budget.lr.finetune if method.lr_family == "finetune" else budget.lr.default)
    return Cell(run, method, config, task, kind, splits, pristine, opts), lr


def _harness_inputs(cell: Cell, seed: int):
    """(model, splits, collator, cache seconds) as `Cell.train` builds them; waveform inputs: (…, None, None)."""
    start = time.perf_counter()
    model, _, splits, collator = cell.inputs(seed)
    return model, splits, collator, (time.perf_counter() - start) if collator else None


@torch.no_grad()
def _dev_score(model: torch.nn.Module, cell: Cell, ds, collator) -> float:
    """The primary dev metric, predictions decoded and scored as loop.py does."""
    spec = cell.task.spec
    model.eval()
    outputs = []
    for batch in DataLoader(ds, batch_size=spec.budget.batch_size, collate_fn=collator):
        outputs += list(model(**{k: v for k, v in batch.items() if k != "labels"})["preds"].cpu().numpy())
    records = cell.kind.predictions("dev", list(ds["id"]), list(ds["label"]), outputs)
    refs, hyps = [r["reference"] for r in records], [r["prediction"] for r in records]
    return compute([spec.metrics.primary, *spec.metrics.also], refs, hyps)[spec.metrics.primary]


def _time_trainer_extras() -> dict[str, float]:
    """Add up the time the Trainer spends inside `train()` on evaluation, checkpoints and the best reload."""
    spent = {"s": 0.0}

    def timed(fn):
        def wrapper(self, *a, **k):
            start = time.perf_counter()
            try:
                return fn(self, *a, **k)
            finally:
                spent["s"] += (time.perf_counter() - start) if self.is_in_train else 0.0
        return wrapper

    for name in ("evaluate", "_save_checkpoint", "_load_best_model"):
        setattr(Trainer, name, timed(getattr(Trainer, name)))
    return spent


def run_harness(cell: Cell, lr: float, args: argparse.Namespace) -> dict[str, Any]:
    spent = _time_trainer_extras()
    *_, cache_s = _harness_inputs(cell, args.seed)  # untimed warm-up: the cached states are read (or built)
    out, _ = cell.train(args.seed, lr, Path(args.work) / "harness", "harness", epochs=args.epochs, score_test=False)
    return {"epochs": out.epochs, "steps": out.steps, "train_s": out.wall_s, "cache_s": cache_s,
            "dev": out.dev[cell.task.spec.metrics.primary], "eval_ckpt_s": spent["s"]}


def run_limit(cell: Cell, lr: float, args: argparse.Namespace) -> dict[str, Any]:
    budget = cell.task.spec.budget
    model, splits, collator, cache_s = _harness_inputs(cell, args.seed)
    collator = collator or collate.Collator(cell.kind)
    set_seed(args.seed)  # as Trainer.__init__ does; the sampler then draws the harness's order
    train = splits["train"]
    sampler = (balanced_sampler(list(train["label"])) if budget.balanced_classes
               else LengthGroupedSampler(budget.batch_size, lengths=list(train["length"])))
    loader = DataLoader(train, batch_size=budget.batch_size, sampler=sampler, collate_fn=collator)
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [{"params": [p for n, p in named if not n.startswith("head.")], "lr": lr},
              {"params": [p for n, p in named if n.startswith("head.")], "lr": cell.head_lr(lr)}]
    optimizer = torch.optim.AdamW([g for g in groups if g["params"]], weight_decay=0.0)
    total = len(loader) * args.epochs
    schedule = get_linear_schedule_with_warmup(optimizer, int(budget.warmup_ratio * total), total)
    params = [p for _, p in named]
    model.train()
    start = time.perf_counter()
    for _ in range(args.epochs):
        for batch in loader:
            model(**batch)["loss"].backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
        torch.empty((), dtype=torch.int64).random_()  # the seed the harness's dev DataLoader draws here
    train_s = time.perf_counter() - start
    return {"steps": total, "train_s": train_s, "dev": _dev_score(model, cell, splits["dev"], collator),
            "cache_s": cache_s}


class FixedLengthCollator:
    """The SURE code's batches: every clip zero-padded or cut to 2.5 s and fed whole, padding as signal
    (CTC clips are padded, never cut: a transcript cannot be)."""

    def __init__(self, kind: TaskKind):
        self.kind = kind

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        cut = SURE_SAMPLES if self.kind.crop_samples() is not None else None
        clips, _ = collate.pad_waves([r["audio"] for r in rows], cut)
        wave = torch.zeros(len(rows), max(SURE_SAMPLES, clips.shape[1]))
        wave[:, : clips.shape[1]] = clips
        return {"wave": wave, "lengths": torch.full((len(rows),), wave.shape[1]),
                "labels": self.kind.targets(rows)}


def run_sure(cell: Cell, lr: float, args: argparse.Namespace) -> dict[str, Any]:
    set_seed(args.seed)
    model, _ = prepare_model(copy.deepcopy(cell.pristine), cell.method, cell.config, cell.kind, cell.run.head)
    targs = TrainingArguments(output_dir=str(Path(args.work) / "sure"), num_train_epochs=args.epochs,
                              learning_rate=lr, per_device_train_batch_size=cell.task.spec.budget.batch_size,
                              seed=args.seed, remove_unused_columns=False, report_to="none", eval_strategy="no",
                              save_strategy="no")
    collator = FixedLengthCollator(cell.kind)
    trainer = Trainer(model=model, args=targs, train_dataset=cell.splits["train"], data_collator=collator)
    start = time.perf_counter()
    trainer.train()
    train_s = time.perf_counter() - start
    return {"steps": trainer.state.global_step, "train_s": train_s,
            "dev": _dev_score(model, cell, cell.splits["dev"], collator)}


def child(args: argparse.Namespace) -> None:
    """One loop of one method; prints its Measure as a `RESULT {json}` line."""
    _record_batches()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="reference-loops-") as args.work:
        cell, lr = _setup(args)
        got = {"harness": run_harness, "uncached": run_harness, "limit": run_limit,
               "sure": run_sure}[args.child](cell, lr, args)
    train_ids = {str(x) for x in cell.splits["train"]["id"]}
    batches = [b for b in BATCHES if set(b) <= train_ids]  # dev batches left out (disjoint ids)
    per_epoch = -(-len(train_ids) // cell.task.spec.budget.batch_size)
    order = [hashlib.sha256(json.dumps(batches[i:i + per_epoch]).encode()).hexdigest()[:10]
             for i in range(0, len(batches), per_epoch)]
    epochs = got.pop("epochs", args.epochs)
    measure = Measure(method=args.methods[0], loop=args.child, lr=lr, epochs=epochs, epoch_s=got["train_s"] / epochs,
                      step_ms=1000 * got["train_s"] / got["steps"],
                      samples_per_s=len(train_ids) * epochs / got["train_s"],
                      peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      metric=cell.task.spec.metrics.primary, batch_order=order or None, **got)
    print("RESULT " + json.dumps(asdict(measure)), flush=True)


def run_child(loop: str, method: str, argv: list[str], cold_cache: bool) -> Measure | None:
    """Run one loop in a subprocess; with `cold_cache`, in a cache folder whose feature cache is empty."""
    cache = Path(tempfile.mkdtemp(prefix="reference-loops-cache-")) if cold_cache else None
    if cache:
        for entry in default_cache_dir().iterdir():  # backbones and decoded audio shared, features not
            if entry.name != "features":
                (cache / entry.name).symlink_to(entry)
    cmd = [sys.executable, __file__, "--child", loop, "--methods", method, *argv]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd + (["--cache-dir", str(cache)] if cache else []), capture_output=True, text=True,
                              check=False)
    finally:
        if cache:
            shutil.rmtree(cache)  # removes the links, not what they point to
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode or not lines:
        print(f"{method} {loop}: exit {proc.returncode}\n{proc.stderr[-3000:]}", file=sys.stderr)
        return None
    measure = Measure(**json.loads(lines[-1].removeprefix("RESULT ")))
    print(f"{method:>10} {loop:<8} {time.perf_counter() - start:6.0f} s in all, {measure.epoch_s:7.2f} s/epoch",
          file=sys.stderr)
    return measure


def _verdict(ok: bool) -> str:
    return "[green]target met[/green]" if ok else "[red]not met[/red]"


def report(results: list[Measure], args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Print the table and the ratios per method; return the ratios."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(160, Console().width))
    table = Table(title=f"{args.backbone} on {args.task}, seed {args.seed}, {args.epochs} epoch(s)")
    for col in ("method", "loop", "lr", "epochs", "s/epoch", "ms/step", "samples/s", "peak RSS MB", "dev", "cache s",
                "eval+ckpt s", "batch order"):
        table.add_column(col, justify="left" if col in ("method", "loop", "dev", "batch order") else "right")
    def opt(x: float | None) -> str:
        return "" if x is None else f"{x:.2f}"

    for m in results:
        table.add_row(m.method, m.loop, f"{m.lr:g}", f"{m.epochs:g}", f"{m.epoch_s:.2f}", f"{m.step_ms:.0f}",
                      f"{m.samples_per_s:.1f}",
                      f"{m.peak_rss_mb:.0f}", f"{m.metric} {m.dev:.4f}", opt(m.cache_s), opt(m.eval_ckpt_s),
                      hashlib.sha256(json.dumps(m.batch_order).encode()).hexdigest()[:10] if m.batch_order else "")
    console.print(table)
    ratios: dict[str, dict[str, float]] = {}
    for method in dict.fromkeys(m.method for m in results):
        got, r = {m.loop: m for m in results if m.method == method}, ratios.setdefault(method, {})
        h, lim, sure, uncached = got.get("harness"), got.get("limit"), got.get("sure"), got.get("uncached")
        if h and lim:
            r["harness_over_limit_step"] = step = h.step_ms / lim.step_ms
            r["harness_over_limit_step_without_eval_ckpt"] = bare = step * (1 - (h.eval_ckpt_s or 0) / h.train_s)
            same = bool(h.batch_order) and h.batch_order == (lim.batch_order or [])[: len(h.batch_order)]
            stopped = f" for the {len(h.batch_order)} epochs the harness trained (early stop)" if (
                same and len(h.batch_order) < len(lim.batch_order or [])) else ""
            console.print(f"{method}: harness/limit step time {step:.2f} (<= {STEP_TARGET}: "
                          f"{_verdict(step <= STEP_TARGET)}); without the harness's per-epoch dev eval + checkpoints "
                          f"{bare:.2f} ({_verdict(bare <= STEP_TARGET)}); "
                          f"same batches: {'yes' if same else 'NO'}{stopped}")
        if h and sure:
            r["sure_over_harness_epoch"] = speedup = sure.epoch_s / h.epoch_s
            ok = speedup >= SPEEDUP_TARGET and h.dev >= sure.dev
            console.print(f"{method}: SURE-way/harness time per epoch {speedup:.2f}, dev {h.dev:.4f} vs "
                          f"{sure.dev:.4f} (>= {SPEEDUP_TARGET:g}x at equal or better dev: {_verdict(ok)})")
        if h and uncached and h.cache_s is not None:
            r["uncached_over_harness_step"] = gain = uncached.step_ms / h.step_ms
            console.print(f"{method}: the frozen-feature cache: uncached/harness step time {gain:.2f} (the issue's "
                          f"target for LoRA on a wav2vec2-family front end: >= {FRONTEND_TARGET:g})")
    return ratios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--methods", nargs="+", default=["linear", "lora", "finetune"])
    ap.add_argument("--task", default="ks-mini")
    ap.add_argument("--backbone", default="whisper-tiny.en")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, help="one rate for every method (default: the task's rate per LR family)")
    ap.add_argument("--preset", default="default")
    ap.add_argument("--head", default="layers")
    ap.add_argument("--loops", nargs="+", choices=LOOPS, default=list(LOOPS))
    ap.add_argument("--repeats", type=int, default=1,
                    help="run the loops this many times, interleaved, and keep each loop's fastest run")
    ap.add_argument("--cold-cache", action="store_true",
                    help="build the frozen-feature cache afresh in every loop (`cache s` is then the first build)")
    ap.add_argument("--threads", type=int, help="torch threads in every loop (default: torch's; on cores other "
                    "jobs share, 1 avoids threads waiting on each other)")
    ap.add_argument("--random-weights", action="store_true", help="the backbone's architecture with random "
                    "weights (timing a backbone whose weights are not here; dev scores then mean nothing)")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--cache-dir", help=argparse.SUPPRESS)
    ap.add_argument("--child", choices=LOOPS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    argv = ["--task", args.task, "--backbone", args.backbone, "--epochs", str(args.epochs), "--seed",
            str(args.seed), "--preset", args.preset, "--head", args.head, *(["--lr", repr(args.lr)] if args.lr else []),
            *(["--threads", str(args.threads)] if args.threads else []),
            *(["--random-weights"] if args.random_weights else [])]
    print(f"torch threads {args.threads or torch.get_num_threads()}, {os.cpu_count()} cores", file=sys.stderr)
    results: list[Measure] = []
    for method in args.methods:  # repeats interleave the loops, so a burst of load hits them alike
        runs = [m for _ in range(args.repeats) for loop in args.loops
                if (m := run_child(loop, method, argv, args.cold_cache))]
        results += [min((m for m in runs if m.loop == loop), key=lambda m: m.train_s)
                    for loop in args.loops if any(m.loop == loop for m in runs)]
    ratios = report(results, args)
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "results": [asdict(m) for m in results], "ratios": ratios}, indent=1))


if __name__ == "__main__":
    main()
