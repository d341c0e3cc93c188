"""Checking a user's copy of a dataset against what was committed: files, counts, durations, checksums.

Read-only: files are opened for reading and nothing under the data root is written. Two sources of
truth: a committed manifest `tasks/manifests/<dataset>.csv` (id, path relative to the dataset folder,
duration, optional sha256), made with `sure-bench data manifest` from a known-good copy; and the
published split sizes in the task specs that use the dataset.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import soundfile as sf

from sure_bench.data.ffmpeg_audio import CONTAINER_SUFFIXES, read_with_ffmpeg
from sure_bench.data.manifest import ManifestError, Utterance, write_csv
from sure_bench.files import file_digest

DURATION_TOLERANCE = 0.01
MANIFEST_COLUMNS = ("id", "path", "duration", "sha256")


@dataclass(frozen=True)
class Expected:
    """One committed file: where it sits under the dataset folder, its duration and (optionally) checksum."""

    id: str
    path: str
    duration: float
    sha256: str = ""


@dataclass
class VerifyReport:
    dataset: str
    checked: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file or split, what is wrong)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audio_seconds(path: Path) -> float:
    """Decode the whole file (so corrupt data, not just a bad header, is caught) and return its length."""
    if Path(path).suffix.lower() in CONTAINER_SUFFIXES:  # video containers: ffmpeg decodes the audio track
        wave, rate = read_with_ffmpeg(path)
        if len(wave) == 0:
            raise RuntimeError("empty audio (0 samples)")
        return len(wave) / rate
    with sf.SoundFile(str(path)) as f:
        frames = 0
        for block in f.blocks(blocksize=1 << 16):
            frames += len(block)
        if frames == 0:
            raise RuntimeError("empty audio (0 samples)")
        return frames / f.samplerate


def read_committed_manifest(path: Path) -> list[Expected]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("id", "path", "duration") if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{path}: missing column(s) {missing}; expected {list(MANIFEST_COLUMNS)}")
        out = []
        for n, rec in enumerate(reader, start=2):
            try:
                out.append(Expected(rec["id"], rec["path"], float(rec["duration"]), rec.get("sha256") or ""))
            except ValueError:
                raise ManifestError(f"{path}:{n}: duration {rec['duration']!r} is not a number") from None
    return out


def write_committed_manifest(rows: list[Utterance], dataset_dir: Path, out: Path, checksums: bool,
                             progress: Callable[[Iterable], Iterable] = iter) -> int:
    """Describe a known-good copy: every distinct file once, path relative to `dataset_dir`."""
    seen: dict[str, Expected] = {}
    for row in progress(rows):
        p = Path(row.path)
        rel = p.resolve().relative_to(dataset_dir.resolve()).as_posix()
        if rel in seen or row.start or row.stop:
            continue
        seen[rel] = Expected(row.id, rel, audio_seconds(p), file_digest(p) if checksums else "")
    write_csv(out, MANIFEST_COLUMNS if checksums else MANIFEST_COLUMNS[:3],
              ([e.id, e.path, f"{e.duration:.4f}", *([e.sha256] if checksums else [])]
               for e in sorted(seen.values(), key=lambda e: e.path)))
    return len(seen)


def _seconds_or_problem(path: Path, report: VerifyReport) -> float | None:
    """The decoded length of a file, or None after recording why it is missing or unreadable."""
    report.checked += 1
    if not path.is_file():
        report.problems.append((str(path), "missing"))
        return None
    try:
        return audio_seconds(path)
    except FileNotFoundError:
        raise  # a missing tool (ffmpeg), not a bad file
    except Exception as err:  # soundfile raises several types for corrupt data
        report.problems.append((str(path), f"unreadable audio ({err})"))
        return None


def _off(seconds: float, expected: float) -> bool:
    return expected > 0 and abs(seconds - expected) > DURATION_TOLERANCE * expected


def check_files(expected: list[Expected], dataset_dir: Path, report: VerifyReport, checksums: bool,
                progress: Callable[[Iterable], Iterable] = iter) -> None:
    """Every committed file present, decodable, within 1 % of its duration and (optionally) its checksum."""
    for e in progress(expected):
        path = dataset_dir / e.path
        seconds = _seconds_or_problem(path, report)
        if seconds is None:
            continue
        if _off(seconds, e.duration):
            report.problems.append((str(path), f"duration {seconds:.3f} s, expected {e.duration:.3f} s (±1 %)"))
        if checksums and e.sha256 and file_digest(path) != e.sha256:
            report.problems.append((str(path), "sha256 differs from the committed manifest"))


def check_rows(rows: list[Utterance], report: VerifyReport, progress: Callable[[Iterable], Iterable] = iter) -> None:
    """Without a committed manifest: every file the loader found decodes, at the duration its metadata says."""
    done: set[str] = set()
    for row in progress(rows):
        if row.path in done:
            continue
        done.add(row.path)
        path = Path(row.path)
        seconds = _seconds_or_problem(path, report)
        if seconds is None:
            continue
        from_header = path.suffix.lower() not in CONTAINER_SUFFIXES  # container durations come from cut lists
        if from_header and not (row.start or row.stop) and _off(seconds, row.duration):
            report.problems.append((str(path), f"duration {seconds:.3f} s, the release's metadata says "
                                               f"{row.duration:.3f} s (±1 %)"))
