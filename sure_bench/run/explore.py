"""The explore phase of the learning-rate search: every grid point trained on a fraction of the budget
with one seed and scored on dev. Each point is a file, so a re-run skips what is done and a point that
diverges is recorded as failed instead of stopping the run."""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import ValidationError

from sure_bench.files import write_atomic
from sure_bench.results.schema import ExploredPoint, LRPoint, LRSearch
from sure_bench.run import distributed
from sure_bench.run.search import SearchError, choose, explore_epochs, lr_tag


def point_path(folder: Path, lr: float) -> Path:
    return folder / "lr-search" / f"lr{lr_tag(lr)}.json"


def explored(path: Path, run_hash: str, spec_hash: str, seed: int, epochs: int) -> LRPoint | None:
    """The recorded point if it was explored under this very configuration, else None (explore again)."""
    if not path.is_file():
        return None
    try:
        done = ExploredPoint.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None  # unreadable: explore it again and replace the file
    same = (done.run_hash, done.spec_hash, done.seed, done.epochs) == (run_hash, spec_hash, seed, epochs)
    return done.point if same else None


def explore_point(cell, lr: float, seed: int, path: Path, work: Path) -> LRPoint:
    """Train one grid point on the explore budget, score it on dev, and record it at `path`."""
    spec = cell.task.spec
    epochs = explore_epochs(spec)
    point = _explore(cell, lr, seed, epochs, work)
    record = ExploredPoint(run_hash=cell.run.hash, spec_hash=cell.task.spec_hash, seed=seed, epochs=epochs,
                           point=point)
    if distributed.is_main():  # under torchrun the main process alone writes
        write_atomic(path, record.model_dump_json(indent=2) + "\n")
    shown = f"dev {spec.metrics.primary} {point.dev:.4f}" if point.status == "ok" else f"failed: {point.reason}"
    cell.opts.console.print(f"[dim]{cell.run.label} {spec.task} lr {lr:g} ({epochs} epoch(s)): {shown}[/dim]")
    return point


def read_search(cell, grid: tuple[float, ...], folder: Path, seed: int) -> LRSearch:
    """The search as recorded by its explored points, and the best rate on dev; an error names the
    points not explored yet (their cells run first)."""
    spec = cell.task.spec
    epochs = explore_epochs(spec)
    points = {lr: explored(point_path(folder, lr), cell.run.hash, cell.task.spec_hash, seed, epochs) for lr in grid}
    missing = [lr for lr, p in points.items() if p is None]
    if missing:
        raise SearchError(f"{cell.run.label} {spec.task}: learning rate(s) {missing} of the grid are not explored "
                          f"yet under this configuration (seed {seed}, {epochs} epochs); run the explore cells "
                          "first (`sure-bench run` does)")
    chosen = choose(list(points.values()), spec.metrics.higher_is_better, spec.task)
    console = cell.opts.console
    console.print(f"{cell.run.label} {spec.task}: learning rate {chosen:g} chosen on dev from {list(grid)}")
    if len(grid) > 2 and chosen in (grid[0], grid[-1]):
        console.print(f"[yellow]{cell.run.label} {spec.task}: the chosen rate is at the edge of the grid; a rate "
                      "beyond it may be better (extend it with --lr-grid or the task's budget.lr_grid)[/yellow]")
    return LRSearch(grid=list(grid), explore_fraction=spec.budget.explore_fraction, explore_seed=seed,
                    chosen=chosen, points=list(points.values()))


def _explore(cell, lr: float, seed: int, epochs: int, work: Path) -> LRPoint:
    label = f"{cell.run.label} {cell.task.spec.task} lr {lr:g}"
    try:
        outcome, _ = cell.train(seed, lr, work, label, epochs=epochs, score_test=False)
    except (FloatingPointError, RuntimeError) as e:  # e.g. CTC or a method's own check on non-finite values
        return LRPoint(lr=lr, status="failed", reason=f"{type(e).__name__}: {e}"[:300])
    dev = outcome.dev.get(cell.task.spec.metrics.primary)
    if outcome.diverged or dev is None or math.isnan(dev):
        return LRPoint(lr=lr, status="failed", reason=outcome.diverged or "no dev score",
                       steps=outcome.steps, wall_s=round(outcome.wall_s, 2))
    return LRPoint(lr=lr, status="ok", dev=dev, steps=outcome.steps, wall_s=round(outcome.wall_s, 2))
