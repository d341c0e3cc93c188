"""`sure-bench validate --rerun`: a submission's claims must be reproducible, not only consistent.

Re-scoring checks that a claimed score follows from the claimed predictions; a fabricated submission
passes that by fabricating both. Here a sample of the submission's cells is trained again, on this
machine, at the claimed learning rate and on the CPU thread count the claim recorded (results depend
on it, `sure_bench.run.threads`), and the re-run's test score must fall within `TOLERANCE` of the
claim. The sample is chosen from the sha256 of everything the submission claims, so a submitter cannot
choose which cell is checked (changing any claimed file changes the draw).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from sure_bench.results.store import read_result
from sure_bench.run.cells import CellSpec, run_cell
from sure_bench.run.threads import torch_threads

# About three times the typical seed-to-seed std of the committed sure-mini results (median seed std per
# task 0.003-0.028 in leaderboard.md's validity table): a run on another device or library build lands
# within it, a number that was not trained does not.
TOLERANCE = 0.03


@dataclass
class Rerun:
    claimed: Path
    task: str
    seed: int
    metric: str
    claimed_score: float
    rerun_score: float
    agreement: float  # share of test utterances with the same prediction
    same_config: bool  # the re-run's method config hash is the claimed one
    threads: int | None = None  # CPU threads the re-run trained with (None: this process's default)

    @property
    def ok(self) -> bool:
        return self.same_config and abs(self.rerun_score - self.claimed_score) <= TOLERANCE

    def line(self) -> str:
        verdict = "reproduced" if self.ok else "NOT reproduced"
        if not self.same_config:
            verdict += " (the method config hash differs from the claimed one)"
        threads = f"on {self.threads} thread(s)" if self.threads else "on the default threads (none recorded)"
        return (f"{self.task} seed {self.seed}: claimed test {self.metric} {self.claimed_score:.4f}, re-run "
                f"{threads} {self.rerun_score:.4f} (|diff| {abs(self.rerun_score - self.claimed_score):.4f}, tolerance "
                f"{TOLERANCE}); same prediction on {self.agreement:.1%} of test utterances: {verdict} "
                f"({self.claimed})")


def draw(files: list[Path], root: Path, count: int, tasks: set[str] | None = None) -> list[Path]:
    """`count` claimed result files, drawn by the sha256 of every claimed file (names and bytes).
    Only results written under the fair protocol (with a run configuration) can be re-run."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    candidates = sorted(p for p in files if (r := read_result(p)).run is not None
                        and (tasks is None or r.task.name in tasks))
    if not candidates:
        return []
    start = int(digest.hexdigest(), 16) % len(candidates)
    return [candidates[(start + i) % len(candidates)] for i in range(min(count, len(candidates)))]


def rerun(claimed: Path, method_ref: str, tasks_dir: Path | None = None, data_root: Path | None = None,
          console: Console | None = None, threads: int | None = None) -> Rerun:
    """Train the claimed cell again (same method, task, seed, head, learning rate, precision) and compare.
    It trains on `threads` CPU threads, by default the count the claim recorded."""
    r = read_result(claimed)
    config = r.run.config
    threads = threads or r.provenance.threads
    with tempfile.TemporaryDirectory(prefix="sure-bench-rerun-") as tmp:
        spec = CellSpec(method=method_ref, preset=r.method.preset, task=r.task.name, phase="train", seed=r.seed,
                        lr_grid=(r.train.lr,), backbone=r.backbone.name, output=Path(tmp), tasks_dir=tasks_dir,
                        data_root=data_root, head=r.run.head, precision=config.get("precision", "fp32"),
                        attention=config.get("attention", "sdpa"), show_progress=False)
        with torch_threads(threads):
            path = run_cell(spec, console)
        again = read_result(path)
        ours = _predictions(path.parent / again.predictions)
    theirs = _predictions(claimed.parent / r.predictions)
    same = sum(ours.get(i) == p for i, p in theirs.items()) / max(len(theirs), 1)
    metric = r.scores.primary
    return Rerun(claimed, r.task.name, r.seed, metric, r.scores.test[metric], again.scores.test[metric], same,
                 again.method.config_hash == r.method.config_hash, threads)


def _predictions(path: Path) -> dict[str, str]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {str(x["id"]): x["prediction"] for x in rows}


def record(folder: Path, outcomes: list[Rerun]) -> Path:
    """Write the submission's verification record (every outcome reproduced) beside its results."""
    import sure_bench
    from sure_bench.results.verification import RerunRecord, VerificationRecord, claimed_files, write_record

    assert outcomes and all(o.ok for o in outcomes), "only a submission whose re-runs all reproduced is verified"
    reruns = [RerunRecord(file=str(o.claimed.relative_to(folder)), task=o.task, seed=o.seed, metric=o.metric,
                          claimed=o.claimed_score, rerun=round(o.rerun_score, 6), agreement=round(o.agreement, 6),
                          threads=o.threads)
              for o in outcomes]
    return write_record(folder, VerificationRecord(sure_bench=sure_bench.__version__, tolerance=TOLERANCE,
                                                   reruns=reruns, claimed=claimed_files(folder)))
