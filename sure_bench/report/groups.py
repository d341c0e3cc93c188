"""Task groups a suite reports as one column: the folds of a cross-validated task, averaged per seed."""

from __future__ import annotations

import hashlib

import pandas as pd

from sure_bench.report.leaderboard import split_stale


def average_groups(frame: pd.DataFrame, groups: dict[str, list[str]],
                   current: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Replace each group's member rows by one row per (backbone, run, seed) with the mean score; returns
    the frame and the current spec hashes with each group's combined hash added.

    Only fresh results count (stale ones stay as they are, to be listed as stale), and only seeds that have
    every member: a seed missing a fold gives no group score.
    """
    current = dict(current)
    members = {t for ts in groups.values() for t in ts}
    fresh, _ = split_stale(frame, current)
    rows = [frame[~frame["task"].isin(members) | ~frame.index.isin(fresh.index)]]
    for group, tasks in groups.items():
        sub = fresh[fresh["task"].isin(tasks)]
        combined = hashlib.sha256("".join(current.get(t, "") for t in tasks).encode()).hexdigest()[:16]
        averaged = []
        for _, g in sub.groupby(["backbone", "label", "run_hash", "seed"]):  # fresh rows all have a run
            if set(g["task"]) != set(tasks):
                continue
            row = g.sort_values("task").iloc[0].copy()
            row["task"], row["score"], row["spec_hash"] = group, float(g["score"].mean()), combined
            row["sizes"] = {s: sum(sz.get(s, 0) for sz in g["sizes"]) for s in ("train", "dev", "test")}
            row["dataset"] = f"{row['dataset']} (mean of {len(tasks)} folds)"
            averaged.append(row)
        if averaged:
            rows.append(pd.DataFrame(averaged))
        current[group] = combined
    return (pd.concat(rows, ignore_index=True) if len(rows) > 1 else rows[0]), current
