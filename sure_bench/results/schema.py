"""The result file schema: one JSON per (backbone, method, task, seed)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2  # 2: the run block (run configuration, its hash, the learning-rate search)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskInfo(_Model):
    name: str
    version: int
    spec_hash: str
    kind: str
    dataset: str = ""


class MethodInfo(_Model):
    name: str
    preset: str
    config: dict
    config_hash: str
    source: str = ""


class BackboneInfo(_Model):
    name: str
    weights_sha256: str
    params: int = Field(ge=0)


class Params(_Model):
    backbone_total: int = Field(ge=0)
    method_added: int = Field(ge=0)
    method_unfrozen: int = Field(ge=0)
    head: int = Field(ge=0)
    layer_weights: int = Field(ge=0)
    percent: float = Field(ge=0, description="(method_added + method_unfrozen) / backbone_total * 100")


class Scores(_Model):
    dev: dict[str, float]
    test: dict[str, float]
    primary: str
    higher_is_better: bool
    anchors: dict[str, dict[str, float]] | None = Field(
        None, description="the task's test anchors, where its kind has them: {'floor': metrics of the untrained "
                          "model, 'ceiling': metrics of the real targets through the model's output path}")


class TrainSummary(_Model):
    epochs: float
    steps: int
    best_step: int | None
    lr: float
    head_lr: float
    batch_size: int
    wall_s: float
    peak_rss_mb: float
    samples_per_s: float
    resumed_from: str | None = None
    test_loss: float | None = None
    probe_c: float | None = Field(None, description="the reference probe's inverse L2 strength, chosen on dev")


class DataInfo(_Model):
    sizes: dict[str, int]
    skipped: list[dict[str, str]] = Field(default_factory=list)


class Provenance(_Model):
    sure_bench: str
    git_commit: str
    torch: str
    transformers: str
    python: str
    platform: str
    device: str
    date: str
    threads: int | None = Field(None, ge=1, description="torch's intra-op CPU threads during the run: CPU "
                                "results depend on it (None: written before it was recorded)")


class LRPoint(_Model):
    """One explored learning rate: trained on a fraction of the budget, scored on dev."""

    lr: float = Field(gt=0)
    status: Literal["ok", "failed"]
    dev: float | None = Field(None, description="primary dev score; None when the point failed")
    reason: str = Field("", description="why it failed (diverged: NaN loss, ...)")
    steps: int = Field(0, ge=0)
    wall_s: float = Field(0.0, ge=0)


class LRSearch(_Model):
    """The learning-rate search of a (method, task): the grid, the explore phase and the choice."""

    grid: list[float]
    explore_fraction: float
    explore_seed: int
    chosen: float
    points: list[LRPoint]


class ExploredPoint(_Model):
    """The file of one explored learning rate: <cell>/lr-search/lr<rate>.json."""

    run_hash: str
    spec_hash: str
    seed: int
    epochs: int = Field(gt=0, description="epochs this point trained for (the explore phase)")
    point: LRPoint


class RunInfo(_Model):
    """What was trained and how beyond the task spec. Results whose `hash` differs are never averaged."""

    hash: str = Field(description="sha256 prefix of `config`")
    label: str = Field(description="the row name in the report: method[@preset][+head]")
    head: str = Field(description="the head recipe (sure_bench.heads.recipes)")
    config: dict = Field(description="the typed run configuration that was hashed")
    lr_search: LRSearch | None = Field(None, description="None when the rate was fixed (a one-point grid)")


class Result(_Model):
    schema_: int = Field(SCHEMA_VERSION, alias="schema")
    task: TaskInfo
    method: MethodInfo
    backbone: BackboneInfo
    params: Params
    seed: int
    scores: Scores
    train: TrainSummary
    data: DataInfo
    provenance: Provenance
    predictions: str
    run: RunInfo | None = Field(None, description="None: written before run configurations (schema 1); such "
                                                  "results are never ranked beside ones that have it")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
