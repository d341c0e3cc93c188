"""`sure-bench tasks`: a table of every task (kind, dataset, split sizes, metric) and the suites."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tasks-dir", type=Path, help="folder of task YAMLs (default: this checkout's tasks/)")
    p.add_argument("--kinds", action="store_true", help="list the task kinds instead: their spec fields and metrics")


def execute(args: argparse.Namespace) -> int:
    from sure_bench.cli.console import make_console
    from rich.table import Table

    from sure_bench.tasks.registry import all_tasks, default_tasks_dir, suite_tasks

    from sure_bench.data.catalog import dataset_info

    if args.kinds:
        return _kinds()
    tasks_dir = args.tasks_dir or default_tasks_dir()
    table = Table(title=f"tasks in {tasks_dir}")
    for col in ("task", "kind", "dataset", "train", "dev", "test", "metric", "license"):
        table.add_column(col)
    for name, task in all_tasks(tasks_dir).items():
        s = task.spec
        sizes = [_size(n) for n in task.split_sizes().values()]
        arrow = "↑" if s.metrics.higher_is_better else "↓"
        license_note = s.dataset.license or dataset_info(s.dataset.loader).license
        table.add_row(name, s.kind, s.dataset.loader, *sizes, f"{s.metrics.primary} {arrow}", license_note)
    console = make_console()
    console.print(table)
    console.print("[dim]? = a split chosen by rule whose size the release does not publish; "
                  "`sure-bench data list` says where to get each dataset[/dim]")
    for suite in sorted((tasks_dir / "suites").glob("*.yaml")):
        console.print(f"suite [bold]{suite.stem}[/bold]: {', '.join(suite_tasks(suite.stem, tasks_dir))}")
    return 0


def _kinds() -> int:
    from rich.table import Table

    from sure_bench.cli.console import make_console
    from sure_bench.kinds import KindFields, all_kinds
    from sure_bench.metrics.registry import get_metric

    table = Table(title="task kinds (sure_bench/kinds/, one module each)")
    for col in ("kind", "spec fields", "metrics (↑ higher is better)", "probe"):
        table.add_column(col)
    for name, module in all_kinds().items():
        fields = [f for f in module.Fields.model_fields if f not in KindFields.model_fields]
        metrics = [f"{m} {'↑' if get_metric(m).higher_is_better else '↓'}" for m in sorted(module.Fields.METRICS)]
        table.add_row(name, ", ".join(fields), ", ".join(metrics), "yes" if module.Kind.PROBE else "-")
    make_console().print(table)
    return 0


def _size(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"
