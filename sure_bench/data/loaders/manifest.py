"""A ready manifest CSV (id, path, duration, label, speaker): the generic way to bring your own data."""

from __future__ import annotations

from pathlib import Path

from sure_bench.data.manifest import Utterance, read_manifest


def load(data_root: Path, file: str = "manifest.csv") -> list[Utterance]:
    """Rows of `data_root/file`; relative audio paths resolve against the manifest's folder."""
    return read_manifest(Path(data_root) / file)
