"""The rich table of scores printed at the end of `sure-bench run`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from sure_bench.results.store import read_result


def print_scores(paths: list[Path], console: Console) -> None:
    table = Table(title="sure-bench results")
    for col in ("task", "method", "backbone", "seed", "metric", "dev", "test", "trainable %", "wall s"):
        table.add_column(col)
    for path in paths:
        r = read_result(path)
        m = r.scores.primary
        table.add_row(r.task.name, r.method.name, r.backbone.name, str(r.seed), m,
                      f"{r.scores.dev.get(m, float('nan')):.4f}", f"{r.scores.test[m]:.4f}",
                      f"{r.params.percent:.2f}", f"{r.train.wall_s:.0f}")
    console.print(table)
