"""Read every result file under a folder; malformed ones are reported by path and skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sure_bench.results.schema import Result
from sure_bench.results.store import ResultError, read_result


@dataclass
class Collected:
    frame: pd.DataFrame  # one row per result file
    results: list[Result]
    malformed: list[str] = field(default_factory=list)


def method_label(name: str, preset: str) -> str:
    return name if preset == "default" else f"{name}@{preset}"


def _result_files(roots: list[Path]) -> list[Path]:
    files = []
    for root in roots:
        files += [p for p in sorted(Path(root).rglob("seed*.json"))
                  if not any(part.startswith(".") for part in p.relative_to(root).parts)]  # skip .work/
    return files


def collect(roots: Path | list[Path]) -> Collected:
    """Every `seed*.json` below the folders (hidden work folders excluded), validated against the schema."""
    rows, results, malformed = [], [], []
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
        rows.append({
            "path": str(path), "backbone": r.backbone.name, "task": r.task.name, "spec_hash": r.task.spec_hash,
            "method": method_label(r.method.name, r.method.preset), "config_hash": r.method.config_hash,
            "seed": r.seed, "metric": r.scores.primary, "higher_is_better": r.scores.higher_is_better,
            "score": r.scores.test[r.scores.primary], "percent": r.params.percent,
            "trainable": r.params.method_added + r.params.method_unfrozen, "date": r.provenance.date,
            "dataset": r.task.dataset, "sizes": r.data.sizes, "device": r.provenance.device,
        })
    columns = ["path", "backbone", "task", "spec_hash", "method", "config_hash", "seed", "metric",
               "higher_is_better", "score", "percent", "trainable", "date", "dataset", "sizes", "device"]
    return Collected(pd.DataFrame(rows, columns=columns), results, malformed)
