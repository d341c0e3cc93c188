"""A ready manifest CSV (id, path, duration, label, speaker): the generic way to bring your own data."""

from __future__ import annotations

from pathlib import Path

from sure_bench.data.manifest import Utterance, read_manifest
from sure_bench.data.dataset_info import DatasetInfo

INFO = DatasetInfo(
    name="manifest",
    title="A ready manifest CSV",
    license="yours",
    homepage="",
    folder="",
    layout="<file>.csv with columns id,path,duration,label[,speaker,subset,start,stop]",
)


def load(data_root: Path, file: str = "manifest.csv") -> list[Utterance]:
    """Rows of `data_root/file`; relative audio paths resolve against the manifest's folder."""
    return read_manifest(Path(data_root) / file)
