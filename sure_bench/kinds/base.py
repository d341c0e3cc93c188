"""What a task kind is: its block of the task spec (`KindFields`) and, bound to one task at run time,
its targets, head, batching and predictions (`TaskKind`). One module per kind implements both."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict
from torch import nn

if TYPE_CHECKING:  # kinds sit below tasks: a task is only handed in
    from sure_bench.tasks.registry import Task


class KindError(ValueError):
    """A label or file of a task does not fit its kind; the message names the task, utterance or file."""


class KindFields(BaseModel):
    """The fields a kind adds to a task spec; tasks/spec.py mixes them into the spec of that kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    METRICS: ClassVar[frozenset[str]] = frozenset()  # metric names (from the metric registry) it can score
    BALANCED_CLASSES: ClassVar[bool] = False  # whether budget.balanced_classes applies

    def committed_files(self) -> list[str]:
        """Files the spec names (relative to the task's folder), hashed into the spec hash in this order."""
        return []

    def check_kind(self) -> None:
        """Rules across the kind's fields and the metrics; raise ValueError naming the field."""


class TaskKind:
    """A kind bound to one task: labels -> targets, the head, and model outputs -> predictions."""

    NAME: ClassVar[str]
    FIELDS: ClassVar[type[KindFields]]
    PROBE: ClassVar[bool] = False  # whether the kind has a closed-form reference probe (`fit_probe`)
    CACHED_SPLITS_HOLD_LABELS: ClassVar[bool] = True
    ANCHORS: ClassVar[bool] = False  # whether results carry the task's floor and ceiling (`ceiling_predictions`)

    def __init__(self, task: "Task", data_root: Path | None = None):
        self.task = task
        self.spec = task.spec
        self.data_root = data_root  # where corpus files a kind reads (a trial list) are; None: not needed

    def unusable(self, utterance: Any) -> str | None:
        """Why an utterance (`data.manifest.Utterance`) cannot be used, recorded as left out; None keeps it.
        A kind that never crops (`crop_samples` None) cannot keep a clip longer than the spec's max_seconds."""
        if self.crop_samples() is None and utterance.duration > self.spec.audio.max_seconds:
            return f"longer than {self.spec.audio.max_seconds} s"
        return None

    def crop_samples(self) -> int | None:
        """Samples each clip is cut to (the spec's max_seconds); None: never cut (a transcript cannot be)."""
        return int(self.spec.audio.max_seconds * 16000)

    def head(self, hidden: int, num_states: int, recipe: str) -> nn.Module:
        """The task head over the encoder's hidden states; it owns `loss(out, mask, labels)` and
        `predict(out, mask)`."""
        raise NotImplementedError

    def model(self, encoder: nn.Module, head: nn.Module) -> nn.Module:
        """The model contract the kind trains: speech in, the encoder's states through the head (a text ->
        speech kind returns its own). forward(**batch) -> {"loss", "preds"}."""
        from sure_bench.train.model import SpeechModel  # train builds on kinds: imported when called

        return SpeechModel(encoder, head)

    def backbone(self, encoder: nn.Module) -> nn.Module:
        """The backbone the kind trains, from a fresh copy of the loaded one, before a method goes in
        (default: itself, a speech encoder; a text-to-speech kind places methods on the stacks its spec names)."""
        from sure_bench.backbones.encoder import SpeechEncoder

        if not isinstance(encoder, SpeechEncoder):
            raise KindError(f"task {self.spec.task}: kind {self.NAME} needs a speech encoder backbone (e.g. "
                            f"whisper-tiny.en); {getattr(encoder, 'name', type(encoder).__name__)} is a "
                            "text-to-speech model: run it on a tts task (sure-bench tasks --kinds)")
        return encoder

    def collator(self) -> Any:
        """Batches a split's rows for the model (default: waveforms cut to `crop_samples`, `targets`)."""
        from sure_bench.train.collate import Collator  # train builds on kinds: imported when called

        return Collator(self)

    def keep_predictions(self, records: list[dict[str, Any]], folder: Path, stem: str) -> list[dict[str, Any]]:
        """The test records as saved beside the result `folder/<stem>.json`: a kind whose predictions name
        files it wrote (synthesized audio) moves them there; default: unchanged."""
        return records

    def encode(self, label: str, utt_id: str = "") -> list[int]:
        """One utterance's training target."""
        raise NotImplementedError

    def targets(self, rows: Sequence[dict[str, Any]]) -> torch.Tensor | None:
        """(B, L) targets of the rows, padded with -100; None when these rows have no targets."""
        encoded = [self.encode(str(r["label"]), str(r["id"])) for r in rows]
        width = max((len(t) for t in encoded), default=0)
        labels = torch.full((len(rows), max(width, 1)), -100, dtype=torch.long)
        for i, t in enumerate(encoded):
            labels[i, : len(t)] = torch.tensor(t, dtype=torch.long)
        return labels

    def reference(self, label: str) -> str:
        """The string a prediction of this label is scored against."""
        return label

    def decode(self, output: np.ndarray) -> Any:
        """One utterance's model output -> its prediction (a label string)."""
        raise NotImplementedError

    def predictions(self, split: str, ids: Sequence[str], labels: Sequence[str],
                    outputs: np.ndarray) -> list[dict[str, Any]]:
        """What is scored and saved for a split: `{"id", "reference", "prediction"}` per scored item,
        from the split's utterances (in order) and the model's outputs for them."""
        return [{"id": str(i), "reference": self.reference(str(lab)), "prediction": self.decode(out)}
                for i, lab, out in zip(ids, labels, outputs)]

    def ceiling_predictions(self, split: str, ids: Sequence[str], labels: Sequence[str],
                            waves: Sequence[np.ndarray]) -> list[dict[str, Any]]:
        """The ceiling anchor of a kind with `ANCHORS`: records scored like `predictions`' but made from the
        split's real targets (its decoded 16 kHz audio) (a TTS kind: the recordings through its own mel -> vocoder path). The floor
        anchor is the untrained model (`kind.model` with no method), scored the usual way."""
        raise NotImplementedError(f"kind {self.NAME} has no anchors")

    def fit_probe(self, features: dict[str, np.ndarray], splits: dict, c_grid: Sequence[float],
                  max_iter: int) -> dict[str, Any]:
        """The kind's closed-form reference on the frozen encoder's pooled states per split (see
        kinds/probe_fits.py): {"c", "dev", "test", "records" (test), "head" (its parameters)}."""
        raise NotImplementedError(f"kind {self.NAME} has no reference probe")

    def references(self, split: str, left_out: set[str]) -> dict[str, Any] | None:
        """References of a split from the task's committed files (to re-score a submission's predictions);
        None when the split is a selector rule over a licensed corpus (no labels are committed)."""
        import csv

        rule = self.task.split_rule(split)
        if not isinstance(rule, Path):
            return None
        with rule.open(newline="", encoding="utf-8") as f:
            return {r["id"]: self.reference(r.get("label", "")) for r in csv.DictReader(f) if r["id"] not in left_out}
