"""Aggregation: per backbone, one row per method, a column per task, normalised scores, ranks, Pareto."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

REFERENCE = "finetune"  # normalised scores are relative to full fine-tuning = 100
N_BOOTSTRAP = 1000


@dataclass
class Board:
    """One backbone's leaderboard."""

    backbone: str
    tasks: list[str]
    rows: pd.DataFrame  # index: method; numeric columns (see `summarise`)
    cells: dict[tuple[str, str], dict]  # (method, task) -> {"mean", "std", "n", "scores", "rank", "norm"}
    stale: pd.DataFrame


def split_stale(frame: pd.DataFrame, current: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep, per (backbone, task), the current spec hash (given, else the newest result's) and per
    (backbone, task, method) the newest config hash; everything else is stale, never mixed in."""
    if frame.empty:
        return frame, frame
    keep = pd.Series(True, index=frame.index)
    for (_backbone, task), g in frame.groupby(["backbone", "task"]):
        wanted = (current or {}).get(task) or g.sort_values("date").iloc[-1]["spec_hash"]
        keep[g.index] &= g["spec_hash"] == wanted
    fresh = frame[keep]
    for _, g in fresh.groupby(["backbone", "task", "method"]):
        newest = g.sort_values("date").iloc[-1]["config_hash"]
        keep[g.index[g["config_hash"] != newest]] = False
    return frame[keep], frame[~keep]


def bootstrap_ci(scores: list[float], n: int = N_BOOTSTRAP) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the mean over seeds (fixed generator: reproducible)."""
    rng = np.random.default_rng(0)
    arr = np.asarray(scores, dtype=float)
    means = rng.choice(arr, size=(n, len(arr)), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def rank_with_ties(cells: dict[str, dict], higher_is_better: bool) -> dict[str, int]:
    """Competition ranks by mean; with >= 3 seeds on both sides, a method whose 95 % bootstrap interval
    overlaps the interval of its rank group's leader shares that rank."""
    order = sorted(cells, key=lambda m: cells[m]["mean"], reverse=higher_is_better)
    ranks: dict[str, int] = {}
    leader = None
    for pos, m in enumerate(order, start=1):
        if leader is not None and cells[m]["n"] >= 3 and cells[leader]["n"] >= 3:
            lo_a, hi_a = bootstrap_ci(cells[leader]["scores"])
            lo_b, hi_b = bootstrap_ci(cells[m]["scores"])
            if lo_a <= hi_b and lo_b <= hi_a:
                ranks[m] = ranks[leader]
                continue
        ranks[m], leader = pos, m
    return ranks


def normalised(mean: float, ref: float | None, higher_is_better: bool) -> float:
    """Score relative to the reference (= 100); lower-is-better metrics are turned around as 1 - x."""
    if ref is None:
        return math.nan
    if not higher_is_better:
        mean, ref = 1.0 - mean, 1.0 - ref
    return 100.0 * mean / ref if ref > 0 else math.nan


def pareto(points: dict[str, tuple[float, float]]) -> set[str]:
    """Methods not dominated in (higher normalised score, lower trainable %)."""
    front = set()
    for m, (score, pct) in points.items():
        dominated = any(s >= score and p <= pct and (s > score or p < pct)
                        for o, (s, p) in points.items() if o != m)
        if not dominated:
            front.add(m)
    return front


def build_board(frame: pd.DataFrame, stale: pd.DataFrame, backbone: str) -> Board:
    own = frame[frame["backbone"] == backbone]
    tasks = sorted(own["task"].unique())
    cells: dict[tuple[str, str], dict] = {}
    for task in tasks:
        t = own[own["task"] == task]
        hib = bool(t["higher_is_better"].iloc[0])
        per_method = {}
        for method, g in t.groupby("method"):
            scores = [float(x) for x in g.sort_values("seed")["score"]]
            per_method[method] = {"mean": float(np.mean(scores)), "n": len(scores), "scores": scores,
                                  "std": float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0}
        ref = per_method.get(REFERENCE, {}).get("mean")
        for method, rank in rank_with_ties(per_method, hib).items():
            cell = per_method[method]
            cell["rank"] = rank
            cell["norm"] = normalised(cell["mean"], ref, hib)
            cells[(method, task)] = cell
    methods = sorted(own["method"].unique())
    rows = []
    for m in methods:
        have = [t for t in tasks if (m, t) in cells]
        complete = len(have) == len(tasks)
        pct = float(own[own["method"] == m]["percent"].mean())
        norm = float(np.mean([cells[(m, t)]["norm"] for t in tasks])) if complete else math.nan
        rank = float(np.mean([cells[(m, t)]["rank"] for t in tasks])) if complete else math.nan
        devices = ", ".join(sorted(set(own[own["method"] == m]["device"])))
        rows.append({"method": m, "complete": complete, "devices": devices, "missing": [t for t in tasks if t not in have],
                     "percent": pct, "norm": norm, "avg_rank": rank,
                     "per_percent": norm / pct if complete and pct > 0 else math.nan})
    table = pd.DataFrame(rows).set_index("method") if rows else pd.DataFrame()
    if not table.empty:
        points = {m: (r.norm, r.percent) for m, r in table.iterrows() if r.complete and not math.isnan(r.norm)}
        front = pareto(points)
        table["pareto"] = [m in front for m in table.index]
        table = table.sort_values(["complete", "avg_rank", "norm"], ascending=[False, True, False])
    return Board(backbone, tasks, table, cells, stale[stale["backbone"] == backbone])


def build_boards(frame: pd.DataFrame, current: dict[str, str] | None = None,
                 backbone: str | None = None) -> list[Board]:
    fresh, stale = split_stale(frame, current)
    backbones = sorted(fresh["backbone"].unique()) if not fresh.empty else []
    return [build_board(fresh, stale, b) for b in backbones if backbone in (None, b)]
