"""The task spec schema: what a task YAML may say, validated with pydantic."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model, field_validator, model_validator

from sure_bench.kinds import all_kinds
from sure_bench.metrics.registry import get_metric

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetRef(_Strict):
    loader: str = Field(description="name of a loader in sure_bench.data.loaders")
    args: dict[str, str | int | float | bool] = Field(default_factory=dict)
    license: str = ""


class Selector(_Strict):
    """A split chosen by rule from the loader's rows: by the release's own subset and/or by speaker.

    Used where the release defines the split (LibriSpeech folders, FSC's CSVs, IEMOCAP sessions) or a
    documented speaker rule does; `size` is the published utterance count, checked on every load.
    """

    subset: list[str] | None = Field(None, description="keep rows whose subset is one of these")
    speakers: list[str] | None = Field(None, description="keep rows whose speaker is one of these")
    exclude_speakers: list[str] | None = Field(None, description="drop rows whose speaker is one of these")
    size: int | None = Field(None, gt=0, description="the number of utterances the release has in this split")

    @field_validator("subset", "speakers", "exclude_speakers", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        if isinstance(v, (str, int)):
            return [str(v)]
        if isinstance(v, list):
            return [str(x) for x in v]
        return v

    @model_validator(mode="after")
    def _says_something(self) -> "Selector":
        if not (self.subset or self.speakers or self.exclude_speakers):
            raise ValueError("a split selector needs at least one of 'subset', 'speakers', 'exclude_speakers'")
        return self


Split = str | Selector


class Splits(_Strict):
    """Each split is a committed split file (CSV with an `id` column) or a selector rule."""

    train: Split
    dev: Split
    test: Split


class Audio(_Strict):
    sample_rate: Literal[16000] = 16000
    max_seconds: float = Field(gt=0, le=60)


class Metrics(_Strict):
    primary: str
    also: list[str] = Field(default_factory=list)
    higher_is_better: bool = Field(description="optional: the metric registry knows each metric's "
                                                            "direction; if given, it must agree")

    @model_validator(mode="before")
    @classmethod
    def _direction_from_registry(cls, data: object) -> object:
        if not isinstance(data, dict) or not isinstance(data.get("primary"), str):
            return data  # pydantic names what is missing
        for name in [data["primary"], *(data.get("also") or [])]:
            get_metric(str(name))  # an unknown name fails here, listing the known ones
        known = get_metric(data["primary"]).higher_is_better
        given = data.get("higher_is_better")
        if given is not None and given != known:
            raise ValueError(f"higher_is_better: {str(given).lower()} contradicts metric {data['primary']!r}, "
                             f"for which {'higher' if known else 'lower'} is better; drop the field")
        return {**data, "higher_is_better": known}


class LearningRates(_Strict):
    """Fixed rates from before the learning-rate search (`lr_grid` now chooses a method's rate); `default`
    is still the task head's rate where the head cannot share the method's (`head`)."""

    finetune: float = Field(gt=0, description="the fixed rate of full fine-tuning before the search")
    default: float = Field(gt=0, description="the task head's rate beside full fine-tuning; the fixed "
                                             "rate of every other method before the search")

    @property
    def head(self) -> float:
        """The head's rate beside full fine-tuning (whose rates are too low for a fresh head)."""
        return self.default


class LearningRateGrid(_Strict):
    """Learning rates the search explores, per LR family (unset: sure_bench.run.search.DEFAULT_GRIDS)."""

    finetune: list[float] | None = Field(None, min_length=1)
    default: list[float] | None = Field(None, min_length=1)

    @field_validator("finetune", "default")
    @classmethod
    def _positive(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and any(x <= 0 for x in v):
            raise ValueError(f"learning rates must be > 0, got {v}")
        return sorted(set(v)) if v is not None else v


class Budget(_Strict):
    epochs: int = Field(gt=0)
    batch_size: int = Field(gt=0)
    patience: int = Field(ge=0)
    lr: LearningRates
    lr_grid: LearningRateGrid | None = Field(None, description="the learning rates the search explores; "
                                                                "a one-point grid trains at that rate")
    explore_fraction: float = Field(0.25, gt=0, le=1, description="share of `epochs` each explored "
                                                                  "learning rate trains for (SUPERB's explore ratio)")
    warmup_ratio: float = Field(default=0.1, ge=0, lt=1)
    balanced_classes: bool = Field(False, description="draw training utterances with class-balanced weights "
                                                      "(SUPERB's keyword spotting); classification only")


class TaskSpecBase(_Strict):
    """What every task has: data, splits, audio, metrics and budget. The fields of its kind come from the
    kind's module (`sure_bench.kinds.<kind>.Fields`), mixed in below. Pure data, no code."""

    task: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: int = Field(ge=1)
    kind: str
    description: str = ""
    dataset: DatasetRef
    splits: Splits
    audio: Audio
    metrics: Metrics
    budget: Budget

    @model_validator(mode="after")
    def _fits_kind(self) -> "TaskSpecBase":
        named = [self.metrics.primary, *self.metrics.also]
        allowed = self.METRICS  # type: ignore[attr-defined]  (the kind's Fields)
        for name in named:
            if name not in allowed:
                raise ValueError(f"field 'metrics': metric {name!r} is not available for kind {self.kind}; "
                                 f"choose from {sorted(allowed)}")
        if self.budget.balanced_classes and not self.BALANCED_CLASSES:  # type: ignore[attr-defined]
            having = sorted(name for name, module in all_kinds().items() if module.Fields.BALANCED_CLASSES)
            raise ValueError(f"field 'budget.balanced_classes': not available for kind {self.kind}, only for "
                             f"{', '.join(having)}")
        self.check_kind()  # type: ignore[attr-defined]
        return self


def _spec_of(name: str, fields: type) -> type:
    return create_model(f"{''.join(w.title() for w in name.split('_'))}Spec", __base__=(TaskSpecBase, fields),
                        kind=(Literal[name], ...))


SPEC_TYPES: dict[str, type] = {name: _spec_of(name, module.Fields) for name, module in all_kinds().items()}
TaskSpec = Annotated[Union[tuple(SPEC_TYPES.values())], Field(discriminator="kind")]  # noqa: UP007
"""A task spec: the spec type of its kind, chosen by the `kind` field."""
TASK_SPEC = TypeAdapter(TaskSpec)
