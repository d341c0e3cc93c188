"""What every training run of one (run configuration, task) shares: the decoded splits, the frozen
backbone and its cached states (`Cell`), and the result file a finished seed writes. The cells that use
it are in `cells.py`; launchers in `launch.py`."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import datasets
import numpy as np
from rich.console import Console

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import default_data_root, get_loader, select_split
from sure_bench.methods.apply import apply_and_count
from sure_bench.methods.base import Method, MethodConfig
from sure_bench.results import provenance
from sure_bench.heads.featurizer import DEFAULT_HEAD
from sure_bench.kinds import TaskKind
from sure_bench.results.schema import (BackboneInfo, DataInfo, LRSearch, MethodInfo, Result, RunInfo, Scores,
                                       TaskInfo, TrainSummary)
from sure_bench.files import write_atomic
from sure_bench.results.store import write_result
from sure_bench.run import distributed
from sure_bench.run.anchors import task_anchors
from sure_bench.run.config import RunConfig
from sure_bench.tasks.registry import Task

SPLITS = ("train", "dev", "test")


@dataclass
class RunOptions:
    backbone: str
    seeds: list[int]
    output: Path
    data_root: Path | None = None
    cache_dir: Path | None = None
    overwrite: bool = False
    feature_cache: bool = True  # a frozen encoder under a pooled head: train the head on cached pooled states
    skip_bad_audio: bool = False
    head: str = DEFAULT_HEAD
    lr_grid: tuple[float, ...] | None = None  # --lr-grid / --lr; None: the task's or the family's grid
    precision: str = "fp32"  # or bf16 (autocast)
    attention: str = "sdpa"  # or eager
    show_progress: bool = True
    console: Console = field(default_factory=Console)


def load_splits(task: Task, opts: RunOptions,
                kind: TaskKind) -> tuple[dict[str, datasets.Dataset], list[dict[str, str]]]:
    """Loader -> committed splits -> decoded, cached audio. Returns datasets and the utterances left out:
    those the task's kind cannot use (a transcript too long to keep whole, words missing from the
    lexicon) and bad audio."""
    spec = task.spec
    loader = get_loader(spec.dataset.loader)
    rows = loader.load(Path(opts.data_root or default_data_root()), **spec.dataset.args)
    out, skipped = {}, []
    for split in SPLITS:
        chosen = select_split(rows, task.split_selection(split), f"{task.file} split {split!r}")
        unusable = {r.id: why for r in chosen if (why := kind.unusable(r))}
        skipped += [{"id": r.id, "path": r.path, "reason": unusable[r.id], "split": split}
                    for r in chosen if r.id in unusable]
        chosen = [r for r in chosen if r.id not in unusable]
        decoded = decode_manifest(chosen, opts.cache_dir, opts.skip_bad_audio,
                                  f"{spec.task} {split}: decoding audio", opts.show_progress)
        ds = decoded.dataset if split == "train" else decoded.by_length()  # tight eval batches
        out[split] = ds.with_format("numpy")
        skipped += [{**s, "split": split} for s in decoded.skipped]
    return out, skipped


def _dataset_label(spec) -> str:
    args = ", ".join(f"{k}={v}" for k, v in spec.dataset.args.items())
    return f"{spec.dataset.loader}({args})" if args else spec.dataset.loader


def prepare_model(encoder: SpeechEncoder, method: Method, config: MethodConfig, kind: TaskKind, head: str):
    """The backbone (as the task kind trains it) with the method applied, inside the kind's model with its
    head; and the counts."""
    encoder = kind.backbone(encoder)
    built, params = apply_and_count(encoder, method, config,
                                    lambda: kind.head(encoder.hidden_size, encoder.num_layers + 1, head))
    return kind.model(encoder, built), params


@dataclass
class Cell:
    """What every training run of one (run configuration, task) shares."""

    run: RunConfig
    method: Method
    config: MethodConfig
    task: Task
    kind: TaskKind
    splits: dict[str, datasets.Dataset]
    pristine: SpeechEncoder
    opts: RunOptions
    cached: dict | None = None  # the frozen encoder's cached states per split, loaded once per cell
    frontend: dict | None = None  # the frozen front end's cached output per split, loaded once per cell

    def train(self, seed: int, lr: float, work: Path, label: str, epochs: int | None = None,
              score_test: bool = True):
        """A fresh copy of the backbone, the method applied, trained at `lr`; returns (outcome, params)."""
        from sure_bench.train.loop import train_and_evaluate

        model, params, splits, collator = self.inputs(seed)
        outcome = train_and_evaluate(model, self.kind, self.task.spec, splits, work, seed, lr, self.head_lr(lr),
                                     self.opts.show_progress, label, epochs=epochs, score_test=score_test,
                                     collator=collator, bf16=self.run.precision == "bf16")
        return outcome, params

    def inputs(self, seed: int):
        """(model, params, splits, collator) for one training run, seeded: the head alone on the cached states
        when the method leaves the encoder frozen; else the model on the cached front-end output when the
        method leaves the front end frozen; else on waveforms (collator None: the kind's). `--no-feature-cache`
        always takes waveforms."""
        from transformers import set_seed

        set_seed(seed)
        model, params = prepare_model(copy.deepcopy(self.pristine), self.method, self.config, self.kind,
                                      self.run.head)
        if self.opts.feature_cache:
            frozen = params.method_added + params.method_unfrozen == 0
            if (frozen and (cached := self.cached_head(model.head))) or (cached := self.cached_frontend(model)):
                splits, collator, model = cached
                return model, params, splits, collator
        return model, params, self.splits, None

    def cached_frontend(self, model):
        """(splits, collator, model) that train `model` on its frozen front end's cached output; None when the
        kind trains its own model, the encoder's clips depend on padding, or the method trains the front end."""
        from sure_bench.train.collate import FramesCollator
        from sure_bench.train.model import FrontEndModel, SpeechModel

        encoder = getattr(model, "encoder", None)
        if type(model) is not SpeechModel or not encoder.caches_frontend:
            return None
        if any(p.requires_grad for p in encoder.view.frontend.parameters()):
            return None
        if self.frontend is None:
            self.frontend = {name: (self._extract(None, "frontend", name, ds), _row_refs(name, ds))
                             for name, ds in self.splits.items()}
        splits = {name: ds for name, (_, ds) in self.frontend.items()}
        frames = {name: f for name, (f, _) in self.frontend.items()}
        return splits, FramesCollator(self.kind, frames), FrontEndModel(model.encoder, model.head)

    def cached_head(self, head):
        """(splits, collator, model) that train `head` alone on the frozen encoder's cached states: pooled
        states for a pooled head, frames for a CTC head; None for a head without a cached form. The states
        are computed once per backbone, task, split, normalisation and precision, then read from the cache."""
        from sure_bench.train.collate import FramesCollator, PooledCollator
        from sure_bench.train.model import FramesHeadModel, PooledHeadModel

        if hasattr(head, "pool"):
            if self.cached is None:
                self.cached = {name: datasets.Dataset.from_dict(
                    {"id": ds["id"], "label": ds["label"], "length": ds["length"],
                     "features": np.asarray(self._extract(head, "pooled", name, ds))}
                ).with_format("numpy") for name, ds in self.splits.items()}
            return self.cached, PooledCollator(self.kind), PooledHeadModel(head)
        if hasattr(head, "frames"):
            if self.cached is None:
                self.cached = {name: (self._extract(head, "frames", name, ds), _row_refs(name, ds))
                               for name, ds in self.splits.items()}
            splits = {name: ds for name, (_, ds) in self.cached.items()}
            return splits, FramesCollator(self.kind, {n: f for n, (f, _) in self.cached.items()}), FramesHeadModel(head)
        return None

    def _extract(self, head, stored: str, split: str, ds: datasets.Dataset):
        """The cached pooled states, frames or front-end output (`head` None) of one split, computed on the GPU
        when there is one, under the run's precision and attention (both part of the cache key)."""
        import torch

        from sure_bench.files import default_cache_dir
        from sure_bench.features.frames import cached_frame_states
        from sure_bench.features.frontend import cached_frontend
        from sure_bench.features.pooled import cached_pooled_states

        spec, run = self.task.spec, self.run
        crop = self.kind.crop_samples()
        cache = self.opts.cache_dir or default_cache_dir()
        device = "cuda" if torch.cuda.is_available() else "cpu"

        def compute():
            if stored == "frontend":  # attention plays no part before the layers
                return cached_frontend(self.pristine, ds, cache, spec.task, self.task.spec_hash, split, crop,
                                       run.precision)
            tag = "-".join(x for x in (head.featurizer.normalisation, run.precision, run.attention)
                           if x not in ("fp32", "sdpa"))
            states, fn = (cached_pooled_states, head.pool) if stored == "pooled" else (cached_frame_states, head.frames)
            return states(self.pristine, ds, cache, spec.task, self.task.spec_hash, split, crop, fn, tag)

        def extract():
            try:
                with torch.autocast(device, dtype=torch.bfloat16, enabled=run.precision == "bf16"):
                    self.pristine.to(device)
                    return compute()
            finally:
                self.pristine.to("cpu")

        return distributed.main_first(extract)  # under torchrun the others read what the main one cached

    def head_lr(self, lr: float) -> float:
        """The head trains at the searched rate, except beside full fine-tuning (rates two decades lower,
        too low for a fresh head), where it keeps the task's head rate `budget.lr.head`."""
        return self.task.spec.budget.lr.head if self.method.lr_family == "finetune" else lr


def _row_refs(split: str, ds: datasets.Dataset) -> datasets.Dataset:
    """A split's rows pointing into its cached frames (`split`, `index`), with what the sampler, the targets
    and the predictions read (`id`, `label`, `length`)."""
    return datasets.Dataset.from_dict({"id": ds["id"], "label": ds["label"], "length": ds["length"],
                                       "split": [split] * len(ds), "index": np.arange(len(ds))}).with_format("numpy")


def write_cell_result(cell: Cell, seed: int, path: Path, lr: float, search: LRSearch | None, outcome, params,
           skipped: list[dict[str, str]]) -> Path:
    """The seed's result file and predictions (by the main process alone under torchrun)."""
    import torch

    if not distributed.is_main():
        return path

    spec, run, method = cell.task.spec, cell.run, cell.method
    pred_path = path.with_name(f"seed{seed}.predictions.jsonl")
    records = cell.kind.keep_predictions(outcome.predictions, path.parent, f"seed{seed}")
    write_atomic(pred_path, "".join(json.dumps(p) + "\n" for p in records))
    result = Result(
        task=TaskInfo(name=spec.task, version=spec.version, spec_hash=cell.task.spec_hash, kind=spec.kind,
                      dataset=_dataset_label(spec)),
        method=MethodInfo(name=method.name, preset=run.preset, config=cell.config.model_dump(mode="json"),
                          config_hash=run.method_config_hash, source=method.source),
        backbone=BackboneInfo(name=run.backbone, weights_sha256=run.backbone_sha256, params=params.backbone_total),
        params=params,
        seed=seed,
        scores=Scores(dev=outcome.dev, test=outcome.test, primary=spec.metrics.primary,
                      higher_is_better=spec.metrics.higher_is_better, anchors=task_anchors(cell)),
        train=TrainSummary(epochs=outcome.epochs, steps=outcome.steps, best_step=outcome.best_step, lr=lr,
                           head_lr=cell.head_lr(lr), batch_size=spec.budget.batch_size,
                           wall_s=round(outcome.wall_s, 2), peak_rss_mb=round(outcome.peak_rss_mb, 1),
                           samples_per_s=round(outcome.samples_per_s, 2), resumed_from=outcome.resumed_from,
                           test_loss=outcome.test_loss),
        data=DataInfo(sizes={s: len(d) for s, d in cell.splits.items()}, skipped=skipped),
        provenance=provenance.collect("cuda" if torch.cuda.is_available() else "cpu"),
        predictions=pred_path.name,
        run=RunInfo(hash=run.hash, label=run.label, head=run.head, config=run.model_dump(mode="json"),
                    lr_search=search),
    )
    write_result(path, result)
    primary = spec.metrics.primary
    note = f", diverged: {outcome.diverged}" if outcome.diverged else ""
    cell.opts.console.print(f"{spec.task} seed {seed} lr {lr:g}: test {primary} {outcome.test[primary]:.4f} "
                            f"(dev {outcome.dev.get(primary, float('nan')):.4f}, {outcome.wall_s:.0f} s{note}) "
                            f"-> {path}")
    return path
