"""`sure-bench run`: every (task, seed) of a method on a backbone, each ending in a result file."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import datasets
from rich.console import Console

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.backbones.registry import load_backbone
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import default_data_root, get_loader, select_split
from sure_bench.methods.accounting import count_params
from sure_bench.methods.apply import apply_method
from sure_bench.methods.base import Method, MethodConfig, config_hash
from sure_bench.results import provenance
from sure_bench.results.schema import (BackboneInfo, DataInfo, MethodInfo, Result, Scores, TaskInfo,
                                       TrainSummary)
from sure_bench.results.store import existing_result, result_path, write_atomic, write_result
from sure_bench.tasks.registry import Task
from sure_bench.train.labels import LabelCodec

SPLITS = ("train", "dev", "test")


@dataclass
class RunOptions:
    backbone: str
    seeds: list[int]
    output: Path
    data_root: Path | None = None
    cache_dir: Path | None = None
    overwrite: bool = False
    skip_bad_audio: bool = False
    layer_weights: bool = False
    show_progress: bool = True
    console: Console = field(default_factory=Console)


def load_splits(task: Task, opts: RunOptions,
                codec: LabelCodec) -> tuple[dict[str, datasets.Dataset], list[dict[str, str]]]:
    """Loader -> committed splits -> decoded, cached audio. Returns datasets and the utterances left out
    (too long for CTC, words missing from the lexicon, bad audio)."""
    spec = task.spec
    loader = get_loader(spec.dataset.loader)
    rows = loader.load(Path(opts.data_root or default_data_root()), **spec.dataset.args)
    out, skipped = {}, []
    for split in SPLITS:
        chosen = select_split(rows, task.split_selection(split), f"{task.file} split {split!r}")
        if spec.kind == "ctc_asr":  # a transcript cannot be cropped: longer utterances are left out
            long = [r for r in chosen if r.duration > spec.audio.max_seconds]
            skipped += [{"id": r.id, "path": r.path, "reason": f"longer than {spec.audio.max_seconds} s",
                         "split": split} for r in long]
            chosen = [r for r in chosen if r.duration <= spec.audio.max_seconds]
        if spec.units == "phones":  # a transcript with words the committed lexicon lacks has no phone target
            unusable = {r.id: why for r in chosen if (why := codec.unusable(r.label))}
            skipped += [{"id": r.id, "path": r.path, "reason": unusable[r.id], "split": split}
                        for r in chosen if r.id in unusable]
            chosen = [r for r in chosen if r.id not in unusable]
        decoded = decode_manifest(chosen, opts.cache_dir, opts.skip_bad_audio,
                                  f"{spec.task} {split}: decoding audio", opts.show_progress)
        ds = decoded.dataset if split == "train" else decoded.dataset.sort("length")  # tight eval batches
        out[split] = ds.with_format("numpy")
        skipped += [{**s, "split": split} for s in decoded.skipped]
    return out, skipped


def _dataset_label(spec) -> str:
    args = ", ".join(f"{k}={v}" for k, v in spec.dataset.args.items())
    return f"{spec.dataset.loader}({args})" if args else spec.dataset.loader


def prepare_model(encoder: SpeechEncoder, method: Method, config: MethodConfig, codec, layer_weights: bool):
    """The backbone with the method applied, plus the task head; and the parameter counts."""
    from sure_bench.train.model import SpeechModel

    original = apply_method(encoder, method, config)
    model = SpeechModel(encoder, codec, layer_weights=layer_weights)
    return model, count_params(encoder, model.head, original)


def run_method(method: Method, preset: str, config: MethodConfig, tasks: list[Task], opts: RunOptions) -> list[Path]:
    """Train and evaluate `method` on every task and seed; finished ones are skipped."""
    import torch
    from transformers import set_seed

    from sure_bench.train.loop import train_and_evaluate

    console = opts.console
    c_hash = config_hash(method.name, config)
    pristine = load_backbone(opts.backbone, opts.cache_dir)
    written: list[Path] = []
    for task in tasks:
        spec = task.spec
        todo = []
        for seed in opts.seeds:
            path = result_path(opts.output, opts.backbone, method.name, preset, spec.task, seed)
            if not opts.overwrite and existing_result(path, task.spec_hash, c_hash):
                console.print(f"[dim]skip {spec.task} seed {seed}: done ({path})[/dim]")
                written.append(path)
                continue
            todo.append((seed, path))
        if not todo:
            continue
        codec = LabelCodec(task)
        splits, skipped = load_splits(task, opts, codec)
        for seed, path in todo:
            set_seed(seed)
            encoder = copy.deepcopy(pristine)
            model, params = prepare_model(encoder, method, config, codec, opts.layer_weights)
            lr = spec.budget.lr.finetune if method.lr_family == "finetune" else spec.budget.lr.default
            work = opts.output / ".work" / path.relative_to(opts.output).with_suffix("")
            outcome = train_and_evaluate(model, codec, spec, splits, work, seed, lr, spec.budget.lr.default,
                                         opts.show_progress,
                                         f"{method.name} {spec.task} seed {seed}")
            pred_path = path.with_name(f"seed{seed}.predictions.jsonl")
            write_atomic(pred_path, "".join(json.dumps(p) + "\n" for p in outcome.predictions))
            result = Result(
                task=TaskInfo(name=spec.task, version=spec.version, spec_hash=task.spec_hash, kind=spec.kind,
                              dataset=_dataset_label(spec)),
                method=MethodInfo(name=method.name, preset=preset, config=config.model_dump(mode="json"),
                                  config_hash=c_hash, source=method.source),
                backbone=BackboneInfo(name=opts.backbone, weights_sha256=pristine.weights_sha256,
                                      params=params.backbone_total),
                params=params,
                seed=seed,
                scores=Scores(dev=outcome.dev, test=outcome.test, primary=spec.metrics.primary,
                              higher_is_better=spec.metrics.higher_is_better),
                train=TrainSummary(epochs=outcome.epochs, steps=outcome.steps, best_step=outcome.best_step, lr=lr,
                                   head_lr=spec.budget.lr.default,
                                   batch_size=spec.budget.batch_size, wall_s=round(outcome.wall_s, 2),
                                   peak_rss_mb=round(outcome.peak_rss_mb, 1),
                                   samples_per_s=round(outcome.samples_per_s, 2), resumed_from=outcome.resumed_from,
                                   test_loss=outcome.test_loss),
                data=DataInfo(sizes={s: len(d) for s, d in splits.items()}, skipped=skipped),
                provenance=provenance.collect("cuda" if torch.cuda.is_available() else "cpu"),
                predictions=pred_path.name,
            )
            write_result(path, result)
            written.append(path)
            primary = spec.metrics.primary
            console.print(f"{spec.task} seed {seed}: test {primary} {outcome.test[primary]:.4f} "
                          f"(dev {outcome.dev.get(primary, float('nan')):.4f}, {outcome.wall_s:.0f} s) -> {path}")
    return written
