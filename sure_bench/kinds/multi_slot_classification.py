"""Several labels per utterance (intent as action|object|location): one classifier per slot."""

from __future__ import annotations

from typing import ClassVar

from sure_bench.kinds import utterance_classification
from sure_bench.kinds.base import KindFields

NAME = "multi_slot_classification"


class Fields(KindFields):
    METRICS: ClassVar[frozenset[str]] = frozenset({"accuracy", "slot_accuracy"})

    slots: dict[str, list[str]] | None = None

    def check_kind(self) -> None:
        if not self.slots:
            raise ValueError(f"field 'slots': kind {NAME} needs 'slots': {{slot_name: [values, ...]}}")


class Kind(utterance_classification.Kind):
    NAME = NAME
    FIELDS = Fields

    def slot_label_sets(self) -> list[list[str]]:
        return [list(v) for v in (self.spec.slots or {}).values()]
