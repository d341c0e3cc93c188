"""`sure-bench tasks`: a table of every task (kind, dataset, split sizes, metric) and the suites."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tasks-dir", type=Path, help="folder of task YAMLs (default: this checkout's tasks/)")


def execute(args: argparse.Namespace) -> int:
    from sure_bench.cli.console import make_console
    from rich.table import Table

    from sure_bench.tasks.registry import all_tasks, default_tasks_dir, suite_tasks

    tasks_dir = args.tasks_dir or default_tasks_dir()
    table = Table(title=f"tasks in {tasks_dir}")
    for col in ("task", "kind", "dataset", "train", "dev", "test", "metric", "license"):
        table.add_column(col)
    for name, task in all_tasks(tasks_dir).items():
        s = task.spec
        sizes = task.split_sizes()
        arrow = "↑" if s.metrics.higher_is_better else "↓"
        table.add_row(name, s.kind, s.dataset.loader, str(sizes["train"]), str(sizes["dev"]), str(sizes["test"]),
                      f"{s.metrics.primary} {arrow}", s.dataset.license)
    console = make_console()
    console.print(table)
    for suite in sorted((tasks_dir / "suites").glob("*.yaml")):
        console.print(f"suite [bold]{suite.stem}[/bold]: {', '.join(suite_tasks(suite.stem, tasks_dir))}")
    return 0
