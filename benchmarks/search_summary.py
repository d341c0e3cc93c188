"""What the learning-rate search bought, per (run label, task): its grid, the chosen rate, the dev score
of the chosen rate's explore run against the dev score of the task's old fixed rate (`budget.lr`, the
rate every method trained at before the search) under the same explore budget and seed, and the wall
time of search and seeds.

    python benchmarks/search_summary.py [--results results submissions] [--backbone whisper-tiny.en] \\
        [--explore-default lora peft:LOHA peft:submissions/ia3/peft.yaml --tasks ks-mini ser-mini]

The fixed rate is not in the search grid, so its explore run is trained here, by `--explore-default`
(method names as `run --method` takes them), as one more explore cell under the same run configuration,
written beside the others but under `--default-out` (default benchmarks/results/default-lr), never
into the results the leaderboard reads; finished points are skipped. Without it the table shows the
points already there. Only results trained under the search (result files with `run.lr_search`).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from sure_bench.results.schema import ExploredPoint
from sure_bench.results.store import cell_folder
from sure_bench.run.cells import CellSpec, resolve, run_cell
from sure_bench.run.explore import point_path

DEFAULT_OUT = Path("benchmarks/results/default-lr")


def fixed_rate(task_name: str, lr_family: str) -> float:
    """The task's rate before the search: `budget.lr.<family>` of its spec."""
    from sure_bench.tasks.registry import resolve_tasks

    return getattr(resolve_tasks([task_name])[0].spec.budget.lr, lr_family)


def explore_default(methods: list[str], tasks: list[str], backbone: str, out: Path) -> None:
    """Train each (method, task)'s explore point at the task's fixed rate into `out` (skipped when done)."""
    for method in methods:
        for task in tasks:
            probe = CellSpec(method=method, task=task, phase="explore", seed=0, lr=1.0, backbone=backbone,
                             output=out, show_progress=False)
            m, _, _, _, _ = resolve(probe)
            run_cell(probe.model_copy(update={"lr": fixed_rate(task, m.lr_family)}))


def lr_family(method_name: str) -> str:
    """A built-in method's learning-rate family; `default` for any other (peft types, submissions)."""
    from sure_bench.methods.base import MethodError
    from sure_bench.methods.registry import load_method

    try:
        return load_method(method_name).lr_family
    except MethodError:
        return "default"


def protocol_cells(roots: list[Path], backbone: str) -> dict[tuple[str, str], list[dict]]:
    """Result files trained under the search, grouped by (run label, task)."""
    cells = defaultdict(list)
    for root in roots:
        for path in sorted(root.rglob("seed*.json")):
            if ".work" in path.parts:
                continue
            r = json.loads(path.read_text(encoding="utf-8"))
            run = r.get("run") or {}
            if r["backbone"]["name"] == backbone and run.get("lr_search"):
                cells[(run["label"], r["task"]["name"])].append(r)
    return cells


def default_point(out: Path, backbone: str, label: str, task: str, run_hash: str, lr: float) -> float | None:
    path = point_path(cell_folder(out, backbone, label, task), lr)
    if not path.is_file():
        return None
    done = ExploredPoint.model_validate_json(path.read_text(encoding="utf-8"))
    return done.point.dev if done.run_hash == run_hash and done.point.status == "ok" else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, nargs="+", default=[Path("results"), Path("submissions")])
    ap.add_argument("--backbone", default="whisper-tiny.en")
    ap.add_argument("--explore-default", nargs="*", default=[], metavar="METHOD")
    ap.add_argument("--tasks", nargs="*", default=[])
    ap.add_argument("--default-out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    if args.explore_default:
        if not args.tasks:
            raise SystemExit("--explore-default needs --tasks")
        explore_default(args.explore_default, args.tasks, args.backbone, args.default_out)
    table = Table(title=f"{args.backbone}: the learning-rate search per (run label, task); dev = the explore "
                        "run's dev score (one seed, the explore budget)")
    for col in ("label", "task", "grid", "chosen", "dev at chosen", "fixed rate", "dev at fixed", "search s",
                "seeds s", "seeds", "test mean"):
        table.add_column(col)
    total, gains = 0.0, []
    for (label, task), results in sorted(protocol_cells(args.results, args.backbone).items()):
        search, run_hash = results[0]["run"]["lr_search"], results[0]["run"]["hash"]
        chosen = next(p for p in search["points"] if p["lr"] == search["chosen"])
        fixed = fixed_rate(task, lr_family(results[0]["method"]["name"]))
        dev_fixed = default_point(args.default_out, args.backbone, label, task, run_hash, fixed)
        search_s = sum(p.get("wall_s") or 0.0 for p in search["points"])
        seeds_s = sum(r["train"]["wall_s"] or 0.0 for r in results)
        total += search_s + seeds_s
        if dev_fixed is not None:
            sign = 1 if results[0]["scores"]["higher_is_better"] else -1
            gains.append(sign * (chosen["dev"] - dev_fixed))
        metric = results[0]["scores"]["primary"]
        test = np.mean([r["scores"]["test"][metric] for r in results])
        table.add_row(label, task, " ".join(f"{lr:g}" for lr in search["grid"]), f"{search['chosen']:g}",
                      f"{chosen['dev']:.3f}", f"{fixed:g}", "–" if dev_fixed is None else f"{dev_fixed:.3f}",
                      f"{search_s:.0f}", f"{seeds_s:.0f}", str(len(results)), f"{test:.3f}")
    Console(width=220).print(table)
    print(f"search + seeds, all rows: {total / 3600:.2f} h of training wall time")
    if gains:
        g = np.array(gains)
        print(f"dev at the chosen rate against the fixed rate, {len(g)} rows: better in {(g > 0).sum()}, equal in "
              f"{(g == 0).sum()}, worse in {(g < 0).sum()}; mean gain {g.mean():+.3f} (median {np.median(g):+.3f})")


if __name__ == "__main__":
    main()
