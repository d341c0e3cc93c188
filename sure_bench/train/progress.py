"""A rich progress bar for training steps, with the latest dev score in the description."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from transformers import TrainerCallback

from sure_bench.metrics.registry import METRICS


class RichProgress(TrainerCallback):
    def __init__(self, label: str, enabled: bool = True):
        self.label = label
        self.enabled = enabled
        self.progress: Progress | None = None
        self.bar = None

    def on_train_begin(self, args, state, control, **kwargs):
        if not self.enabled:
            return
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TimeRemainingColumn(), transient=True,
        )
        self.progress.start()
        self.bar = self.progress.add_task(self.label, total=state.max_steps, completed=state.global_step)

    def on_step_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.update(self.bar, completed=state.global_step)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if self.progress is not None and metrics:
            shown = ", ".join(f"{k.removeprefix('eval_')} {v:.3f}" for k, v in metrics.items()
                              if k.removeprefix("eval_") in METRICS)
            self.progress.update(self.bar, description=f"{self.label} [epoch {state.epoch:.0f}: {shown}]")

    def on_train_end(self, args, state, control, **kwargs):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
