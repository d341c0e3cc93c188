"""Where each cell of a run stands, read from the output folder: done, running (its lock is held),
failed (with the last lines of its error), or not started."""

from __future__ import annotations

from dataclasses import dataclass

from sure_bench.run.cells import CellSpec, is_done, paths, resolve
from sure_bench.run.lock import describe, holder


@dataclass
class CellState:
    spec: CellSpec
    state: str  # done | running | failed | not started
    detail: str = ""


def cell_state(spec: CellSpec, tail_lines: int = 3) -> CellState:
    _, _, task, _, run = resolve(spec)
    target, work = paths(spec, run)
    if is_done(spec, task, run, target):
        return CellState(spec, "done", str(target))
    who = holder(work)
    if who:
        return CellState(spec, "running", describe(who))
    failed = work / "failed.txt"
    if failed.is_file():
        lines = [x for x in failed.read_text(errors="replace").splitlines() if x.strip()]
        return CellState(spec, "failed", "\n".join(lines[-tail_lines:]))
    resumable = work / "checkpoints"
    started = resumable.is_dir() and any(resumable.glob("checkpoint-*"))
    return CellState(spec, "not started", "a checkpoint to resume from" if started else "")
