"""What the learning-rate search bought, per (run label, task): its grid, the chosen rate, the dev score
of the chosen rate's explore run against the dev score of the task's old fixed rate (`budget.lr`, the
rate every method trained at before the search) under the same explore budget and seed, and the wall
time of search and seeds.

    python benchmarks/search_summary.py [--results results submissions] [--backbone whisper-tiny.en] \\
        [--explore-default lora peft:LOHA peft:submissions/ia3/peft.yaml --tasks ks-mini ser-mini] \\
        [--explore-above lora prefix --tasks asr-mini]

Where the fixed rate is a grid point (finetune on ASR: 1e-4), the search's own explore run is read.
Otherwise its explore run is trained here, by `--explore-default`
(method names as `run --method` takes them), as one more explore cell under the same run configuration,
written beside the others but under `--default-out` (default benchmarks/results/default-lr), never
into the results the leaderboard reads; finished points are skipped. Without it the table shows the
points already there. Only results trained under the search (result files with `run.lr_search`).

Does the grid's top bind? Where the search chose the grid's highest rate, `--explore-above` trains the
explore point one step above it (1e-2 -> 3e-2, 3e-4 -> 1e-3) the same way, under `--above-out` (default
benchmarks/results/grid-edge), and the table shows its dev score beside the chosen one's.
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from sure_bench.methods.base import MethodError
from sure_bench.methods.registry import load_method
from sure_bench.report.collect import collect
from sure_bench.results.schema import Result
from sure_bench.results.store import cell_folder
from sure_bench.run.cells import CellSpec, run_cell
from sure_bench.run.explore import explored, point_path
from sure_bench.run.search import explore_epochs
from sure_bench.tasks.registry import resolve_tasks

DEFAULT_OUT = Path("benchmarks/results/default-lr")
ABOVE_OUT = Path("benchmarks/results/grid-edge")


def above(grid: list[float]) -> float:
    """The log grid's next step above its top: 1 -> 3 -> 10 within a decade, else the last ratio again."""
    top, ordered = max(grid), sorted(grid)
    mantissa = round(top / 10 ** math.floor(math.log10(top)), 6)
    if mantissa in (1.0, 3.0):
        return float(f"{top * (3 if mantissa == 1.0 else 10 / 3):.1g}")
    return top * ordered[-1] / ordered[-2]


def fixed_rate(task_name: str, lr_family: str) -> float:
    """The task's rate before the search: `budget.lr.<family>` of its spec."""
    return getattr(resolve_tasks([task_name])[0].spec.budget.lr, lr_family)


def explore_default(methods: list[str], tasks: list[str], backbone: str, out: Path) -> None:
    """Train each (method, task)'s explore point at the task's fixed rate into `out` (skipped when done)."""
    for method in methods:
        family = load_method(method).lr_family
        for task in tasks:
            run_cell(CellSpec(method=method, task=task, phase="explore", seed=0, lr=fixed_rate(task, family),
                              backbone=backbone, output=out, show_progress=False))


def explore_above(methods: list[str], tasks: list[str], backbone: str, roots: list[Path], out: Path) -> None:
    """Train the explore point one step above the grid's top into `out` for each (method, task) whose
    committed search chose the top (skipped when done; a cell that chose below the top is left alone)."""
    cells = protocol_cells(roots, backbone)
    for method in methods:
        label = load_method(method).name
        for task in tasks:
            if (label, task) not in cells:
                raise SystemExit(f"--explore-above {method} {task}: no result under the search for run label "
                                 f"{label!r} on {task} in {', '.join(map(str, roots))}; run it first")
            search = cells[(label, task)][0].run.lr_search
            if search.chosen == max(search.grid):
                run_cell(CellSpec(method=method, task=task, phase="explore", seed=search.explore_seed,
                                  lr=above(search.grid), backbone=backbone, output=out, show_progress=False))


def lr_family(method_name: str) -> str:
    """A built-in method's learning-rate family; `default` for any other (peft types, submissions)."""
    try:
        return load_method(method_name).lr_family
    except MethodError:
        return "default"


def protocol_cells(roots: list[Path], backbone: str) -> dict[tuple[str, str], list[Result]]:
    """Result files trained under the search, grouped by (run label, task)."""
    cells = defaultdict(list)
    for r in collect(roots).results:
        if r.backbone.name == backbone and r.run and r.run.lr_search:
            cells[(r.run.label, r.task.name)].append(r)
    return cells


