"""The frozen-feature cache on disk: one entry is a raw float32 array file and a JSON card beside it.

An entry's name is derived from everything that determines its content: what was computed (`kind`, `tag`),
the backbone's weights sha256, the task's spec hash, the split, its utterance ids in order and the crop.
The card is written last (atomically), and holds the array's shape and sha256 plus a small index (frame
offsets). An entry is trusted only if its card parses and the array's size and sha256 match it; anything
else (killed mid-write, truncated, edited) is removed and rebuilt. Arrays are read memory-mapped, never
whole into memory.

Layout: `<cache>/features/<kind>/<weights sha256[:16]>/<task>-<split>-<tag>-<key>.f32` (+ `.json`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sure_bench.files import file_digest, write_atomic, write_atomic_with

CARD_VERSION = 1
Write = Callable[[np.ndarray], None]


@dataclass(frozen=True)
class EntryKey:
    """What determines a cache entry's content."""

    kind: str  # what is stored: "pooled" (a vector per clip) or "frames" (frames per clip)
    backbone: str
    weights_sha256: str
    task: str
    spec_hash: str
    split: str
    ids: tuple[str, ...]
    max_samples: int | None  # the crop applied to every clip; None: whole clips
    tag: str  # what was computed from the states (raw, layer-normalised per frame, ...)

    def data_path(self, cache_dir: Path) -> Path:
        payload = json.dumps([self.kind, self.spec_hash, self.split, list(self.ids), self.max_samples, self.tag])
        key = hashlib.sha256(payload.encode()).hexdigest()[:16]
        return (Path(cache_dir) / "features" / self.kind / self.weights_sha256[:16]
                / f"{self.task}-{self.split}-{self.tag}-{key}.f32")


@dataclass
class Entry:
    """A verified cache entry: the array (memory-mapped) and its card's index fields."""

    array: np.ndarray
    index: dict


def _card_path(data: Path) -> Path:
    return data.with_suffix(".json")


def read_entry(data: Path) -> Entry | None:
    """The entry at `data` if its card and array agree; None (after removing both) otherwise."""
    card_path = _card_path(data)
    try:
        card = json.loads(card_path.read_text())
        shape = tuple(card["shape"])
        expected = int(np.prod(shape)) * 4
        ok = (card.get("version") == CARD_VERSION and data.stat().st_size == expected
              and file_digest(data) == card["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        remove_entry(data)
        return None
    return _open(data, shape, card.get("index", {}))


def _open(data: Path, shape: tuple[int, ...], index: dict) -> Entry:
    array = np.memmap(data, dtype=np.float32, mode="r", shape=shape) if np.prod(shape) else np.zeros(shape, np.float32)
    return Entry(array, index)


def build_entry(key: EntryKey, cache_dir: Path, build: Callable[[Write], dict]) -> Entry:
    """The cached entry for `key`, or else `build(write)` run to make it: `write` appends float32 rows
    (all of one trailing shape) and `build` returns the small index to keep in the card."""
    data = key.data_path(cache_dir)
    if data.is_file() and (entry := read_entry(data)) is not None:
        return entry
    digest, rows, trailing = hashlib.sha256(), [0], [None]
    index: dict = {}

    def write_data(tmp: Path) -> None:
        with tmp.open("wb") as f:
            def write(array: np.ndarray) -> None:
                array = np.ascontiguousarray(array, dtype=np.float32)
                if trailing[0] is None:
                    trailing[0] = array.shape[1:]
                elif array.shape[1:] != trailing[0]:
                    raise ValueError(f"cache entry {data.name}: rows of shape {array.shape[1:]} after {trailing[0]}")
                raw = array.tobytes()
                digest.update(raw)
                f.write(raw)
                rows[0] += len(array)

            index.update(build(write))
            f.flush()
            os.fsync(f.fileno())

    write_atomic_with(data, write_data)
    card = {"version": CARD_VERSION, "shape": [rows[0], *(trailing[0] or ())], "sha256": digest.hexdigest(),
            "kind": key.kind, "backbone": key.backbone, "weights_sha256": key.weights_sha256, "task": key.task,
            "spec_hash": key.spec_hash, "split": key.split, "utterances": len(key.ids),
            "max_samples": key.max_samples, "tag": key.tag, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "index": index}
    write_atomic(_card_path(data), json.dumps(card))
    return _open(data, tuple(card["shape"]), index)  # just hashed while writing: no second read


def remove_entry(data: Path) -> int:
    """Remove an entry's array and card; returns the bytes freed."""
    freed = 0
    for path in (data, _card_path(data)):
        if path.is_file():
            freed += path.stat().st_size
            path.unlink()
    return freed


@dataclass
class Listed:
    """One entry as `sure-bench cache list` shows it; `card` is None for a file without a valid card."""

    data: Path
    bytes: int
    card: dict | None


def list_entries(cache_dir: Path) -> Iterator[Listed]:
    """Every array file under the feature cache, with its card when it has a readable one (no hashing)."""
    root = Path(cache_dir) / "features"
    for data in sorted(root.rglob("*")) if root.is_dir() else []:
        if not data.is_file() or data.suffix == ".json":
            continue
        try:
            card = json.loads(_card_path(data).read_text())
        except (OSError, ValueError):
            card = None
        size = data.stat().st_size + (_card_path(data).stat().st_size if card is not None else 0)
        yield Listed(data, size, card)
