"""`sure-bench validate submissions/<name>`: a submission folder is complete and its claims hold.

A submission holds `method.py` (or `peft.yaml` / `peft.json`), `method.yaml` (metadata), `README.md`
and the result files it claims under `results/` with their predictions. Claimed scores are re-computed
from the saved predictions against the committed split files' labels, never trusted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sure_bench.kinds import make_kind
from sure_bench.methods.base import Method, MethodConfig, MethodError, config_hash
from sure_bench.metrics.registry import compute
from sure_bench.results.store import ResultError, read_result, validation_problems
from sure_bench.tasks.registry import Task, all_tasks

TOLERANCE = 1e-9


class SubmissionMeta(BaseModel):
    """method.yaml"""

    model_config = ConfigDict(extra="forbid")
    name: str
    authors: list[str] = Field(min_length=1)
    paper: str = Field(description="paper or URL")
    license: str
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    claimed_params: dict[str, int] = Field(default_factory=dict, description="backbone -> trainable parameters")


def load_submission(folder: Path) -> tuple[SubmissionMeta, Method, MethodConfig]:
    from sure_bench.methods.registry import load_method

    meta_file = folder / "method.yaml"
    if not meta_file.is_file():
        raise MethodError(f"{folder}: missing method.yaml (name, authors, paper, license, hyperparameters, "
                          "claimed_params); see docs/submitting.md")
    try:
        meta = SubmissionMeta.model_validate(yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {})
    except ValidationError as e:
        problems = validation_problems(e)
        raise MethodError(f"{meta_file}: {problems}") from None
    method = load_method(method_ref(folder))  # a peft.yaml's method is named after its folder (hf_peft)
    if method.name != meta.name:
        raise MethodError(f"{meta_file}: name {meta.name!r} differs from the method's name {method.name!r} "
                          "(a method.py's NAME, or the folder's name for a peft config): make them one")
    return meta, method, method.make_config("default", meta.hyperparameters)


def method_ref(folder: Path) -> str:
    """What `sure-bench run --method` takes for this submission's method."""
    folder = Path(folder)
    if (folder / "method.py").is_file():
        return str(folder)
    peft = [folder / n for n in ("peft.yaml", "peft.yml", "peft.json") if (folder / n).is_file()]
    if not peft:
        raise MethodError(f"{folder}: needs method.py or a peft config (peft.yaml / peft.json)")
    return f"peft:{peft[0]}"


def check_result(path: Path, tasks: dict[str, Task], expected_hash: str, method_name: str) -> list[str]:
    """Problems with one claimed result file: wrong method config, stale spec, or scores that do not follow."""
    try:
        r = read_result(path)
    except ResultError as e:
        return [str(e)]
    problems = []
    if r.method.name != method_name or r.method.config_hash != expected_hash:
        problems.append(f"{path}: method {r.method.name} config hash {r.method.config_hash} does not match the "
                        f"submission's {method_name} {expected_hash} (results must come from this exact config)")
    task = tasks.get(r.task.name)
    if task is None:
        return [*problems, f"{path}: unknown task {r.task.name!r}"]
    if r.task.spec_hash != task.spec_hash:
        problems.append(f"{path}: task {r.task.name} spec hash {r.task.spec_hash} is stale; current is "
                        f"{task.spec_hash}: rerun it")
    pred_file = path.parent / r.predictions
    if not pred_file.is_file():
        return [*problems, f"{path}: predictions file {pred_file} missing"]
    preds = [json.loads(line) for line in pred_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    left_out = {s["id"] for s in r.data.skipped if s.get("split") == "test"}  # recorded: too long or bad audio
    refs = make_kind(task).references("test", left_out)
    if refs is None:
        # a licensed corpus: its labels are not committed, so the score is re-computed from the references
        # the run wrote beside each prediction (consistency, not provenance, of the claimed score)
        refs = {p["id"]: p["reference"] for p in preds}
    ids = [p["id"] for p in preds]
    if sorted(ids) != sorted(refs):
        return [*problems, f"{pred_file}: predicted ids do not match the test split of {task.name} "
                           f"({len(ids)} predictions, {len(refs)} scored test items after the {len(left_out)} "
                           "utterances recorded as left out)"]
    names = [r.scores.primary, *[m for m in r.scores.test if m != r.scores.primary]]
    recomputed = compute(names, [refs[i] for i in ids], [p["prediction"] for p in preds])
    for metric, value in recomputed.items():
        claimed = r.scores.test.get(metric)
        if claimed is None or abs(claimed - value) > TOLERANCE:
            problems.append(f"{path}: test {metric} claimed {claimed} but the predictions give {value:.6f} "
                            f"({pred_file.name} vs the committed {task.name} test labels)")
    return problems


def validate_submission(folder: Path, tasks_dir: Path | None = None, check_module: bool = True) -> list[str]:
    """All problems found (empty: valid). `check_module` also runs the method checks of `validate --method`."""
    from sure_bench.methods.validate import validate_method

    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder}: not a folder"]
    problems = [] if (folder / "README.md").is_file() else [f"{folder}: missing README.md"]
    try:
        meta, method, config = load_submission(folder)
    except MethodError as e:
        return [*problems, str(e)]
    if check_module:
        problems += validate_method(method, config).failed
    tasks = all_tasks(tasks_dir)
    expected = config_hash(method.name, config)
    files = sorted(p for p in (folder / "results").rglob("seed*.json"))
    if not files:
        problems.append(f"{folder}: no result files under results/ (run with --output {folder}/results)")
    for path in files:
        found = check_result(path, tasks, expected, method.name)
        problems += found
        if not found:
            r = read_result(path)
            claimed = meta.claimed_params.get(r.backbone.name)
            counted = r.params.method_added + r.params.method_unfrozen
            if claimed is not None and claimed != counted:
                problems.append(f"{path}: method.yaml claims {claimed:,} trainable parameters on "
                                f"{r.backbone.name}, the run counted {counted:,}")
    return problems
