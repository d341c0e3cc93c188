"""One label per utterance (emotion, speaker ID, keywords): a pooled classifier, accuracy / F1."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field, field_validator
from torch import nn

from sure_bench.heads.classifier import PooledClassifier
from sure_bench.kinds.base import KindError, KindFields, TaskKind
from sure_bench.kinds.probe_fits import logistic_probe

NAME = "utterance_classification"


class Fields(KindFields):
    METRICS: ClassVar[frozenset[str]] = frozenset({"accuracy", "macro_f1", "weighted_f1"})
    BALANCED_CLASSES: ClassVar[bool] = True

    labels: list[str] | None = None
    labels_file: str | None = Field(None, description="committed file of class names, one per line (long label sets)")

    @field_validator("labels")
    @classmethod
    def _no_duplicates(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError(f"'labels' has duplicates: {v}")
        return v

    def committed_files(self) -> list[str]:
        return [self.labels_file] if self.labels_file else []

    def check_kind(self) -> None:
        if self.labels and self.labels_file:
            raise ValueError("field 'labels_file': give either 'labels' or 'labels_file', not both")
        if not (self.labels or self.labels_file):
            raise ValueError(f"field 'labels': kind {NAME} needs a non-empty 'labels' list or a 'labels_file'")


def read_label_set(task) -> list[str]:
    """The class names: the spec's `labels`, or the lines of its committed `labels_file`."""
    spec = task.spec
    if spec.labels_file is None:
        return list(spec.labels or [])
    path = task.path(spec.labels_file)
    if not path.is_file():
        raise KindError(f"{task.file}: labels_file {path} not found")
    labels = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise KindError(f"{path}: duplicate labels {dup[:5]}")
    return labels


class Kind(TaskKind):
    """Classes per slot; one slot here, several in multi_slot_classification."""

    NAME = NAME
    FIELDS = Fields
    PROBE = True

    def __init__(self, task, data_root=None):
        super().__init__(task, data_root)
        self.slot_values = self.slot_label_sets()
        self.slot_index = [{v: i for i, v in enumerate(vals)} for vals in self.slot_values]

    def slot_label_sets(self) -> list[list[str]]:
        return [read_label_set(self.task)]

    @property
    def labels(self) -> list[str]:
        """The class names of the first (for utterance classification, the only) slot."""
        return self.slot_values[0]

    @property
    def classes_per_slot(self) -> list[int]:
        return [len(v) for v in self.slot_values]

    def head(self, hidden: int, num_states: int, recipe: str) -> nn.Module:
        return PooledClassifier(hidden, num_states, self.classes_per_slot, recipe=recipe)

    def encode(self, label: str, utt_id: str = "") -> list[int]:
        """Class index per slot (slots joined by '|')."""
        parts = label.split("|") if len(self.slot_values) > 1 else [label]
        if len(parts) != len(self.slot_values):
            raise KindError(f"task {self.spec.task}: utterance {utt_id!r} label {label!r} has {len(parts)} "
                            f"slot(s), expected {len(self.slot_values)} joined by '|'")
        out = []
        for part, index in zip(parts, self.slot_index):
            if part not in index:
                raise KindError(f"task {self.spec.task}: utterance {utt_id!r} label {part!r} is not in the "
                                f"spec's label set {sorted(index)}")
            out.append(index[part])
        return out

    def fit_probe(self, features, splits, c_grid, max_iter):
        return logistic_probe(self, features, splits, c_grid, max_iter)

    def decode(self, output: np.ndarray) -> str:
        return "|".join(vals[int(i)] for vals, i in zip(self.slot_values, output))
