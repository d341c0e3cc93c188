"""The ways `reference_loops.py` trains one (method, task): the harness itself (`Cell.train`), the bare
loop on the same inputs (the limit), and the SURE code's way; each returns its timings and dev score."""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader
from transformers import Trainer, TrainingArguments, get_linear_schedule_with_warmup, set_seed
from transformers.trainer_pt_utils import LengthGroupedSampler

from sure_bench.backbones.digest import state_dict_sha256
from sure_bench.backbones.registry import load_backbone
from sure_bench.kinds import TaskKind, make_kind
from sure_bench.methods.base import config_hash
from sure_bench.methods.registry import load_method
from sure_bench.metrics.registry import compute
from sure_bench.run.config import RunConfig
from sure_bench.run.runner import Cell, RunOptions, load_splits, prepare_model
from sure_bench.tasks.registry import resolve_tasks
from sure_bench.train import collate
from sure_bench.train.loop import balanced_sampler

SURE_SAMPLES = 40_000  # 2.5 s at 16 kHz
BATCHES: list[list[str]] = []  # the ids of every batch a harness collator built in this process


def record_batches() -> None:
    """Log the ids of every batch the harness's collators build (to compare batch orders)."""
    for cls in (collate.Collator, collate.PooledCollator, collate.FramesCollator):
        def call(self, rows, _orig=cls.__call__):
            BATCHES.append([str(r["id"]) for r in rows])
            return _orig(self, rows)
        cls.__call__ = call


def setup(args: argparse.Namespace) -> tuple[Cell, float]:
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
