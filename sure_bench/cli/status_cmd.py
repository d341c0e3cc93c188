"""`sure-bench status --method M [--tasks ...]`: the run's matrix from its output folder (done, running,
failed with the error's last lines, not started)."""

from __future__ import annotations

import argparse
from collections import Counter


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sure_bench.cli.run_cmd import add_cell_arguments

    add_cell_arguments(p)


def execute(args: argparse.Namespace) -> int:
    from rich.table import Table

    from sure_bench.cli.console import make_console
    from sure_bench.cli.run_cmd import plan_from_args
    from sure_bench.run.status import cell_state

    waves = plan_from_args(args)
    states = [cell_state(spec) for wave in waves for spec in wave]
    console = make_console()
    colours = {"done": "green", "running": "cyan", "failed": "red", "not started": "dim"}
    table = Table(title=f"{args.method} on {args.backbone} in {args.output}")
    for col in ("task", "cell", "state", "detail"):
        table.add_column(col, overflow="fold")
    for s in states:
        cell = f"lr {s.spec.lr:g} (search)" if s.spec.phase == "explore" else f"seed {s.spec.seed}"
        table.add_row(s.spec.task, cell, f"[{colours[s.state]}]{s.state}[/]", s.detail)
    console.print(table)
    counts = Counter(s.state for s in states)
    console.print(", ".join(f"{n} {state}" for state, n in counts.items()))
    return 1 if counts.get("failed") else 0
