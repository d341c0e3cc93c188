"""The one manifest format every loader produces: id, path, duration, label, speaker.

`label` holds the class name, the transcript (ASR) or the slots joined by `|` (intent).
`subset` is the release's own grouping (an official split, a session, a list the utterance is on);
split selectors in task specs pick utterances by it. `start`/`stop` (seconds) cut a segment out of a
longer file (stop 0 = to the end). Manifests are CSV files; paths are absolute or relative to the
manifest's folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sure_bench.files import write_atomic

COLUMNS = ("id", "path", "duration", "label", "speaker", "subset", "start", "stop")


class ManifestError(ValueError):
    """A manifest or split file is malformed; the message names the file and the row."""


@dataclass(frozen=True)
class Utterance:
    id: str
    path: str
    duration: float
    label: str
    speaker: str = ""
    subset: str = ""
    start: float = 0.0
    stop: float = 0.0


def write_manifest(rows: list[Utterance], path: Path) -> None:
    """Write rows as CSV (atomically: a temp file renamed into place)."""
    write_csv(path, COLUMNS, ([row.id, row.path, f"{row.duration:.4f}", row.label, row.speaker, row.subset,
                               f"{row.start:g}" if row.start else "", f"{row.stop:g}" if row.stop else ""]
                              for row in rows), lineterminator="\r\n")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], lineterminator: str = "\n") -> None:
    """Write a CSV file (UTF-8) atomically: a reader sees the old file or the whole new one."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, out.getvalue())


def read_manifest(path: Path) -> list[Utterance]:
    """Read a manifest CSV; relative audio paths are resolved against the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: manifest file not found")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("id", "path", "label") if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{path}: missing column(s) {missing}; expected columns {list(COLUMNS)}")
        rows = []
        for n, rec in enumerate(reader, start=2):
            numbers = {}
            for col in ("duration", "start", "stop"):
                try:
                    numbers[col] = float(rec.get(col) or 0.0)
                except ValueError:
                    raise ManifestError(f"{path}:{n}: {col} {rec.get(col)!r} is not a number") from None
            audio = Path(rec["path"])
            if not audio.is_absolute():
                audio = path.parent / audio
            rows.append(Utterance(rec["id"], str(audio), numbers["duration"], rec["label"], rec.get("speaker") or "",
                                  rec.get("subset") or "", numbers["start"], numbers["stop"]))
    return rows


def read_split_ids(path: Path) -> list[str]:
    """A committed split file: a CSV whose `id` column lists the utterances (other columns are for reading)."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"{path}: split file not found")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if "id" not in (reader.fieldnames or []):
            raise ManifestError(f"{path}: split file needs an 'id' column (found {reader.fieldnames})")
        ids = [rec["id"] for rec in reader]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ManifestError(f"{path}: duplicate ids in split file, e.g. {dup}")
    return ids


def write_split(rows: list[Utterance], path: Path) -> None:
    """Write a committed split file (atomically): id, label, speaker (no machine-specific paths)."""
    write_csv(path, ["id", "label", "speaker"], ([row.id, row.label, row.speaker] for row in rows))


def manifest_hash(rows: list[Utterance]) -> str:
    """Content hash of a manifest: ids, labels and audio file identities (path, size, mtime)."""
    h = hashlib.sha256()
    for row in rows:
        p = Path(row.path)
        st = p.stat() if p.exists() else None
        ident = f"{st.st_size}:{int(st.st_mtime)}" if st else "missing"
        segment = f"\t{row.start}:{row.stop}" if row.start or row.stop else ""
        h.update(f"{row.id}\t{row.path}\t{ident}\t{row.label}\t{row.speaker}{segment}\n".encode())
    return h.hexdigest()[:16]
