"""Read every result file under a folder; malformed ones are reported by path and skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sure_bench.results.schema import Result
from sure_bench.results.store import ResultError, method_label, read_result
from sure_bench.results.verification import status, submission_folder


@dataclass
class Collected:
    frame: pd.DataFrame  # one row per result file (columns: COLUMNS)
    results: list[Result]
    malformed: list[str] = field(default_factory=list)


COLUMNS = ["path", "backbone", "task", "spec_hash", "method", "label", "run_hash", "config_hash", "seed", "metric",
           "higher_is_better", "score", "lr", "lr_grid", "lr_edge", "percent", "trainable", "date", "dataset", "sizes",
           "device", "verified", "scores", "anchors"]


def _verified(path: Path, known: dict[Path, str]) -> str:
    """The verification status of the submission a result belongs to ("" outside a submission)."""
    folder = submission_folder(path)
    if folder is None:
        return ""
    if folder not in known:
        known[folder] = status(folder)
    return known[folder]


def _row(path: Path, r: Result) -> dict:
    """One frame row. `label` is the report row name (the run's, else method[@preset]); `run_hash` is None for
    results written before run configurations (schema 1); only results of one run hash are ever averaged."""
    method = method_label(r.method.name, r.method.preset)
    return {
        "path": str(path), "backbone": r.backbone.name, "task": r.task.name, "spec_hash": r.task.spec_hash,
        "method": method, "label": r.run.label if r.run else method, "run_hash": r.run.hash if r.run else None,
        "config_hash": r.method.config_hash,
        "seed": r.seed, "metric": r.scores.primary, "higher_is_better": r.scores.higher_is_better,
        "score": r.scores.test[r.scores.primary], "lr": r.train.lr,
        "lr_grid": len(r.run.lr_search.grid) if r.run and r.run.lr_search else (1 if r.train.lr else 0),
        "lr_edge": _edge(r),
        "percent": r.params.percent,
        "trainable": r.params.method_added + r.params.method_unfrozen, "date": r.provenance.date,
        "dataset": r.task.dataset, "sizes": r.data.sizes, "device": r.provenance.device,
        "scores": dict(r.scores.test), "anchors": r.scores.anchors,
    }


def _edge(r: Result) -> str:
    """"↑" / "↓" when the search chose its grid's highest / lowest rate (a wider grid might choose another)."""
    search = r.run.lr_search if r.run else None
    if not search or len(search.grid) < 2:
        return ""
    return "↑" if search.chosen == max(search.grid) else "↓" if search.chosen == min(search.grid) else ""


def _result_files(roots: list[Path]) -> list[Path]:
    files = []
    for root in roots:
        files += [p for p in sorted(Path(root).rglob("seed*.json"))
                  if not any(part.startswith(".") for part in p.relative_to(root).parts)]  # skip .work/
    return files


def collect(roots: Path | list[Path]) -> Collected:
    """Every `seed*.json` below the folders (hidden work folders excluded), validated against the schema."""
    rows, results, malformed = [], [], []
    known: dict[Path, str] = {}
    for path in _result_files([roots] if isinstance(roots, Path) else roots):
        try:
            r = read_result(path)
        except ResultError as e:
            malformed.append(str(e))
            continue
        if r.scores.primary not in r.scores.test:
            malformed.append(f"{path}: primary metric {r.scores.primary!r} missing from test scores")
            continue
        results.append(r)
        rows.append({**_row(path, r), "verified": _verified(path, known)})
    return Collected(pd.DataFrame(rows, columns=COLUMNS), results, malformed)
