"""A submission's verification record, `submissions/<name>/verified.json`: written by `sure-bench validate
--rerun` when every drawn cell reproduced, and read by the report to mark the submission verified. It
holds the sha256 of every file the submission claims, so a record that no longer matches its files (a
result added or changed after the re-run) is stale, not a verification."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sure_bench.files import file_digest, write_atomic

RECORD = "verified.json"


class RerunRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    task: str
    seed: int
    metric: str
    claimed: float
    rerun: float
    agreement: float = Field(description="share of test items with the same prediction")
    threads: int | None = Field(None, description="CPU threads the re-run trained with (None: not recorded)")


class VerificationRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = 1
    sure_bench: str
    tolerance: float
    reruns: list[RerunRecord] = Field(min_length=1)
    claimed: dict[str, str] = Field(description="every claimed file under results/ (relative path) -> sha256")


def claimed_files(folder: Path) -> dict[str, str]:
    """sha256 of every file a submission claims under results/ (results, predictions, the learning-rate
    search), by path relative to the folder."""
    folder = Path(folder)
    results = folder / "results"
    files = sorted(p for p in results.rglob("*")
                   if p.is_file() and not any(x.startswith(".") for x in p.relative_to(results).parts))
    return {str(p.relative_to(folder)): file_digest(p) for p in files}


def write_record(folder: Path, record: VerificationRecord) -> Path:
    path = Path(folder) / RECORD
    write_atomic(path, record.model_dump_json(indent=2) + "\n")
    return path


def status(folder: Path) -> str:
    """"verified" (a record matching every claimed file), "stale" (a record, but the files changed since),
    or "unverified" (no readable record)."""
    path = Path(folder) / RECORD
    try:
        record = VerificationRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError):
        return "unverified"
    return "verified" if record.claimed == claimed_files(folder) else "stale"


def submission_folder(result: Path) -> Path | None:
    """The submission a result file belongs to (`<folder>/results/.../seedK.json` with `<folder>/method.yaml`),
    or None for results outside a submission (committed by maintainers, re-run in the test suite)."""
    for parent in Path(result).parents:
        if parent.name == "results" and (parent.parent / "method.yaml").is_file():
            return parent.parent
    return None
