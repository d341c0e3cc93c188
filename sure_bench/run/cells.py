"""One cell = one pure function: `run_cell(CellSpec) -> path`.

A cell is one explored learning rate, or one seed at the chosen rate, of one (run configuration, task).
It skips itself when finished, holds its lock while it trains (a second process running the same cell
skips it, naming the holder), resumes its own checkpoint and writes atomically; so any launcher can
dispatch cells to any process. `run` is two waves of cells: the grid points, then the seeds.

Within one process the backbone, the method and the task's decoded splits (with the cached frozen
states) are loaded once and reused by the next cell that needs them.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rich.console import Console

from sure_bench.heads.featurizer import DEFAULT_HEAD
from sure_bench.files import write_atomic
from sure_bench.results.store import cell_folder, existing_result
from sure_bench.run import distributed
from sure_bench.run.config import RunConfig
from sure_bench.run.lock import CellBusy, CellLock
from sure_bench.run.search import explore_epochs, grid_for


class CellSpec(BaseModel):
    """Everything a fresh process needs to run one cell (it is what launchers pickle and ship)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str  # as given to --method: a built-in name, peft:<TYPE|file>, a .py file or a folder
    preset: str = "default"
    task: str
    phase: Literal["explore", "train"]
    seed: int
    lr: float | None = None  # explore: the grid point; train: None, the search's choice
    explore_seed: int = 0  # the seed the grid points were explored with
    backbone: str
    output: Path
    tasks_dir: Path | None = None
    data_root: Path | None = None
    cache_dir: Path | None = None
    head: str = DEFAULT_HEAD
    lr_grid: tuple[float, ...] | None = None
    precision: str = "fp32"
    attention: str = "sdpa"
    feature_cache: bool = True
    overwrite: bool = False
    skip_bad_audio: bool = False
    show_progress: bool = True

    @property
    def name(self) -> str:
        return f"{self.task} lr {self.lr:g}" if self.phase == "explore" else f"{self.task} seed {self.seed}"


_loaded: dict[tuple, object] = {}  # this process's backbone, methods, tasks and the last task's splits


def _memo(key: tuple, make, keep_one_of: str | None = None):
    """`make()` once per key in this process; `keep_one_of` keeps only the newest value of that kind."""
    if key not in _loaded:
        if keep_one_of:
            for old in [k for k in _loaded if k[0] == keep_one_of]:
                del _loaded[old]
        _loaded[key] = make()
    return _loaded[key]


def _cache(spec: CellSpec) -> Path:
    from sure_bench.files import default_cache_dir

    return spec.cache_dir or default_cache_dir()


def _options(spec: CellSpec, console: Console):
    from sure_bench.run.runner import RunOptions

    return RunOptions(backbone=spec.backbone, seeds=[spec.seed], output=spec.output, data_root=spec.data_root,
                      cache_dir=spec.cache_dir, overwrite=spec.overwrite, feature_cache=spec.feature_cache,
                      skip_bad_audio=spec.skip_bad_audio, head=spec.head, lr_grid=spec.lr_grid,
                      precision=spec.precision, attention=spec.attention, show_progress=spec.show_progress,
                      console=console)


def resolve(spec: CellSpec):
    """(method, method config, task, pristine backbone, run configuration) of a cell, loaded once."""
    from sure_bench.backbones.registry import load_backbone
    from sure_bench.methods.base import config_hash
    from sure_bench.methods.registry import load_method
    from sure_bench.tasks.registry import resolve_tasks

    def method_and_config():
        method = load_method(spec.method)
        return method, method.make_config(spec.preset)

    def backbone():
        encoder = load_backbone(spec.backbone, spec.cache_dir)
        encoder.set_attention(spec.attention)
        return encoder

    method, config = _memo(("method", spec.method, spec.preset), method_and_config)
    task = _memo(("task", spec.task, spec.tasks_dir), lambda: resolve_tasks([spec.task], spec.tasks_dir)[0])
    pristine = _memo(("backbone", spec.backbone, _cache(spec), spec.attention), backbone, "backbone")
    run = RunConfig(backbone=spec.backbone, backbone_sha256=pristine.weights_sha256, method=method.name,
                    preset=spec.preset, method_config_hash=config_hash(method.name, config), head=spec.head,
                    lr_grid=spec.lr_grid, precision=spec.precision, attention=spec.attention)
    return method, config, task, pristine, run


