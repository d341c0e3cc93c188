"""`--method probe`: the closed-form reference probe, on the standardised, concatenated masked means of
every hidden state of the frozen encoder; the task's kind says what it is (`kind.fit_probe`): for classes,
a logistic regression (scikit-learn, lbfgs) with its L2 strength C chosen on dev; for speaker
verification, the cosine of those states. Features are cached once per backbone, task and split. It is deterministic: every seed
gives the same scores. A reviewer's first question of a PEFT method is whether it beats this."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from sure_bench.backbones.registry import load_backbone
from sure_bench.files import default_cache_dir, write_atomic
from sure_bench.heads.featurizer import DEFAULT_HEAD
from sure_bench.kinds import all_kinds, make_kind
from sure_bench.methods.base import MethodConfig, config_hash
from sure_bench.results import provenance
from sure_bench.results.schema import (BackboneInfo, DataInfo, MethodInfo, Params, Result, RunInfo, Scores,
                                       TaskInfo, TrainSummary)
from sure_bench.results.store import cell_folder, existing_result, write_result
from sure_bench.run.config import RunConfig
from sure_bench.run.runner import RunOptions, _dataset_label, load_splits
from sure_bench.tasks.registry import Task

NAME = "probe"


class ProbeConfig(MethodConfig):
    features: str = "masked mean of every hidden state, concatenated, standardised on train"
    c_grid: tuple[float, ...] = (0.01, 0.1, 1.0)
    max_iter: int = 2000


def run_probe(tasks: list[Task], opts: RunOptions) -> list[Path]:
    """Fit and score the probe on every classification task; other kinds are skipped with a message."""
    if opts.lr_grid or opts.head != DEFAULT_HEAD:
        raise ValueError("--method probe has no learning rate or head recipe: drop --lr, --lr-grid, --head, "
                         "--layer-weights")
    config = ProbeConfig()
    encoder = load_backbone(opts.backbone, opts.cache_dir)
    run = RunConfig(backbone=opts.backbone, backbone_sha256=encoder.weights_sha256, method=NAME,
                    method_config_hash=config_hash(NAME, config))
    written = []
    for task in tasks:
        spec = task.spec
        kind = make_kind(task, opts.data_root)
        if not kind.PROBE:
            probed = sorted(name for name, module in all_kinds().items() if module.Kind.PROBE)
            opts.console.print(f"[dim]skip {spec.task}: the probe is for the kinds "
                               f"{', '.join(probed)}, not {spec.kind}[/dim]")
            continue
        kind.backbone(encoder)  # a speech encoder, or a clear error
        folder = cell_folder(opts.output, opts.backbone, run.label, spec.task)
        paths = {seed: folder / f"seed{seed}.json" for seed in opts.seeds}
        todo = [s for s, p in paths.items() if opts.overwrite or not existing_result(p, task.spec_hash, run.hash)]
        written += [p for s, p in paths.items() if s not in todo]
        if not todo:
            opts.console.print(f"[dim]skip {spec.task} probe: done ({folder})[/dim]")
            continue
        splits, skipped = load_splits(task, opts, kind)
        start = time.perf_counter()
        max_samples = int(spec.audio.max_seconds * 16000)
        cache = opts.cache_dir or default_cache_dir()
        from sure_bench.features.pooled import cached_pooled_states

        feats = {s: np.asarray(cached_pooled_states(encoder, ds, cache, spec.task, task.spec_hash, s, max_samples))
                 for s, ds in splits.items()}
        fit = kind.fit_probe(feats, splits, config.c_grid, config.max_iter)
        wall = time.perf_counter() - start
        for seed in todo:
            written.append(_write(paths[seed], seed, task, run, config, encoder, splits, skipped, fit, wall))
    return written


def _write(path: Path, seed: int, task: Task, run: RunConfig, config: ProbeConfig, encoder, splits, skipped,
           fit: dict, wall: float) -> Path:
    spec = task.spec
    pred_path = path.with_name(f"seed{seed}.predictions.jsonl")
    write_atomic(pred_path, "".join(json.dumps(r) + "\n" for r in fit["records"]))
    total = sum(p.numel() for p in encoder.parameters())
    result = Result(
        task=TaskInfo(name=spec.task, version=spec.version, spec_hash=task.spec_hash, kind=spec.kind,
                      dataset=_dataset_label(spec)),
        method=MethodInfo(name=NAME, preset="default", config=config.model_dump(mode="json"),
                          config_hash=run.method_config_hash, source="sure_bench.run.probe"),
        backbone=BackboneInfo(name=run.backbone, weights_sha256=run.backbone_sha256, params=total),
        params=Params(backbone_total=total, method_added=0, method_unfrozen=0, head=fit["head"], layer_weights=0,
                      percent=0.0),
        seed=seed,
        scores=Scores(dev=fit["dev"], test=fit["test"], primary=spec.metrics.primary,
                      higher_is_better=spec.metrics.higher_is_better),
        train=TrainSummary(epochs=0, steps=0, best_step=None, lr=0.0, head_lr=0.0, batch_size=len(splits["train"]),
                           wall_s=round(wall, 2), peak_rss_mb=0.0, samples_per_s=0.0, probe_c=fit["c"]),
        data=DataInfo(sizes={s: len(d) for s, d in splits.items()}, skipped=skipped),
        provenance=provenance.collect("cpu"),
        predictions=pred_path.name,
        run=RunInfo(hash=run.hash, label=run.label, head="probe", config=run.model_dump(mode="json")),
    )
    write_result(path, result)
    return path
