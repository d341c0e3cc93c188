"""The task spec schema: what a task YAML may say, validated with pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TaskKind = Literal["utterance_classification", "multi_slot_classification", "ctc_asr"]


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
    higher_is_better: bool


class LearningRates(_Strict):
    finetune: float = Field(gt=0)
    default: float = Field(gt=0)


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


class TaskSpec(_Strict):
    """One task: data, labels, metric and training budget. Pure data, no code."""

    task: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: int = Field(ge=1)
    kind: TaskKind
    description: str = ""
    dataset: DatasetRef
    splits: Splits
    audio: Audio
    labels: list[str] | None = None
    labels_file: str | None = Field(None, description="committed file of class names, one per line (long label sets)")
    slots: dict[str, list[str]] | None = None
    vocab: str | None = None
    units: Literal["characters", "phones", "slot_characters"] = Field(
        "characters", description="ctc_asr targets: characters of the transcript, phones via 'lexicon', or "
                                  "characters plus slot tags (<type> ... </type>, each tag one vocab symbol)")
    lexicon: str | None = Field(None, description="committed pronunciation lexicon (word, then phones) for units: phones")
    metrics: Metrics
    budget: Budget

    @model_validator(mode="after")
    def _labels_match_kind(self) -> "TaskSpec":
        if self.kind == "utterance_classification" and not (self.labels or self.labels_file):
            raise ValueError("kind utterance_classification needs a non-empty 'labels' list or a 'labels_file'")
        if self.labels and self.labels_file:
            raise ValueError("give either 'labels' or 'labels_file', not both")
        if self.units == "phones" and not self.lexicon:
            raise ValueError("units: phones needs 'lexicon': a path to the committed pronunciation lexicon")
        if self.budget.balanced_classes and self.kind != "utterance_classification":
            raise ValueError("budget.balanced_classes is for kind utterance_classification only")
        named = [self.metrics.primary, *self.metrics.also]
        if ("per" in named) != (self.units == "phones") or (self.units == "phones" and set(named) != {"per"}):
            raise ValueError("units: phones is scored with metric 'per' (phone error rate) alone, and 'per' "
                             "needs units: phones")
        if {"slot_type_f1", "slot_value_cer"} & set(named) and self.units != "slot_characters":
            raise ValueError("metrics slot_type_f1 / slot_value_cer need units: slot_characters")
        if self.kind == "multi_slot_classification" and not self.slots:
            raise ValueError("kind multi_slot_classification needs 'slots': {slot_name: [values, ...]}")
        if self.kind == "ctc_asr" and not self.vocab:
            raise ValueError("kind ctc_asr needs 'vocab': a path to the committed character vocabulary file")
        if self.labels and len(set(self.labels)) != len(self.labels):
            raise ValueError(f"'labels' has duplicates: {self.labels}")
        allowed = METRICS_BY_KIND[self.kind]
        for name in [self.metrics.primary, *self.metrics.also]:
            if name not in allowed:
                raise ValueError(f"metric {name!r} is not available for kind {self.kind}; choose from {sorted(allowed)}")
        return self


METRICS_BY_KIND: dict[str, set[str]] = {
    "utterance_classification": {"accuracy", "macro_f1", "weighted_f1"},
    "multi_slot_classification": {"accuracy", "slot_accuracy"},
    "ctc_asr": {"wer", "cer", "per", "slot_type_f1", "slot_value_cer"},
}
