"""The learning-rate search (SUPERB's explore phase): each grid point trained on a fraction of the
budget with one seed, the best on dev chosen; the seeds then train fully at it."""

from __future__ import annotations

import math

from sure_bench.results.schema import LRPoint
from sure_bench.tasks.spec import TaskSpec

# Half-decade log grids per LR family. Low-parameter methods (IA3, prefix) need rates 10-50x above
# LoRA's, so the default family's grid reaches 1e-2; full fine-tuning lives two decades lower.
DEFAULT_GRIDS: dict[str, tuple[float, ...]] = {
    "default": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2),
    "finetune": (1e-5, 3e-5, 1e-4, 3e-4),
}


class SearchError(RuntimeError):
    """No explored learning rate finished (every point diverged)."""


def grid_for(spec: TaskSpec, lr_family: str, override: tuple[float, ...] | None) -> tuple[float, ...]:
    """The rates to explore: --lr-grid, else the task's budget.lr_grid for the family, else the default."""
    if override:
        return tuple(sorted(set(override)))
    from_spec = getattr(spec.budget.lr_grid, lr_family, None) if spec.budget.lr_grid else None
    return tuple(from_spec) if from_spec else DEFAULT_GRIDS[lr_family]


def explore_epochs(spec: TaskSpec) -> int:
    """Epochs each explored point trains for: the spec's explore_fraction of the budget, at least one."""
    return max(1, round(spec.budget.epochs * spec.budget.explore_fraction))


def choose(points: list[LRPoint], higher_is_better: bool, task: str) -> float:
    """The rate with the best dev score; ties go to the smaller rate. Failed points never win."""
    ok = [p for p in points if p.status == "ok" and p.dev is not None and not math.isnan(p.dev)]
    if not ok:
        detail = "; ".join(f"lr {p.lr:g}: {p.reason or p.status}" for p in points)
        raise SearchError(f"{task}: every explored learning rate failed ({detail}); give another grid with "
                          "--lr-grid or in the task's budget.lr_grid")
    sign = 1 if higher_is_better else -1
    return max(sorted(ok, key=lambda p: p.lr), key=lambda p: sign * p.dev).lr


def lr_tag(lr: float) -> str:
    """A file-name-safe, exact spelling of a rate: 0.003 -> '0.003', 1e-05 -> '1e-05'."""
    return repr(float(lr))
