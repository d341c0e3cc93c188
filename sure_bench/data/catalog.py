"""What the harness knows about each dataset: license, where to get it, the layout its loader expects.

Every loader module `sure_bench/data/loaders/<name>.py` defines `INFO = DatasetInfo(...)`; `sure-bench
tasks`, `data verify`, `data fetch` and docs/datasets.md read it from there.
"""

from __future__ import annotations

from types import ModuleType

from sure_bench.data.dataset_info import DatasetInfo, Download
from sure_bench.data.loaders import get_loader, loader_names

__all__ = ["DatasetInfo", "Download", "all_datasets", "dataset_info", "loader_names"]


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
