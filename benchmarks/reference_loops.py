"""The harness beside two reference loops: same method, task, batches, seed, epochs and learning rate.

    python benchmarks/reference_loops.py --methods linear lora finetune --task ks-mini \\
        [--backbone whisper-tiny.en] [--epochs 2] [--seed 0] [--lr 1e-3] [--repeats 1] [--threads N] [--cold-cache] \\
        [--json out.json]

Every loop runs in its own subprocess (peak RSS is per loop); the loops themselves are in `loops.py`:
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

import torch

import loops
from sure_bench.files import default_cache_dir

LOOPS = ("harness", "limit", "sure", "uncached")
STEP_TARGET, SPEEDUP_TARGET, FRONTEND_TARGET = 1.10, 3.0, 1.3


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


def child(args: argparse.Namespace) -> None:
    """One loop of one method; prints its Measure as a `RESULT {json}` line."""
    loops.record_batches()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="reference-loops-") as args.work:
        cell, lr = loops.setup(args)
        got = {"harness": loops.run_harness, "uncached": loops.run_harness, "limit": loops.run_limit,
               "sure": loops.run_sure}[args.child](cell, lr, args)
    train_ids = {str(x) for x in cell.splits["train"]["id"]}
    batches = [b for b in loops.BATCHES if set(b) <= train_ids]  # dev batches left out (disjoint ids)
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