def paths(spec: CellSpec, run: RunConfig) -> tuple[Path, Path]:
    """(the file this cell writes, its work folder: checkpoints, lock, failure note)."""
    from sure_bench.run.explore import point_path

    folder = cell_folder(spec.output, spec.backbone, run.label, spec.task)
    target = point_path(folder, spec.lr) if spec.phase == "explore" else folder / f"seed{spec.seed}.json"
    relative = target.relative_to(spec.output).with_suffix("")
    return target, spec.output / ".work" / relative


def is_done(spec: CellSpec, task, run: RunConfig, target: Path) -> bool:
    from sure_bench.run.explore import explored

    if spec.overwrite:
        return False
    if spec.phase == "explore":
        return explored(target, run.hash, task.spec_hash, spec.seed, explore_epochs(task.spec)) is not None
    return existing_result(target, task.spec_hash, run.hash) is not None


def run_cell(spec: CellSpec, console: Console | None = None) -> Path | None:
    """Run one cell; returns the file it wrote (or found done), None when another process holds it."""
    console = console or Console()
    method, config, task, pristine, run = resolve(spec)
    target, work = paths(spec, run)
    if distributed.agree(is_done(spec, task, run, target)):
        console.print(f"[dim]skip {spec.name}: done ({target})[/dim]")
        return target
    lock, busy = (CellLock(work) if distributed.is_main() else None), None
    try:
        if lock is not None:
            lock.__enter__()
    except CellBusy as e:
        lock, busy = None, str(e)
    busy = distributed.agree(busy)  # under torchrun the other processes follow the main one's lock
    if busy:
        console.print(f"[yellow]skip {run.label} {spec.name}: {busy}[/yellow]", soft_wrap=True)
        return None
    try:
        # finished by another process while we waited for the lock
        if not distributed.agree(is_done(spec, task, run, target)):
            try:
                _train(spec, console, method, config, task, pristine, run, target, work)
            except Exception:
                if distributed.is_main():
                    write_atomic(work / "failed.txt", traceback.format_exc())
                raise
            if distributed.is_main():
                (work / "failed.txt").unlink(missing_ok=True)
        distributed.barrier()  # what the main process wrote is there before any process moves on
        return target
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)


def _train(spec: CellSpec, console: Console, method, config, task, pristine, run, target: Path, work: Path) -> None:
    from sure_bench.run.explore import explore_point, read_search
    from sure_bench.run.runner import Cell, load_splits, write_cell_result
    from sure_bench.data.loaders import default_data_root
    from sure_bench.kinds import make_kind

    opts = _options(spec, console)

    def make_cell():
        kind = make_kind(task, opts.data_root or default_data_root())
        splits, skipped = load_splits(task, opts, kind)
        return Cell(run, method, config, task, kind, splits, pristine, opts), skipped

    cell, skipped = _memo(("cell", run.hash, spec.task, spec.tasks_dir, spec.data_root, _cache(spec)), make_cell,
                          "cell")
    cell.opts = opts
    if spec.phase == "explore":
        explore_point(cell, spec.lr, spec.seed, target, work)
        return
    grid = grid_for(task.spec, method.lr_family, run.lr_grid)
    search = read_search(cell, grid, target.parent, spec.explore_seed) if len(grid) > 1 else None
    lr = search.chosen if search else grid[0]
    outcome, params = cell.train(spec.seed, lr, work, f"{run.label} {spec.name}")
    write_cell_result(cell, spec.seed, target, lr, search, outcome, params, skipped)


def plan(method: str, preset: str, tasks: list[str], seeds: list[int], **common) -> tuple[list[CellSpec], list[CellSpec]]:
    """The two waves of `run`: every grid point of every task that has seeds left to train, then every seed
    (finished ones skip themselves)."""
    waves: tuple[list[CellSpec], list[CellSpec]] = ([], [])
    first = min(seeds)
    for name in tasks:
        base = dict(method=method, preset=preset, task=name, explore_seed=first, **common)
        train = [CellSpec(phase="train", seed=s, **base) for s in seeds]
        m, _, task, _, run = resolve(train[0])
        pending = [c for c in train if not is_done(c, task, run, paths(c, run)[0])]
        grid = grid_for(task.spec, m.lr_family, run.lr_grid)
        if pending and len(grid) > 1:
            waves[0].extend(CellSpec(phase="explore", seed=first, lr=lr, **base) for lr in grid)
        waves[1].extend(train)
    return waves

