"""Finding, loading (with `include:`), hashing and listing task specs and suites."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sure_bench.results.store import validation_problems
from sure_bench.tasks.spec import SPEC_TYPES, TASK_SPEC, Selector, TaskSpec


class SpecError(ValueError):
    """A task spec or suite file is invalid; the message names the file, the field and the reason."""


def default_tasks_dir() -> Path:
    """`$SURE_BENCH_TASKS`, else the `tasks/` folder of this checkout."""
    env = os.environ.get("SURE_BENCH_TASKS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "tasks"


@dataclass(frozen=True)
class Task:
    """A validated spec plus where it came from; paths in the spec resolve against `root`."""

    spec: TaskSpec
    file: Path
    root: Path

    @property
    def name(self) -> str:
        return self.spec.task

    def path(self, rel: str) -> Path:
        p = Path(rel)
        return p if p.is_absolute() else self.root / p

    def split_rule(self, split: str) -> Path | Selector:
        """The committed split file of `split` (train, dev, test), or its selector rule."""
        rule = getattr(self.spec.splits, split)
        return rule if isinstance(rule, Selector) else self.path(rule)

    def split_selection(self, split: str, check_size: bool = True) -> Path | dict[str, Any]:
        """What `select_split` takes: the split file, or the selector rule as a mapping (without its
        published `size` when `check_size` is off, e.g. on a small fake copy of a release)."""
        rule = self.split_rule(split)
        if isinstance(rule, Path):
            return rule
        return rule.model_dump(exclude_none=True, exclude=None if check_size else {"size"})

    def split_file(self, split: str) -> Path:
        rule = self.split_rule(split)
        if isinstance(rule, Selector):
            raise SpecError(f"{self.file}: split {split!r} is a selector rule, not a committed split file")
        return rule

    @cached_property
    def spec_hash(self) -> str:
        """sha256 over the spec's content, its split files and its vocabulary file."""
        h = hashlib.sha256(json.dumps(_hashed_fields(self.spec), sort_keys=True).encode())
        files = [r for r in map(self.split_rule, ("train", "dev", "test")) if isinstance(r, Path)]
        files += [self.path(f) for f in self.spec.committed_files()]
        for f in files:
            if not f.is_file():
                raise SpecError(f"{self.file}: file {f} named by the spec does not exist")
            h.update(f.name.encode())
            h.update(f.read_bytes())
        return h.hexdigest()[:16]

    def split_sizes(self) -> dict[str, int | None]:
        """Utterances per split: lines of the split file, or the selector's published size (None if unknown)."""
        out: dict[str, int | None] = {}
        for s in ("train", "dev", "test"):
            rule = self.split_rule(s)
            if isinstance(rule, Selector):
                out[s] = rule.size
            else:
                out[s] = sum(1 for _ in rule.open(encoding="utf-8")) - 1 if rule.is_file() else 0
        return out


# Fields added after results were published: left out of the hash while at their default, so adding
# them did not make existing results stale.
_LATER_DEFAULTS = {("labels_file",): None, ("lexicon",): None, ("units",): "characters",
                   ("budget", "balanced_classes"): False, ("budget", "lr_grid"): None,
                   ("budget", "explore_fraction"): 0.25}
# Fields every spec had while the schema was one flat model for all kinds: a spec whose kind lacks them
# hashes them at their null, so splitting the schema per kind left every spec hash as it was.
_FLAT_SCHEMA_NULLS = {"labels": None, "slots": None, "vocab": None}


