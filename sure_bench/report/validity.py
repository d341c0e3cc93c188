"""Can a board's tasks tell methods apart? Per task: the spread of method means against seed-to-seed noise,
whether the frozen reference probe already saturates the metric, and whether any two methods are separated."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sure_bench.report.leaderboard import Board

SATURATED = 0.98  # a probe mean at or above this (at or below 1 - this for error rates) saturates the task
MIN_RATIO = 2.0  # a best-minus-worst spread under this many median seed stds is flagged

SATURATES, TIED, NARROW = "probe saturates", "no two methods separated", f"spread < {MIN_RATIO:g} std"
COLUMNS = ["task", "methods", "spread", "median_std", "ratio", "probe", "flags"]
SENTENCE = ("Per task: methods ranked; spread = best − worst method mean; median seed std = median over "
            "methods with 2+ seeds of the seed-to-seed std (the deterministic probe left out); spread / std; the "
            f"probe's mean. Flags: {SATURATES} (mean ≥ {SATURATED:g}, ≤ {1 - SATURATED:g} for error rates), "
            f"{TIED} (every method shares rank 1), {NARROW}.")


def task_validity(board: Board, task: str) -> dict:
    """The validity figures of one task of a board (see `COLUMNS`); NaN where a figure is undefined."""
    rows = sorted(m for m, t in board.cells if t == task)
    cells = [board.cells[(m, task)] for m in rows]
    hib = board.higher_is_better.get(task, True)
    probe = board.probe.get(task)
    means = [c["mean"] for c in cells]
    spread = max(means) - min(means) if means else math.nan
    stds = [c["std"] for m, c in zip(rows, cells) if c["n"] >= 2 and m != probe]
    median_std = float(np.median(stds)) if stds else math.nan
    if median_std > 0:
        ratio = spread / median_std
    else:  # no noise estimate (NaN), or every seed agreed (0): infinite when the means differ at all
        ratio = math.inf if median_std == 0 and spread > 0 else math.nan
    probe_mean = board.cells[(probe, task)]["mean"] if probe is not None else math.nan
    flags = []
    metric = board.metric.get(task)
    saturated = metric.saturated(probe_mean, 1 - SATURATED) if metric is not None else (
        probe_mean >= SATURATED if hib else probe_mean <= 1 - SATURATED)
    if probe is not None and saturated:
        flags.append(SATURATES)
    if len(cells) >= 2 and all(c["rank"] == 1 for c in cells):
        flags.append(TIED)
    if ratio < MIN_RATIO:  # False for NaN
        flags.append(NARROW)
    return {"task": task, "methods": len(cells), "spread": spread, "median_std": median_std, "ratio": ratio,
            "probe": probe_mean, "flags": flags}


def validity(board: Board) -> pd.DataFrame:
    """A row per task of the board, in the board's task order."""
    return pd.DataFrame([task_validity(board, t) for t in board.tasks], columns=COLUMNS)


def _fmt(x: float, spec: str) -> str:
    if math.isnan(x):
        return "–"
    return "∞" if math.isinf(x) else format(x, spec)


def validity_table(board: Board) -> pd.DataFrame:
    """The display form of `validity`: fixed formats, so the committed leaderboard regenerates byte for byte."""
    v = validity(board)
    return pd.DataFrame({
        "task": v["task"], "methods": v["methods"].astype(str),
        "spread": [_fmt(x, ".3f") for x in v["spread"]],
        "median seed std": [_fmt(x, ".3f") for x in v["median_std"]],
        "spread / std": [_fmt(x, ".1f") for x in v["ratio"]],
        "probe": [_fmt(x, ".3f") for x in v["probe"]],
        "flags": [", ".join(f) if f else "–" for f in v["flags"]],
    })


def validity_markdown(board: Board) -> str:
    """`validity_table` as Markdown, the numbers kept as formatted (no re-parsing that drops trailing zeros)."""
    return validity_table(board).to_markdown(index=False, disable_numparse=True,
                                             colalign=("left", "right", "right", "right", "right", "right", "left"))
