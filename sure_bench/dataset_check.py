"""`data verify` end to end: a user's copy against the committed manifest and the tasks' published sizes."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from pathlib import Path

from sure_bench.data.catalog import dataset_info
from sure_bench.data.loaders import get_loader, select_split
from sure_bench.data.manifest import ManifestError, Utterance
from sure_bench.data.verify import VerifyReport, check_files, check_rows, read_committed_manifest
from sure_bench.tasks.registry import Task, all_tasks, default_tasks_dir


def load_release(name: str, data_root: Path) -> list[Utterance]:
    """Every utterance of dataset `name` with its loader's defaults; a loader that needs arguments is refused."""
    load = get_loader(name).load
    required = [p.name for p in inspect.signature(load).parameters.values()
                if p.default is inspect.Parameter.empty and p.name != "data_root"]
    if required:
        raise ValueError(f"dataset {name!r}: its loader needs {required} (it reads data a task describes), so there "
                         "is no single release to describe or verify; use a task YAML instead")
    return load(data_root)


def committed_manifest_path(name: str, tasks_dir: Path | None = None) -> Path:
    return (tasks_dir or default_tasks_dir()) / "manifests" / f"{name}.csv"


def tasks_using(name: str, tasks_dir: Path | None = None) -> list[Task]:
    return [t for t in all_tasks(tasks_dir).values() if t.spec.dataset.loader == name]


def _check_split_sizes(name: str, data_root: Path, tasks: list[Task], report: VerifyReport) -> list[Utterance]:
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


def verify_copy(name: str, data_root: Path, tasks_dir: Path | None = None, checksums: bool = False,
                progress: Callable[[Iterable], Iterable] = iter) -> VerifyReport:
    """Every problem with the copy of dataset `name` under `data_root`; never writes there."""
    info = dataset_info(name)
    if not info.folder:
        raise ValueError(f"{name!r} is a generic loader for your own data; there is no release to verify against")
    report = VerifyReport(dataset=name)
    tasks = tasks_using(name, tasks_dir)
    manifest = committed_manifest_path(name, tasks_dir)
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
