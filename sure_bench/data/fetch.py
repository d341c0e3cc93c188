"""Downloading a dataset whose license allows it: official address, progress bar, checksum, unpack.

Archives land in `<data-root>/downloads/` (kept, so a re-run only re-checks them) and unpack under
`<data-root>/<extract_to>`. A wrong checksum deletes the download and stops; nothing half-written is
left as if it were complete.
"""

from __future__ import annotations

import shutil
import socket
import tarfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from sure_bench.data.dataset_info import DatasetInfo, Download
from sure_bench.files import file_digest


class FetchError(RuntimeError):
    """A download could not be made or checked; the message names the address and what to do."""


def checksum_ok(path: Path, checksum: str) -> bool:
    algorithm, _, expected = checksum.partition(":")
    if algorithm not in ("sha256", "md5") or not expected:
        raise FetchError(f"checksum {checksum!r} must look like 'sha256:<hex>' or 'md5:<hex>'")
    return file_digest(path, algorithm) == expected.lower()


def _download(item: Download, dest: Path, timeout: float, show_progress: bool, homepage: str) -> None:
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(item.url, timeout=timeout) as response, open(part, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            columns = (TextColumn(dest.name), BarColumn(), DownloadColumn(), TransferSpeedColumn())
            with Progress(*columns, disable=not show_progress, transient=True) as bar:
                job = bar.add_task("download", total=total)
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    bar.advance(job, len(block))
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as e:
        part.unlink(missing_ok=True)
        reason = f"HTTP {e.code} {e.reason}" if isinstance(e, urllib.error.HTTPError) else getattr(e, "reason", None) or e
        raise FetchError(
            f"could not download {item.url}: {reason}. Check the network (or proxy settings), or download it "
            f"by hand{' from ' + homepage if homepage else ''} and place it at {dest}"
        ) from None
    if not checksum_ok(part, item.checksum):
        part.unlink()
        raise FetchError(f"{item.url}: checksum mismatch (expected {item.checksum}); the download was deleted. "
                         "Retry; if it persists the file on the server changed: report it to sure-bench")
    part.replace(dest)


def _unpack(archive: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    name = archive.name
    if name.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2")):
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")  # refuses absolute paths and links out of target
    elif name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            root = target.resolve()
            for member in z.namelist():
                if not (root / member).resolve().is_relative_to(root):
                    raise FetchError(f"{archive}: member {member!r} would unpack outside {target}; refusing")
            z.extractall(target)
    else:
        shutil.copy2(archive, target / name)


def fetch(info: DatasetInfo, data_root: Path, timeout: float = 60.0, show_progress: bool = True,
          only: list[str] | None = None) -> list[Path]:
    """Download (or re-use), check and unpack the archives of `info` (those whose file name contains one
    of `only`, when given); returns the archive paths."""
    if not info.fetchable:
        raise FetchError(
            f"{info.name} cannot be downloaded by the harness (license: {info.license}). {info.notes} "
            f"Get it from {info.homepage or 'its publisher'} and place it under {Path(data_root) / info.folder}"
        )
    items = [d for d in info.downloads if not only or any(o in d.filename for o in only)]
    if not items:
        raise FetchError(f"{info.name}: no archive matches {only}; its archives are "
                         f"{[d.filename for d in info.downloads]}")
    downloads = Path(data_root) / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    done = []
    for item in items:
        dest = downloads / item.filename
        marker = downloads / f".{item.filename}.unpacked"
        if not (dest.is_file() and checksum_ok(dest, item.checksum)):
            _download(item, dest, timeout, show_progress, info.homepage)
            marker.unlink(missing_ok=True)
        if not marker.is_file():
            _unpack(dest, Path(data_root) / item.extract_to)
            marker.write_text(item.checksum)
        done.append(dest)
    return done
