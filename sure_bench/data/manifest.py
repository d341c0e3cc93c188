"""The one manifest format every loader produces: id, path, duration, label, speaker.

`label` holds the class name, the transcript (ASR) or the slots joined by `|` (intent).
Manifests are CSV files; paths are absolute or relative to the manifest's folder.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

COLUMNS = ("id", "path", "duration", "label", "speaker")


class ManifestError(ValueError):
    """A manifest or split file is malformed; the message names the file and the row."""


@dataclass(frozen=True)
class Utterance:
    id: str
    path: str
    duration: float
    label: str
    speaker: str = ""


def write_manifest(rows: list[Utterance], path: Path) -> None:
    """Write rows as CSV (atomically: a temp file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            d = asdict(row)
            d["duration"] = f"{row.duration:.4f}"
            writer.writerow(d)
    tmp.replace(path)


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
            try:
                duration = float(rec.get("duration") or 0.0)
            except ValueError:
                raise ManifestError(f"{path}:{n}: duration {rec.get('duration')!r} is not a number") from None
            audio = Path(rec["path"])
            if not audio.is_absolute():
                audio = path.parent / audio
            rows.append(Utterance(rec["id"], str(audio), duration, rec["label"], rec.get("speaker") or ""))
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
    """Write a committed split file: id, label, speaker (no machine-specific paths)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "label", "speaker"])
        for row in rows:
            writer.writerow([row.id, row.label, row.speaker])


def manifest_hash(rows: list[Utterance]) -> str:
    """Content hash of a manifest: ids, labels and audio file identities (path, size, mtime)."""
    h = hashlib.sha256()
    for row in rows:
        p = Path(row.path)
        st = p.stat() if p.exists() else None
        ident = f"{st.st_size}:{int(st.st_mtime)}" if st else "missing"
        h.update(f"{row.id}\t{row.path}\t{ident}\t{row.label}\t{row.speaker}\n".encode())
    return h.hexdigest()[:16]
