"""The metric registry: each metric's function, direction and range in one place (lm-eval's
`register_metric`). Task YAMLs name metrics; the spec, the training loop, the progress bar and the report
read everything else from here."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MetricFn = Callable[[Sequence[Any], Sequence[Any]], float]


@dataclass(frozen=True)
class Metric:
    """`fn(references, predictions) -> float`; `upper` is None for an unbounded metric (dB, seconds)."""

    name: str
    fn: MetricFn
    higher_is_better: bool
    lower: float = 0.0
    upper: float | None = 1.0
    description: str = ""

    def normalised(self, mean: float, reference: float | None) -> float:
        """`mean` relative to a reference score (= 100, higher better): a ratio for higher-is-better
        metrics, of `upper - x` for bounded lower-is-better ones (error rates, EER), and the inverse
        ratio for unbounded lower-is-better ones (MCD in dB)."""
        if reference is None or math.isnan(reference):
            return math.nan
        if self.higher_is_better:
            return 100.0 * mean / reference if reference > 0 else math.nan
        if self.upper is not None:
            return 100.0 * (self.upper - mean) / (self.upper - reference) if reference < self.upper else math.nan
        return 100.0 * reference / mean if mean > 0 else math.nan

    def saturated(self, value: float, margin: float) -> bool:
        """Within `margin` of the best end of a bounded range (a probe there leaves nothing to compare)."""
        if self.upper is None:
            return False
        span = self.upper - self.lower
        return value >= self.upper - margin * span if self.higher_is_better else value <= self.lower + margin * span


METRICS: dict[str, Metric] = {}


def register(name: str, fn: MetricFn, higher_is_better: bool, lower: float = 0.0, upper: float | None = 1.0,
             description: str = "") -> Metric:
    if name in METRICS:
        raise ValueError(f"metric {name!r} is registered twice")
    METRICS[name] = Metric(name, fn, higher_is_better, lower, upper, description)
    return METRICS[name]


def get_metric(name: str) -> Metric:
    _load_builtin()
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; known: {sorted(METRICS)}")
    return METRICS[name]


def compute(names: Sequence[str], refs: Sequence[Any], hyps: Sequence[Any]) -> dict[str, float]:
    """Each named metric over references and predictions (strings, or scores for verification)."""
    _load_builtin()
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; known: {sorted(METRICS)}")
    return {n: METRICS[n].fn(refs, hyps) for n in names}


def _load_builtin() -> None:
    """Every module of this package registers its metrics on import (a new metric is one new module)."""
    import importlib
    import pkgutil

    import sure_bench.metrics as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
