"""Turning a task's string labels into training targets and predictions back into strings."""

from __future__ import annotations

from collections.abc import Sequence

from sure_bench.heads.ctc import ctc_collapse
from sure_bench.metrics.lexicon import LexiconError, load_lexicon, oov_words, to_phones
from sure_bench.metrics.slots import TAG
from sure_bench.metrics.text import normalize_text
from sure_bench.tasks.registry import Task


class LabelError(ValueError):
    """A label in the data is not in the task's label set or vocabulary."""


class LabelCodec:
    """Classes per slot (classification, intent) or a character vocabulary (CTC)."""

    def __init__(self, task: Task):
        spec = task.spec
        self.task_name = spec.task
        self.kind = spec.kind
        if spec.kind == "utterance_classification":
            self.slot_values = [task.label_set()]
        elif spec.kind == "multi_slot_classification":
            self.slot_values = [list(v) for v in (spec.slots or {}).values()]
        else:
            self.slot_values = []
        self.slot_index = [{v: i for i, v in enumerate(vals)} for vals in self.slot_values]
        self.vocab = task.vocabulary() if spec.kind == "ctc_asr" else []
        self.char_index = {c: i + 1 for i, c in enumerate(self.vocab)}
        self.phones = spec.units == "phones"
        self.slot_tags = spec.units == "slot_characters"
        self.lexicon = load_lexicon(task.path(spec.lexicon)) if self.phones and spec.lexicon else {}

    def unusable(self, label: str) -> str | None:
        """Why an utterance cannot be a target (words missing from the lexicon), or None."""
        missing = oov_words(label, self.lexicon) if self.phones else []
        return f"words not in the lexicon: {missing[:5]}" if missing else None

    @property
    def classes_per_slot(self) -> list[int]:
        return [len(v) for v in self.slot_values]

    def encode(self, label: str, utt_id: str = "") -> list[int]:
        """Class index per slot, or character indices (1-based; 0 is the CTC blank)."""
        if self.phones:
            try:
                phones = to_phones(label, self.lexicon)
            except LexiconError as e:
                raise LabelError(f"task {self.task_name}: utterance {utt_id!r}: {e}") from None
            bad = sorted({p for p in phones if p not in self.char_index})
            if bad:
                raise LabelError(f"task {self.task_name}: utterance {utt_id!r} has phones {bad} missing from the "
                                 "task's vocab file; add them to the vocab file")
            return [self.char_index[p] for p in phones]
        if self.slot_tags:
            symbols = self._tagged_symbols(label)
            bad = sorted({c for c in symbols if c not in self.char_index})
            if bad:
                raise LabelError(f"task {self.task_name}: utterance {utt_id!r} transcript has symbols {bad} "
                                 "missing from the task's vocab file; add them to the vocab file")
            return [self.char_index[c] for c in symbols]
        if self.kind == "ctc_asr":
            text = normalize_text(label)
            bad = sorted({c for c in text if c not in self.char_index})
            if bad:
                raise LabelError(f"task {self.task_name}: utterance {utt_id!r} transcript has characters {bad} "
                                 "missing from the task's vocab file; add them to the vocab file")
            return [self.char_index[c] for c in text]
        parts = label.split("|") if len(self.slot_values) > 1 else [label]
        if len(parts) != len(self.slot_values):
            raise LabelError(f"task {self.task_name}: utterance {utt_id!r} label {label!r} has {len(parts)} "
                             f"slot(s), expected {len(self.slot_values)} joined by '|'")
        out = []
        for part, index in zip(parts, self.slot_index):
            if part not in index:
                raise LabelError(f"task {self.task_name}: utterance {utt_id!r} label {part!r} is not in the "
                                 f"spec's label set {sorted(index)}")
            out.append(index[part])
        return out

    def decode(self, pred: Sequence[int]) -> str:
        """A prediction row (class per slot, or greedy CTC path) -> label string."""
        if self.kind == "ctc_asr":
            text = ctc_collapse([int(i) for i in pred], self.vocab, " " if self.phones else "")
            return " ".join(text.split()) if self.slot_tags else text
        return "|".join(vals[int(i)] for vals, i in zip(self.slot_values, pred))

    def reference(self, label: str) -> str:
        """The string a prediction is scored against."""
        if self.phones:
            return " ".join(to_phones(label, self.lexicon))
        if self.slot_tags:
            return "".join(self._tagged_symbols(label))
        return normalize_text(label) if self.kind == "ctc_asr" else label

    @staticmethod
    def _tagged_symbols(label: str) -> list[str]:
        """Characters of the normalised words, a space between words, each slot tag one symbol."""
        out: list[str] = []
        for word in label.split():
            piece = [word] if TAG.match(word) else list(normalize_text(word))
            if piece:
                out += ([" "] if out else []) + piece
        return out