def _hashed_fields(spec: TaskSpec) -> dict[str, Any]:
    dump = {**_FLAT_SCHEMA_NULLS, **spec.model_dump(mode="json")}
    for (*parents, key), default in _LATER_DEFAULTS.items():
        holder = dump
        for parent in parents:
            holder = holder[parent]
        if key in holder and holder[key] == default:
            holder.pop(key)
    return dump


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except yaml.YAMLError as e:
        raise SpecError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _resolve_includes(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path in seen:
        raise SpecError(f"{path}: include cycle: {' -> '.join(str(p) for p in (*seen, path))}")
    data = _read_yaml(path)
    inc = data.pop("include", None)
    if inc is None:
        return data
    includes = inc if isinstance(inc, list) else [inc]
    merged: dict[str, Any] = {}
    for rel in includes:
        merged = _deep_merge(merged, _resolve_includes((path.parent / rel).resolve(), (*seen, path)))
    return _deep_merge(merged, data)


def load_task_file(path: Path) -> Task:
    """Load and validate one task YAML, following `include:` (later keys override included ones)."""
    path = Path(path).resolve()
    data = _resolve_includes(path)
    try:
        spec = TASK_SPEC.validate_python(data)
    except ValidationError as e:
        raise SpecError(f"{path}: invalid task spec: {validation_problems(e, SPEC_TYPES)}") from None
    return Task(spec=spec, file=path, root=path.parent)


def _is_task_file(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml") and not path.name.startswith("_")


class SpecWarning(UserWarning):
    """A task file in the tasks folder is invalid and was left out; the other tasks load."""


def load_tasks(tasks_dir: Path | None = None) -> tuple[dict[str, Task], dict[Path, str]]:
    """Every valid task YAML directly under the tasks folder (files starting with `_` are include-only),
    and the invalid ones with why: one broken file does not stop the others (as lm-eval does)."""
    tasks_dir = tasks_dir or default_tasks_dir()
    out: dict[str, Task] = {}
    broken: dict[Path, str] = {}
    for f in sorted(tasks_dir.glob("*.y*ml")):
        if not _is_task_file(f):
            continue
        try:
            task = load_task_file(f)
        except SpecError as e:
            broken[f] = str(e)
            continue
        if task.name in out:
            raise SpecError(f"{f}: task name {task.name!r} is also defined in {out[task.name].file}")
        out[task.name] = task
    return out, broken


def all_tasks(tasks_dir: Path | None = None) -> dict[str, Task]:
    """The valid tasks of the tasks folder; each invalid file is named in a `SpecWarning`."""
    tasks, broken = load_tasks(tasks_dir)
    for why in broken.values():
        warnings.warn(f"left out: {why}", SpecWarning, stacklevel=2)
    return tasks


def suite_tasks(name: str, tasks_dir: Path | None = None) -> list[str]:
    """Task names of a suite: `tasks/suites/<name>.yaml` holding `tasks: [...]` (suites may nest)."""
    tasks_dir = tasks_dir or default_tasks_dir()
    path = tasks_dir / "suites" / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (tasks_dir / "suites").glob("*.yaml"))
        raise SpecError(f"unknown suite {name!r} (no {path}); known suites: {known}")
    data = _read_yaml(path)
    names = data.get("tasks")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SpecError(f"{path}: field 'tasks' must be a list of task names")
    known_suites = {p.stem for p in (tasks_dir / "suites").glob("*.yaml")}
    out: list[str] = []
    for n in names:
        out.extend(suite_tasks(n, tasks_dir) if n in known_suites and n != name else [n])
    return out


def suite_groups(name: str, tasks_dir: Path | None = None) -> dict[str, list[str]]:
    """`average: {group: [task, ...]}` of a suite: tasks reported as one column (e.g. cross-validation folds)."""
    tasks_dir = tasks_dir or default_tasks_dir()
    path = tasks_dir / "suites" / f"{name}.yaml"
    groups = _read_yaml(path).get("average") or {}
    names = set(suite_tasks(name, tasks_dir))
    if not isinstance(groups, dict) or not all(isinstance(v, list) and v for v in groups.values()):
        raise SpecError(f"{path}: field 'average' must map a group name to a non-empty list of task names")
    for group, members in groups.items():
        outside = [m for m in members if m not in names]
        if outside:
            raise SpecError(f"{path}: average group {group!r} names {outside}, which are not tasks of the suite")
    return {str(k): [str(m) for m in v] for k, v in groups.items()}


def resolve_tasks(names: list[str], tasks_dir: Path | None = None) -> list[Task]:
    """Tasks by name, in order; unknown names give an error listing the known ones."""
    known, broken = load_tasks(tasks_dir)
    missing = [n for n in names if n not in known]
    if missing:
        invalid = "".join(f"\n  {why}" for why in broken.values())
        raise SpecError(f"unknown task(s) {missing}; known tasks: {sorted(known)}"
                        + (f"\nthese task files are invalid:{invalid}" if invalid else ""))
    return [known[n] for n in names]
