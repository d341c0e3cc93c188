"""The facts a dataset loader states about its release (`INFO = DatasetInfo(...)` in each loader module);
a leaf module, so loaders and the catalog that reads them do not import each other."""

from __future__ import annotations

from dataclasses import dataclass, field


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
