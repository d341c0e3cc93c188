"""Where results live, how they are written, and skip-if-done: results/<backbone>/<method>/<task>/seed<k>.json."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

from pydantic import ValidationError

from sure_bench.files import write_atomic
from sure_bench.results.schema import Result

__all__ = ["ResultError", "cell_folder", "existing_result", "method_label", "read_result", "result_path",
           "validation_problems", "write_result"]


class ResultError(ValueError):
    """A result file is malformed or conflicts with the run asked for."""


def method_label(method: str, preset: str) -> str:
    """A method's name in folders and reports: `name`, or `name@preset` for a preset other than the default."""
    return method if preset == "default" else f"{method}@{preset}"


def cell_folder(root: Path, backbone: str, label: str, task: str) -> Path:
    """root/<backbone>/<run label>/<task>: a cell's seeds, predictions and learning-rate search."""
    return Path(root) / backbone.replace("/", "__") / label / task


def result_path(root: Path, backbone: str, method: str, preset: str, task: str, seed: int) -> Path:
    return cell_folder(root, backbone, method_label(method, preset), task) / f"seed{seed}.json"


def write_result(path: Path, result: Result) -> None:
    write_atomic(path, result.model_dump_json(by_alias=True, indent=2) + "\n")


def read_result(path: Path) -> Result:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ResultError(f"{path}: not a readable JSON result file: {e}") from None
    try:
        return Result.model_validate(data)
    except ValidationError as e:
        problems = validation_problems(e)
        raise ResultError(f"{path}: does not match the result schema: {problems}") from None


def validation_problems(e: ValidationError, union_tags: Collection[str] = ()) -> str:
    """A pydantic error as "field 'a.b': message; ..." for messages that name the file beside it.
    `union_tags`: the tags of a discriminated union, which pydantic puts first in a path (left out here);
    a rule across fields names its field in its own message ("field 'x': ...")."""
    out = []
    for err in e.errors():
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in union_tags:
            loc = loc[1:]
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = [str((err.get("ctx") or {}).get("discriminator", "kind")).strip("'")]
        msg = err["msg"].removeprefix("Value error, ")
        out.append(msg if not loc and msg.startswith("field '") else f"field '{'.'.join(loc) or '(top level)'}': {msg}")
    return "; ".join(out)


def existing_result(path: Path, spec_hash: str, run_hash: str) -> Result | None:
    """The finished result at `path` if it is for this task spec and run configuration; None if there is none.

    A result for another spec or run configuration is an error: the caller decides (rerun with --overwrite).
    """
    if not path.is_file():
        return None
    result = read_result(path)
    held = result.run.hash if result.run else "none (written before run configurations)"
    differs = []
    if result.task.spec_hash != spec_hash:
        differs.append(f"another task spec ({result.task.spec_hash}, this run's is {spec_hash})")
    if held != run_hash:
        differs.append(f"another run configuration ({held}, this run's is {run_hash})")
    if differs:
        raise ResultError(f"{path}: already holds a result for {' and '.join(differs)}; pass --overwrite to "
                          "replace it, or --output another folder")
    return result
