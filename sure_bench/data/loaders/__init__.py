"""Dataset loaders: one small module per dataset, each with `load(data_root, **args) -> list[Utterance]`."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
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
        raise ValueError(f"unknown dataset loader {name!r}; known loaders: {loader_names()}") from None


def loader_names() -> list[str]:
    """Names of every loader module (one per dataset, plus the generic ones)."""
    return sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def select_split(rows: list[Utterance], split: Path | Mapping, where: str = "") -> list[Utterance]:
    """The rows a split file lists (in its order), or the rows a selector rule picks (in loader order).

    A rule is a mapping with any of `subset`, `speakers`, `exclude_speakers` (lists) and `size` (the
    published count, checked).
    """
    if isinstance(split, Mapping):
        return _select_by_rule(rows, split, where)
    split_file = split
    by_id = {r.id: r for r in rows}
    ids = read_split_ids(split_file)
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ManifestError(
            f"{split_file}: {len(missing)} of {len(ids)} utterance ids are not in the dataset copy "
            f"(e.g. {missing[:3]}); check --data-root points at a complete copy of the dataset"
        )
    return [by_id[i] for i in ids]


def _select_by_rule(rows: list[Utterance], rule: Mapping, where: str) -> list[Utterance]:
    subsets = set(rule.get("subset") or [])
    speakers = set(rule.get("speakers") or [])
    excluded = set(rule.get("exclude_speakers") or [])
    size = rule.get("size")
    chosen = [r for r in rows if (not subsets or r.subset in subsets) and (not speakers or r.speaker in speakers)
              and r.speaker not in excluded]
    if size is not None and len(chosen) != size:
        found = sorted({r.subset for r in rows})
        raise ManifestError(
            f"{where or 'split'}: the dataset copy has {len(chosen)} utterances for {_describe(rule)}, the release "
            f"has {size} (subsets found: {found[:12]}); the copy is incomplete or not the published "
            "release: run `sure-bench data verify` to list what is missing"
        )
    if not chosen:
        raise ManifestError(f"{where or 'split'}: no utterances match {_describe(rule)}; check --data-root")
    return chosen


def _describe(rule: Mapping) -> str:
    parts = [f"{k} {list(v)}" for k, v in rule.items() if k != "size" and v]
    return ", ".join(parts)
