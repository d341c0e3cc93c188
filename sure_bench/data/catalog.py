"""What the harness knows about each dataset: license, where to get it, the layout its loader expects.

Every loader module `sure_bench/data/loaders/<name>.py` defines `INFO = DatasetInfo(...)`; `sure-bench
tasks`, `data verify`, `data fetch` and docs/datasets.md read it from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from sure_bench.data.loaders import get_loader


@dataclass(frozen=True)
class Download:
    """One archive of a release: its official address and checksum (`sha256:<hex>` or `md5:<hex>`).

    `extract_to` is the folder under the data root the archive unpacks into (its own top folder
    included); `dest` renames a plain (non-archive) file.
    """

    url: str
    checksum: str
    extract_to: str = ""
    dest: str = ""

    @property
    def filename(self) -> str:
        return self.dest or self.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about one release; `downloads` is empty where its license needs a form or agreement."""

    name: str
    title: str
    license: str
    homepage: str
    layout: str
    folder: str
    downloads: tuple[Download, ...] = ()
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def fetchable(self) -> bool:
        return bool(self.downloads)


def loader_names() -> list[str]:
    """Names of every loader module (one per dataset, plus the generic ones)."""
    here = Path(__file__).parent / "loaders"
    return sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))


def dataset_info(name: str) -> DatasetInfo:
    """The INFO of loader `name`; an unknown name lists the known ones."""
    module: ModuleType = get_loader(name)
    info = getattr(module, "INFO", None)
    if not isinstance(info, DatasetInfo):
        raise ValueError(f"loader {name!r} ({module.__file__}) has no INFO = DatasetInfo(...); every dataset "
                         "loader must describe its release")
    return info


def all_datasets() -> dict[str, DatasetInfo]:
    return {name: dataset_info(name) for name in loader_names()}
