"""Dataset loaders: one small module per dataset, each with `load(data_root, **args) -> list[Utterance]`."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from sure_bench.data.manifest import ManifestError, Utterance, read_split_ids


def default_data_root() -> Path:
    """`$SURE_BENCH_DATA`, else `~/.cache/sure-bench/data`."""
    env = os.environ.get("SURE_BENCH_DATA")
    return Path(env) if env else Path.home() / ".cache" / "sure-bench" / "data"


def get_loader(name: str) -> ModuleType:
    """Import `sure_bench.data.loaders.<name>` lazily."""
    try:
        return importlib.import_module(f"sure_bench.data.loaders.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"sure_bench.data.loaders.{name}":
            raise
        here = Path(__file__).parent
        known = sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))
        raise ValueError(f"unknown dataset loader {name!r}; known loaders: {known}") from None


def select_split(rows: list[Utterance], split_file: Path) -> list[Utterance]:
    """The rows whose ids the committed split file lists, in the split file's order."""
    by_id = {r.id: r for r in rows}
    ids = read_split_ids(split_file)
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ManifestError(
            f"{split_file}: {len(missing)} of {len(ids)} utterance ids are not in the dataset copy "
            f"(e.g. {missing[:3]}); check --data-root points at a complete copy of the dataset"
        )
    return [by_id[i] for i in ids]
