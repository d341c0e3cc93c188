"""Task kinds, one module each, found by name: every module here with a `NAME` is a kind. A module holds
the kind's spec block (`Fields`) and its run-time side (`Kind`); see docs/adding-a-task-kind.md."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

from sure_bench.kinds.base import KindError, KindFields, TaskKind

__all__ = ["KindError", "KindFields", "TaskKind", "all_kinds", "make_kind"]

_MACHINERY = {"base", "lexicon"}


@cache
def all_kinds() -> dict[str, ModuleType]:
    """Kind name -> its module, for every module of this package that defines `NAME`."""
    out = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _MACHINERY:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME"):
            out[module.NAME] = module
    return dict(sorted(out.items()))


def make_kind(task, data_root: Path | None = None) -> TaskKind:
    """The run-time kind of a task (a `tasks.registry.Task`), bound to it."""
    kinds = all_kinds()
    if task.spec.kind not in kinds:
        raise KindError(f"{task.file}: unknown kind {task.spec.kind!r}; known kinds: {sorted(kinds)}")
    return kinds[task.spec.kind].Kind(task, data_root)
