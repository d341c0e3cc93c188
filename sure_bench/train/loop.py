"""Training and evaluation with transformers' Trainer: early stopping, best reload, resume."""

from __future__ import annotations

import json
import resource
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import datasets
import numpy as np
import torch
from torch.utils.data import SequentialSampler, WeightedRandomSampler
from torch.utils.tensorboard import SummaryWriter
from transformers import EarlyStoppingCallback, Trainer, TrainingArguments
from transformers.integrations import TensorBoardCallback
from transformers.trainer_callback import PrinterCallback
from transformers.trainer_pt_utils import LengthGroupedSampler

from sure_bench.kinds.base import TaskKind
from sure_bench.metrics.registry import compute
from sure_bench.tasks.spec import TaskSpec
from sure_bench.train.model import SpeechModel
from sure_bench.train.progress import RichProgress


@dataclass
class Outcome:
    dev: dict[str, float]
    test: dict[str, float]
    predictions: list[dict[str, str]]
    epochs: float
    steps: int
    best_step: int | None
    wall_s: float
    peak_rss_mb: float
    samples_per_s: float
    resumed_from: str | None
    test_loss: float | None
    diverged: str | None = None  # why training is not trustworthy (a NaN or infinite loss), else None


class _Trainer(Trainer):
    """Trainer whose evaluation keeps the dataset's order (its group_by_length also shuffles eval batches),
    so predictions line up with references; eval splits come sorted by length for tight batches."""

    head_lr: float | None = None
    balanced_classes: bool = False

    def _get_eval_sampler(self, eval_dataset):
        return SequentialSampler(eval_dataset)

    def _get_train_sampler(self, train_dataset=None):
        dataset = train_dataset or self.train_dataset
        if self.balanced_classes:
            return balanced_sampler(list(dataset["label"]))
        # the Trainer's own group_by_length sampler, given the lengths as a list: handed the lazy column,
        # it reads it row by row every epoch (0.25 ms a row)
        return LengthGroupedSampler(self.args.train_batch_size * self.args.gradient_accumulation_steps,
                                    dataset=dataset, lengths=[int(x) for x in dataset["length"]])

    def create_optimizer(self, model=None):
        """AdamW with two groups: what the method trains at its learning rate, the task head at the
        task's default rate (the head is the same for every method, so it trains the same way)."""
        if self.optimizer is None:
            named = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
            groups = [{"params": [p for n, p in named if not n.startswith("head.")], "lr": self.args.learning_rate},
                      {"params": [p for n, p in named if n.startswith("head.")],
                       "lr": self.head_lr or self.args.learning_rate}]
            self.optimizer = torch.optim.AdamW([g for g in groups if g["params"]], weight_decay=0.0)
        return self.optimizer


def balanced_sampler(labels: list[str]) -> WeightedRandomSampler:
    """Each class drawn equally often (with replacement), an epoch as long as the split. It draws from
    torch's global generator, which the Trainer seeds and restores on resume."""
    counts = Counter(labels)
    weights = torch.tensor([1.0 / counts[x] for x in labels], dtype=torch.double)
    return WeightedRandomSampler(weights, num_samples=len(labels), replacement=True)


def last_complete_checkpoint(folder: Path) -> str | None:
    """The newest checkpoint whose trainer_state.json (written last) parses; newer broken ones are removed."""
    if not folder.is_dir():
        return None
    found = sorted(folder.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]), reverse=True)
    for ckpt in found:
        try:
            json.loads((ckpt / "trainer_state.json").read_text())
            return str(ckpt)
        except (OSError, ValueError):
            shutil.rmtree(ckpt, ignore_errors=True)  # killed while saving: start again from the one before
    return None


