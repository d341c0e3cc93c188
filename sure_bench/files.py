"""Files on disk, the same way everywhere: atomic writes, digests and the cache folder."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path


def default_cache_dir() -> Path:
    """The cache root: `$SURE_BENCH_CACHE` (with `~` expanded), else `~/.cache/sure-bench`."""
    env = os.environ.get("SURE_BENCH_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "sure-bench"


def file_digest(path: Path, algorithm: str = "sha256", chunk: int = 1 << 22) -> str:
    """Hex digest of a file, read in chunks (never whole into memory)."""
    digest = hashlib.new(algorithm)
    with Path(path).open("rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def write_atomic_with(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp)` on a temporary path beside `path`, then rename it into place: a reader sees the
    old file or the whole new one, never a half-written one; a failed write leaves no temporary behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")  # umask's mode, unlike mkstemp
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes atomically, fsynced before the rename."""

    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())

    write_atomic_with(path, write)
