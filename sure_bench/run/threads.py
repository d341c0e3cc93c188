"""CPU threads a cell trains with. On the CPU a result depends on them: a reduction split over two threads
sums in another order than on one, and over an epoch the runs drift apart (whisper-tiny.en, ia3 on
ic-mini seed 2: 0.711 test accuracy on one thread, 0.667 on two). Each result records its count
(`provenance.threads`); a re-run uses it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block on `n` torch intra-op threads (and OMP_NUM_THREADS for what else reads it), then
    restore both; `None` changes nothing."""
    if not n:
        yield
        return
    import torch

    before, env = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    torch.set_num_threads(n)
    os.environ["OMP_NUM_THREADS"] = str(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
        if env is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = env