def train_and_evaluate(
    model: torch.nn.Module,
    kind: TaskKind,
    spec: TaskSpec,
    splits: dict[str, datasets.Dataset],
    work_dir: Path,
    seed: int,
    lr: float,
    head_lr: float,
    show_progress: bool = True,
    label: str = "",
    epochs: int | None = None,
    score_test: bool = True,
    collator=None,
    bf16: bool = False,
) -> Outcome:
    """Train on `train`, pick the best epoch on `dev`, score `test` once; resumes from `work_dir`.

    `epochs` shortens the budget (the learning-rate search's explore phase); `score_test=False` stops
    after the dev score (explored points never look at test). `collator`: batches the splits' rows
    (default: the kind's, `kind.collator()`). `bf16`: bfloat16 autocast."""
    metric_names = [spec.metrics.primary, *spec.metrics.also]

    def scored(split: str, outputs: np.ndarray, primary_only: bool = False) -> tuple[dict[str, float], list[dict]]:
        ds = splits[split]
        records = kind.predictions(split, list(ds["id"]), list(ds["label"]), np.asarray(outputs))
        return score_records(spec, records, [spec.metrics.primary] if primary_only else None)

    budget = spec.budget
    epochs = epochs or budget.epochs
    steps_per_epoch = max(1, -(-len(splits["train"]) // budget.batch_size))
    args = TrainingArguments(
        output_dir=str(work_dir / "checkpoints"),
        per_device_train_batch_size=budget.batch_size,
        per_device_eval_batch_size=budget.batch_size,
        num_train_epochs=epochs,
        learning_rate=lr,
        warmup_steps=int(budget.warmup_ratio * steps_per_epoch * epochs),
        lr_scheduler_type="linear",
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=2,
        load_best_model_at_end=True,
        metric_for_best_model=spec.metrics.primary,
        greater_is_better=spec.metrics.higher_is_better,
        train_sampling_strategy="group_by_length",
        length_column_name="length",
        seed=seed,
        data_seed=seed,
        logging_steps=max(1, steps_per_epoch // 4),
        logging_nan_inf_filter=False,  # a NaN loss must show, so a diverged run is recorded as such
        report_to="none",
        disable_tqdm=True,
        remove_unused_columns=False,
        label_names=["labels"],
        dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(),
        bf16=bf16,
    )

    def dev_metrics(pred) -> dict[str, float]:  # each epoch: the primary metric picks the best epoch
        return scored("dev", pred.predictions, primary_only=True)[0]

    def all_dev_metrics(pred) -> dict[str, float]:  # the best epoch: every metric, for the result
        return scored("dev", pred.predictions)[0]

    callbacks = [EarlyStoppingCallback(early_stopping_patience=budget.patience)] if budget.patience else []
    progress = RichProgress(label or spec.task, enabled=show_progress)
    tensorboard = TensorBoardCallback(SummaryWriter(log_dir=str(work_dir / "tensorboard")))
    trainer = _Trainer(
        model=model,
        args=args,
        train_dataset=splits["train"],
        eval_dataset=splits["dev"],
        data_collator=collator or kind.collator(),
        compute_metrics=dev_metrics,
        callbacks=[*callbacks, progress, tensorboard],
    )
    trainer.head_lr = head_lr
    trainer.balanced_classes = budget.balanced_classes
    trainer.remove_callback(PrinterCallback)
    last = last_complete_checkpoint(Path(args.output_dir))
    start = time.perf_counter()
    train_out = trainer.train(resume_from_checkpoint=last)
    wall = time.perf_counter() - start
    diverged = _divergence(trainer.state.log_history, train_out.training_loss)
    trainer.compute_metrics = all_dev_metrics
    dev = {k.removeprefix("eval_"): v for k, v in trainer.evaluate().items() if k.removeprefix("eval_") in metric_names}
    test, predictions, test_loss = {}, [], None
    if score_test:
        trainer.compute_metrics = None  # test is scored once, below, by the kind
        test_out = trainer.predict(splits["test"])
        test, predictions = scored("test", test_out.predictions)
        test_loss = test_out.metrics.get("test_loss")
    state = trainer.state
    best_step = None
    if state.best_model_checkpoint:
        best_step = int(Path(state.best_model_checkpoint).name.split("-")[-1])
    if trainer.is_world_process_zero():  # under DDP the main process owns the checkpoints
        shutil.rmtree(args.output_dir, ignore_errors=True)
    return Outcome(
        dev=dev,
        test=test,
        predictions=predictions,
        epochs=float(state.epoch or 0),
        steps=int(state.global_step),
        best_step=best_step,
        wall_s=wall,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        samples_per_s=float(train_out.metrics.get("train_samples_per_second", 0.0)),
        resumed_from=Path(last).name if last else None,
        test_loss=test_loss,
        diverged=diverged,
    )


def score_records(spec: TaskSpec, records: list[dict],
                  names: list[str] | None = None) -> tuple[dict[str, float], list[dict]]:
    """(`names`, default every metric the task names, over the records' references and predictions; the records)."""
    names = names or [spec.metrics.primary, *spec.metrics.also]
    return compute(names, [r["reference"] for r in records], [r["prediction"] for r in records]), records


def evaluate_untrained(model: torch.nn.Module, kind: TaskKind, spec: TaskSpec, split: datasets.Dataset,
                       name: str, work_dir: Path) -> tuple[dict[str, float], list[dict]]:
    """Score a model as it is on one split, through the same Trainer prediction path as a trained one."""
    args = TrainingArguments(output_dir=str(work_dir), per_device_eval_batch_size=spec.budget.batch_size,
                             report_to="none", disable_tqdm=True, remove_unused_columns=False,
                             label_names=["labels"], dataloader_num_workers=0, use_cpu=not torch.cuda.is_available())
    trainer = _Trainer(model=model, args=args, data_collator=kind.collator())
    trainer.remove_callback(PrinterCallback)
    outputs = trainer.predict(split).predictions
    return score_records(spec, kind.predictions(name, list(split["id"]), list(split["label"]), np.asarray(outputs)))


def _divergence(log_history: list[dict], final_loss: float) -> str | None:
    """'training loss became nan at step N' if any logged training loss is not finite, else None."""
    for entry in log_history:
        loss = entry.get("loss")
        if loss is not None and not np.isfinite(loss):
            return f"training loss became {loss} at step {entry.get('step')}"
    if final_loss is not None and not np.isfinite(final_loss):
        return f"training loss became {final_loss}"
    return None
