"""Aggregation: per backbone, one row per run label, a column per task, normalised scores, ranks, Pareto."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sure_bench.metrics.registry import Metric, get_metric

REFERENCE = "finetune"  # normalised scores are relative to full fine-tuning = 100
PROBE = "probe"  # the frozen reference probe (closed-form logistic regression on pooled frozen features)
N_BOOTSTRAP = 1000


@dataclass
class Board:
    """One backbone's leaderboard. A row is a run label (`method[@preset][+head]`), or `label (run <hash8>)`
    for each run hash when one label has results from several run configurations: those are never averaged."""

    backbone: str
    tasks: list[str]
    rows: pd.DataFrame  # index: row name ("method"); numeric columns (see `build_board`), label, run_hash
    cells: dict[tuple[str, str], dict]  # (row, task) -> {"mean", "std", "n", "scores", "rank", "norm", "below_probe"}
    stale: pd.DataFrame  # not ranked: older task specs, and results from before the protocol (run_hash None)
    higher_is_better: dict[str, bool] = field(default_factory=dict)  # task -> its primary metric's direction
    probe: dict[str, str] = field(default_factory=dict)  # task -> the reference probe's row, where there is one
    metric: dict[str, Metric] = field(default_factory=dict)  # task -> its primary metric (the registry's entry)


def has_run(frame: pd.DataFrame) -> pd.Series:
    """True for results with a run block; False for those written before the protocol (schema 1)."""
    return frame["run_hash"].notna() & (frame["run_hash"] != "")


def split_stale(frame: pd.DataFrame, current: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep, per (backbone, task), the current spec hash (given, else the newest run result's); results without
    a run block (fixed learning rate, earlier head) and results for other spec hashes are stale, never mixed
    in. Several run hashes under one label are not stale: `row_names` gives each its own row."""
    if frame.empty:
        return frame, frame
    keep = has_run(frame)
    for (_backbone, task), g in frame.groupby(["backbone", "task"]):
        runs = g[keep[g.index]]
        wanted = (current or {}).get(task)
        if not wanted and not runs.empty:
            wanted = runs.sort_values("date", kind="stable").iloc[-1]["spec_hash"]
        keep[g.index] &= g["spec_hash"] == wanted
    return frame[keep], frame[~keep]


def row_names(frame: pd.DataFrame) -> pd.Series:
    """The board row of each (fresh) result: its label, or `label (run <first 8 of hash>)` for every run hash
    when the (backbone, label) has results from more than one run hash, on any task."""
    names = frame["label"].copy()
    for _, g in frame.groupby(["backbone", "label"]):
        if g["run_hash"].nunique() > 1:
            names[g.index] = [f"{label} (run {h[:8]})" for label, h in zip(g["label"], g["run_hash"])]
    return names


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


VERIFIED, UNVERIFIED, STALE, MAINTAINED = "✓", "✗", "stale", "–"


def verified_mark(statuses: set[str]) -> str:
    """A row's mark from its results' submission statuses ("" for results outside submissions)."""
    found = statuses - {""}
    if not found:
        return MAINTAINED
    if found == {"verified"}:
        return VERIFIED
    return STALE if "stale" in found else UNVERIFIED


def metric_of(name: str, higher_is_better: bool) -> Metric:
    """The registry's metric; one it does not know (a results folder from a newer version) is taken as
    bounded in [0, 1], in the direction its result files record."""
    try:
        return get_metric(name)
    except ValueError:
        return Metric(name, lambda refs, hyps: math.nan, higher_is_better)


def normalised(mean: float, ref: float | None, metric: Metric) -> float:
    """Score relative to the reference (= 100), as the metric's registry entry says (error rates are
    turned around as 1 - x; unbounded lower-is-better metrics such as dB as ref / x)."""
    return metric.normalised(mean, ref)


def pareto(points: dict[str, tuple[float, float]]) -> set[str]:
    """Methods not dominated in (higher normalised score, lower trainable %)."""
    front = set()
    for m, (score, pct) in points.items():
        dominated = any(s >= score and p <= pct and (s > score or p < pct)
                        for o, (s, p) in points.items() if o != m)
        if not dominated:
            front.add(m)
    return front