def default_point(out: Path, r: Result, lr: float) -> float | None:
    """Dev score of the explore run at `lr` under `r`'s run configuration and task spec, if trained."""
    spec = resolve_tasks([r.task.name])[0].spec
    path = point_path(cell_folder(out, r.backbone.name, r.run.label, r.task.name), lr)
    point = explored(path, r.run.hash, r.task.spec_hash, r.run.lr_search.explore_seed, explore_epochs(spec))
    return point.dev if point and point.status == "ok" else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, nargs="+", default=[Path("results"), Path("submissions")])
    ap.add_argument("--backbone", default="whisper-tiny.en")
    ap.add_argument("--explore-default", nargs="*", default=[], metavar="METHOD")
    ap.add_argument("--tasks", nargs="*", default=[])
    ap.add_argument("--default-out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--explore-above", nargs="*", default=[], metavar="METHOD")
    ap.add_argument("--above-out", type=Path, default=ABOVE_OUT)
    args = ap.parse_args()
    if (args.explore_default or args.explore_above) and not args.tasks:
        raise SystemExit("--explore-default and --explore-above need --tasks")
    if args.explore_default:
        explore_default(args.explore_default, args.tasks, args.backbone, args.default_out)
    if args.explore_above:
        explore_above(args.explore_above, args.tasks, args.backbone, args.results, args.above_out)
    table = Table(title=f"{args.backbone}: the learning-rate search per (run label, task); dev = the explore "
                        "run's dev score (one seed, the explore budget)")
    for col in ("label", "task", "grid", "chosen", "dev at chosen", "fixed rate", "dev at fixed", "search s",
                "seeds s", "seeds", "test mean", "dev above top"):
        table.add_column(col)
    total, gains, edge = 0.0, [], []
    for (label, task), results in sorted(protocol_cells(args.results, args.backbone).items()):
        first = results[0]
        search = first.run.lr_search
        chosen = next(p for p in search.points if p.lr == search.chosen)
        fixed = fixed_rate(task, lr_family(first.method.name))
        in_grid = next((p for p in search.points if p.lr == fixed and p.status == "ok"), None)
        dev_fixed = in_grid.dev if in_grid else default_point(args.default_out, first, fixed)
        search_s = sum(p.wall_s or 0.0 for p in search.points)
        seeds_s = sum(r.train.wall_s or 0.0 for r in results)
        total += search_s + seeds_s
        sign = 1 if first.scores.higher_is_better else -1
        if dev_fixed is not None:
            gains.append(sign * (chosen.dev - dev_fixed))
        test = np.mean([r.scores.test[first.scores.primary] for r in results])
        above_col = ""
        if search.chosen == max(search.grid):
            rate = above(search.grid)
            dev_above = default_point(args.above_out, first, rate)
            edge.append(None if dev_above is None else sign * (dev_above - chosen.dev))
            above_col = f"{rate:g}: " + ("–" if dev_above is None else f"{dev_above:.3f}")
        table.add_row(label, task, " ".join(f"{lr:g}" for lr in search.grid), f"{search.chosen:g}",
                      f"{chosen.dev:.3f}", f"{fixed:g}", "–" if dev_fixed is None else f"{dev_fixed:.3f}",
                      f"{search_s:.0f}", f"{seeds_s:.0f}", str(len(results)), f"{test:.3f}", above_col)
    Console(width=220).print(table)
    print(f"search + seeds, all rows: {total / 3600:.2f} h of training wall time")
    if gains:
        g = np.array(gains)
        print(f"dev at the chosen rate against the fixed rate, {len(g)} rows: better in {(g > 0).sum()}, equal in "
              f"{(g == 0).sum()}, worse in {(g < 0).sum()}; mean gain {g.mean():+.3f} (median {np.median(g):+.3f})")
    trained = np.array([e for e in edge if e is not None])
    if edge:
        line = f"{len(edge)} rows chose the grid's top; the point above it is trained for {len(trained)}"
        if len(trained):
            line += (f" and beats the chosen rate on dev in {(trained > 0).sum()} (mean gain {trained.mean():+.3f}, "
                     f"best {trained.max():+.3f})")
        print(line)


if __name__ == "__main__":
    main()
