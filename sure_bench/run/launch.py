"""Launchers: who runs the cells of `run`. `inline` runs them here, one after another; `local` and
`slurm` hand them to submitit (its LocalExecutor, or one SLURM job array per wave). The grid points
come first; the seeds, which need the chosen rate, are a second wave: `local` waits for the first,
`slurm` submits the second array with `--dependency=afterany` on the first and returns at once.
A cell that times out or is preempted on SLURM is resubmitted and resumes its own checkpoint.

`local` never runs more threads than the machine has cores: each cell gets `cpus_per_task` torch threads
(at most every core) and as many cells run at once as the cores allow (`--cpus 1` on 2 cores: two cells,
one thread each). Threads that outnumber cores wait on each other and slow every cell down manyfold.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.console import Console

from sure_bench.results.store import validation_problems
from sure_bench.run.cells import CellSpec, is_done, paths, resolve, run_cell
from sure_bench.run.threads import torch_threads

LAUNCHERS = ("inline", "local", "slurm")


class ClusterProfile(BaseModel):
    """Resources per cell (`--cluster-profile FILE.yaml`, each key also a flag)."""

    model_config = ConfigDict(extra="forbid")

    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    time_min: int = Field(120, gt=0, description="wall-clock limit per cell; on timeout the cell is resubmitted")
    gpus_per_node: int = Field(0, ge=0)
    cpus_per_task: int = Field(4, gt=0)
    mem_gb: int = Field(32, gt=0)
    array_parallelism: int = Field(64, gt=0, description="cells of one array running at once")
    setup: list[str] = Field(default_factory=list, description="shell lines run before each cell, e.g. module load")


def load_profile(path: Path | None, **overrides) -> ClusterProfile:
    data = {}
    if path is not None:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise ValueError(f"cluster profile {path}: not a readable YAML file: {e}") from None
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ClusterProfile.model_validate(data)
    except ValidationError as e:
        problems = validation_problems(e)
        raise ValueError(f"cluster profile {path or '(flags)'}: {problems}") from None


class CellJob:
    """What a submitit job runs: one cell, on `threads` torch threads if given. On timeout or preemption
    submitit calls `checkpoint`, which resubmits the same cell; it resumes from its last epoch checkpoint."""

    def __init__(self, threads: int | None = None):
        self.threads = threads

    def __call__(self, spec: CellSpec) -> str | None:
        with torch_threads(self.threads):
            path = run_cell(spec)
        return str(path) if path else None

    def checkpoint(self, spec: CellSpec):
        import submitit

        return submitit.helpers.DelayedSubmission(CellJob(self.threads), spec)


def local_slots(cpus_per_task: int) -> tuple[int, int]:
    """(cells at once, torch threads per cell) for the local launcher on this machine's cores."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = max(1, min(cpus_per_task, cores))
    return max(1, cores // threads), threads


def launch(waves: tuple[list[CellSpec], list[CellSpec]], launcher: str, console: Console,
           profile: ClusterProfile | None = None, logs: Path | None = None) -> list[Path]:
    """Run (or submit) both waves; returns the result files written or found done (none for slurm)."""
    if launcher == "inline":
        for spec in waves[0]:
            run_cell(spec, console)
        return [p for spec in waves[1] if (p := run_cell(spec, console)) and p.suffix == ".json"]
    if launcher not in LAUNCHERS:
        raise ValueError(f"unknown launcher {launcher!r}; choose from {', '.join(LAUNCHERS)}")
    todo = [[s for s in wave if not _done(s)] for wave in waves]
    if not any(todo):
        console.print("every cell is done")
        return [paths(s, resolve(s)[4])[0] for s in waves[1]]
    profile = profile or ClusterProfile()
    logs = logs or waves[1][0].output / ".launch" / time.strftime("%Y%m%d-%H%M%S")
    executor = _executor(launcher, logs, profile)
    if launcher == "local":
        at_once, threads = local_slots(profile.cpus_per_task)
        console.print(f"local: {at_once} cell(s) at once, {threads} thread(s) each")
        for wave in todo:
            _run_local(executor, wave, at_once, CellJob(threads), console)
        return [paths(s, resolve(s)[4])[0] for s in waves[1]]
    first = executor.map_array(CellJob(), todo[0]) if todo[0] else []
    if first:
        console.print(f"submitted {len(first)} learning-rate cell(s): array {first[0].job_id.split('_')[0]}")
        executor.update_parameters(slurm_additional_parameters={"dependency": f"afterany:{first[0].job_id.split('_')[0]}"})
    second = executor.map_array(CellJob(), todo[1]) if todo[1] else []
    if second:
        console.print(f"submitted {len(second)} seed cell(s): array {second[0].job_id.split('_')[0]}"
                      + (" (starts after the learning-rate array)" if first else ""))
    console.print("follow them with `sure-bench status` (same --method, --tasks and --output)")
    return []


def _run_local(executor, wave: list[CellSpec], at_once: int, job: CellJob, console: Console) -> None:
    """Every cell of `wave`, `at_once` processes at a time; raises with a failed cell's own traceback."""
    pending, running = list(wave), []
    while pending or running:
        while pending and len(running) < at_once:
            spec = pending.pop(0)
            running.append((executor.submit(job, spec), spec))
        for entry in [r for r in running if r[0].done()]:
            running.remove(entry)
            entry[0].result()
            console.print(f"done {entry[1].name} (job {entry[0].job_id})")
        time.sleep(0.2)


def _done(spec: CellSpec) -> bool:
    _, _, task, _, run = resolve(spec)
    return is_done(spec, task, run, paths(spec, run)[0])


def _executor(launcher: str, folder: Path, profile: ClusterProfile):
    import submitit

    executor = submitit.AutoExecutor(folder=folder, cluster="local" if launcher == "local" else "slurm")
    params = dict(timeout_min=profile.time_min, cpus_per_task=profile.cpus_per_task, mem_gb=profile.mem_gb,
                  name="sure-bench")
    if launcher == "slurm":
        params.update(slurm_partition=profile.partition, slurm_account=profile.account, slurm_qos=profile.qos,
                      slurm_array_parallelism=profile.array_parallelism, gpus_per_node=profile.gpus_per_node,
                      slurm_setup=profile.setup)
        params = {k: v for k, v in params.items() if v not in (None, [], 0)}
    executor.update_parameters(**params)
    return executor
