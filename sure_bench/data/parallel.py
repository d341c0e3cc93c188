"""Rendering many files at once: jobs in a thread pool (the work is in subprocesses or native code)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")


def run_in_threads(jobs: dict[str, Callable[[], T]], workers: int,
                   on_done: Callable[[int], None] | None = None) -> dict[str, T]:
    """Each job's result by its key, `workers` at a time; `on_done(1)` in the caller's thread per finished job.
    The first failure cancels what has not started and is raised."""
    out: dict[str, T] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(job): key for key, job in jobs.items()}
        try:
            for fut in as_completed(futures):
                out[futures[fut]] = fut.result()
                if on_done:
                    on_done(1)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    return out