def _cells(t: pd.DataFrame, hib: bool) -> dict[str, dict]:
    """Per row on one task: mean, std, n, seed scores, rank (ties by bootstrap overlap)."""
    per_row = {}
    for row, g in t.groupby("row"):
        scores = [float(x) for x in g.sort_values("seed", kind="stable")["score"]]
        per_row[row] = {"mean": float(np.mean(scores)), "n": len(scores), "scores": scores,
                        "std": float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0,
                        "lrs": sorted(set(float(x) for x in g["lr"].dropna())) if "lr" in g else [],
                        "grid": int(g["lr_grid"].fillna(0).max()) if "lr_grid" in g else 0,
                        "edge": "".join(sorted({x for x in g["lr_edge"] if isinstance(x, str)})) if "lr_edge" in g else ""}
    for row, rank in rank_with_ties(per_row, hib).items():
        per_row[row]["rank"] = rank
    return per_row


def _probe_row(t: pd.DataFrame) -> str | None:
    """The task's reference probe row: the one row whose method is `probe` (none when absent or ambiguous)."""
    rows = sorted(set(t.loc[t["method"].str.split("@").str[0] == PROBE, "row"]))
    return rows[0] if len(rows) == 1 else None


def below(mean: float, probe_mean: float, higher_is_better: bool) -> bool:
    """Whether a mean is strictly worse than the probe's."""
    return mean < probe_mean if higher_is_better else mean > probe_mean


ROW_COLUMNS = ["label", "run_hash", "complete", "devices", "missing", "percent", "norm", "avg_rank", "per_percent",
               "pareto"]


def build_board(frame: pd.DataFrame, stale: pd.DataFrame, backbone: str) -> Board:
    """One backbone's board from fresh results that carry a `row` column (see `row_names`). A backbone with
    only stale results gets a board without rows (its tasks: the stale ones), so they are still listed."""
    own = frame[frame["backbone"] == backbone]
    stale = stale[stale["backbone"] == backbone]
    if own.empty:
        empty = pd.DataFrame(columns=ROW_COLUMNS, index=pd.Index([], name="method"))
        return Board(backbone, sorted(stale["task"].unique()), empty, {}, stale)
    tasks = sorted(own["task"].unique())
    cells: dict[tuple[str, str], dict] = {}
    directions: dict[str, bool] = {}
    metrics: dict[str, Metric] = {}
    probes: dict[str, str] = {}
    for task in tasks:
        t = own[own["task"] == task]
        hib = directions[task] = bool(t["higher_is_better"].iloc[0])
        metric = metrics[task] = metric_of(str(t["metric"].iloc[0]), hib)
        per_row = _cells(t, hib)
        ref = per_row.get(REFERENCE, {}).get("mean")
        probe = _probe_row(t)
        if probe is not None:
            probes[task] = probe
        for row, cell in per_row.items():
            cell["norm"] = normalised(cell["mean"], ref, metric)
            cell["below_probe"] = below(cell["mean"], per_row[probe]["mean"], hib) if probe is not None else None
            cells[(row, task)] = cell
    rows = []
    for m in sorted(own["row"].unique()):
        mine = own[own["row"] == m]
        have = [t for t in tasks if (m, t) in cells]
        complete = len(have) == len(tasks)
        pct = float(mine["percent"].mean())
        norm = float(np.mean([cells[(m, t)]["norm"] for t in tasks])) if complete else math.nan
        rank = float(np.mean([cells[(m, t)]["rank"] for t in tasks])) if complete else math.nan
        rows.append({"method": m, "label": mine["label"].iloc[0], "run_hash": mine["run_hash"].iloc[0],
                     "verified": verified_mark(set(mine["verified"]) if "verified" in mine else set()),
                     "complete": complete, "devices": ", ".join(sorted(set(mine["device"]))),
                     "missing": [t for t in tasks if t not in have], "percent": pct, "norm": norm, "avg_rank": rank,
                     "per_percent": norm / pct if complete and pct > 0 else math.nan})
    table = pd.DataFrame(rows).set_index("method")
    points = {m: (r.norm, r.percent) for m, r in table.iterrows() if r.complete and not math.isnan(r.norm)}
    front = pareto(points)
    table["pareto"] = [m in front for m in table.index]
    table = table.sort_values(["complete", "avg_rank", "norm"], ascending=[False, True, False])
    return Board(backbone, tasks, table, cells, stale, directions, probes, metrics)


def build_boards(frame: pd.DataFrame, current: dict[str, str] | None = None,
                 backbone: str | None = None) -> list[Board]:
    """A board per backbone with results (ranked or stale): stale ones split off (`split_stale`), rows named
    by `row_names`."""
    fresh, stale = split_stale(frame, current)
    fresh = fresh.assign(row=row_names(fresh)) if not fresh.empty else fresh.assign(row=pd.Series(dtype=str))
    backbones = sorted(frame["backbone"].unique()) if not frame.empty else []
    return [build_board(fresh, stale, b) for b in backbones if backbone in (None, b)]
