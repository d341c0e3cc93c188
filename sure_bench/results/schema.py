"""The result file schema: one JSON per (backbone, method, task, seed)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


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

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
