"""Where a result came from: package versions, git commit, platform, device, CPU threads, date."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from pathlib import Path

import sure_bench
from sure_bench.results.schema import Provenance


def git_commit() -> str:
    repo = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def collect(device: str) -> Provenance:
    import torch
    import transformers

    return Provenance(
        sure_bench=sure_bench.__version__,
        git_commit=git_commit(),
        torch=torch.__version__,
        transformers=transformers.__version__,
        python=platform.python_version(),
        platform=platform.platform(),
        device=device,
        date=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        threads=torch.get_num_threads(),
    )
