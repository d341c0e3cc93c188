"""Checking a user's copy of a dataset against what was committed: files, counts, durations, checksums.

Read-only: files are opened for reading and nothing under the data root is written. Two sources of
truth: a committed manifest `tasks/manifests/<dataset>.csv` (id, path relative to the dataset folder,
duration, optional sha256), made with `sure-bench data manifest` from a known-good copy; and the
published split sizes in the task specs that use the dataset. The caller (the `data` CLI) finds those
tasks and the committed manifest's path: this module reads no task files.
"""

from __future__ import annotations

import csv
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import soundfile as sf

from sure_bench.data.catalog import dataset_info
from sure_bench.data.ffmpeg_audio import CONTAINER_SUFFIXES, read_with_ffmpeg
from sure_bench.data.loaders import get_loader, select_split
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


class TaskOnData(Protocol):
    """What verifying needs of a task (`tasks.registry.Task`): its name, loader arguments and splits."""

    name: str
    spec: Any  # .dataset.loader, .dataset.args

    def split_selection(self, split: str) -> Path | Mapping: ...


def load_release(name: str, data_root: Path) -> list[Utterance]:
    """Every utterance of dataset `name` with its loader's defaults; a loader that needs arguments is refused."""
    load = get_loader(name).load
    required = [p.name for p in inspect.signature(load).parameters.values()
                if p.default is inspect.Parameter.empty and p.name != "data_root"]
    if required:
        raise ValueError(f"dataset {name!r}: its loader needs {required} (it reads data a task describes), so there "
                         "is no single release to describe or verify; use a task YAML instead")
    return load(data_root)


def _check_split_sizes(name: str, data_root: Path, tasks: Sequence[TaskOnData],
                       report: VerifyReport) -> list[Utterance]:
    """Published split sizes of every task on this dataset; returns every row the tasks' loader calls gave."""
    loader = get_loader(name)
    by_args: dict[tuple, list[Utterance]] = {}
    for task in tasks:
        key = tuple(sorted(task.spec.dataset.args.items()))
        if key not in by_args:
            try:
                by_args[key] = loader.load(data_root, **task.spec.dataset.args)
            except (FileNotFoundError, ManifestError) as e:  # e.g. only one of two releases is here
                report.problems.append((f"{task.name} (loader args {dict(key)})", str(e)))
                by_args[key] = []
                continue
        rows = by_args[key]
        if not rows:
            continue
        for split in ("train", "dev", "test"):
            try:
                select_split(rows, task.split_selection(split))
            except ManifestError as e:
                report.problems.append((f"{task.name} {split}", str(e).removeprefix("split: ")))
    return [row for rows in by_args.values() for row in rows]


def verify_copy(name: str, data_root: Path, tasks: Sequence[TaskOnData], manifest: Path, checksums: bool = False,
                progress: Callable[[Iterable], Iterable] = iter) -> VerifyReport:
    """Every problem with the copy of dataset `name` under `data_root`, against the committed `manifest` (if
    that file exists) and the split sizes of `tasks` (the tasks on this dataset); never writes there."""
    info = dataset_info(name)
    if not info.folder:
        raise ValueError(f"{name!r} is a generic loader for your own data; there is no release to verify against")
    report = VerifyReport(dataset=name)
    rows = _check_split_sizes(name, data_root, tasks, report) if tasks else load_release(name, data_root)
    if manifest.is_file():
        expected = read_committed_manifest(manifest)
        check_files(expected, Path(data_root) / info.folder, report, checksums, progress)
        report.notes.append(f"checked {len(expected)} files against {manifest}")
        if checksums and not any(e.sha256 for e in expected):
            report.notes.append(f"{manifest} has no sha256 column: checksums were not checked")
    else:
        check_rows(rows, report, progress)
        report.notes.append(f"no committed manifest ({manifest}): checked the {report.checked} files the loader "
                            "found and the published split sizes")
    if not tasks:
        report.notes.append("no task uses this dataset: no split sizes to check")
    return report
