"""One run on several processes (`torchrun --nproc_per_node N -m sure_bench run ...`): the Trainer trains
with DDP; here is only which process this is and where the processes meet. Every process walks the same
cells in the same order; the main one (rank 0) decides whether a cell is done or busy, holds its lock,
writes results, predictions and feature caches, and the others follow. One process: all no-ops."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def start() -> None:
    """Join the process group torchrun describes (gloo on CPUs, NCCL on GPUs); nothing for one process."""
    if world_size() == 1:
        return
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        cuda = torch.cuda.is_available()
        if cuda:
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group("nccl" if cuda else "gloo")


def barrier() -> None:
    if world_size() > 1:
        import torch.distributed as dist

        dist.barrier()


def agree(value: T) -> T:
    """The main process's `value`, on every process."""
    if world_size() == 1:
        return value
    import torch.distributed as dist

    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def main_first(make: Callable[[], T]) -> T:
    """`make()` on the main process, then on the others (which then find what it wrote, e.g. a cache)."""
    if is_main():
        out = make()
        barrier()
        return out
    barrier()
    return make()
