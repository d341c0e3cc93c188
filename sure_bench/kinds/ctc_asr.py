"""Transcription with a CTC head over a committed vocabulary (index 0 is the blank). What a symbol is
comes from `units`: characters of the transcript, phones through a committed lexicon, or characters plus
slot tags (slot filling); each is a small codec below."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field
from torch import nn

from sure_bench.heads.ctc import CTCHead, ctc_collapse
from sure_bench.kinds.base import KindError, KindFields, TaskKind
from sure_bench.kinds.lexicon import LexiconError, load_lexicon, oov_words, to_phones
from sure_bench.metrics.slots import TAG
from sure_bench.metrics.text import normalize_text

NAME = "ctc_asr"
SLOT_METRICS = {"slot_type_f1", "slot_value_cer"}


class Fields(KindFields):
    METRICS: ClassVar[frozenset[str]] = frozenset({"wer", "cer", "per", *SLOT_METRICS})

    vocab: str = Field(description="committed vocabulary file, one symbol per line ('|' stands for space)")
    units: Literal["characters", "phones", "slot_characters"] = Field(
        "characters", description="targets: characters of the transcript, phones via 'lexicon', or "
                                  "characters plus slot tags (<type> ... </type>, each tag one vocab symbol)")
    lexicon: str | None = Field(None, description="committed pronunciation lexicon (word, then phones) for units: phones")

    def committed_files(self) -> list[str]:
        return [f for f in (self.vocab, self.lexicon) if f]

    def check_kind(self) -> None:
        named = {self.metrics.primary, *self.metrics.also}
        phones = self.units == "phones"
        if phones and not self.lexicon:
            raise ValueError("field 'lexicon': units: phones needs 'lexicon': a path to the committed pronunciation lexicon")
        if ("per" in named) != phones or (phones and named != {"per"}):
            raise ValueError("field 'metrics': units: phones is scored with metric 'per' (phone error rate) alone, and 'per' "
                             "needs units: phones")
        if SLOT_METRICS & named and self.units != "slot_characters":
            raise ValueError("field 'units': metrics slot_type_f1 / slot_value_cer need units: slot_characters")


class Characters:
    """The normalised transcript, one symbol per character."""

    separator = ""

    def __init__(self, task):
        self.task = task

    def unusable(self, label: str) -> str | None:
        return None

    def symbols(self, label: str, utt_id: str) -> list[str]:
        return list(normalize_text(label))

    def reference(self, label: str) -> str:
        return normalize_text(label)

    def tidy(self, text: str) -> str:
        return text


class Phones(Characters):
    """The transcript's phones through the committed lexicon; an utterance with unknown words is left out."""

    separator = " "

    def __init__(self, task):
        super().__init__(task)
        self.lexicon = load_lexicon(task.path(task.spec.lexicon))

    def unusable(self, label: str) -> str | None:
        missing = oov_words(label, self.lexicon)
        return f"words not in the lexicon: {missing[:5]}" if missing else None

    def symbols(self, label: str, utt_id: str) -> list[str]:
        try:
            return to_phones(label, self.lexicon)
        except LexiconError as e:
            raise KindError(f"task {self.task.spec.task}: utterance {utt_id!r}: {e}") from None

    def reference(self, label: str) -> str:
        return " ".join(to_phones(label, self.lexicon))


class SlotCharacters(Characters):
    """Characters of the normalised words, a space between words, each slot tag (`<type>`) one symbol."""

    def symbols(self, label: str, utt_id: str) -> list[str]:
        out: list[str] = []
        for word in label.split():
            piece = [word] if TAG.match(word) else list(normalize_text(word))
            if piece:
                out += ([" "] if out else []) + piece
        return out

    def reference(self, label: str) -> str:
        return "".join(self.symbols(label, ""))

    def tidy(self, text: str) -> str:
        return " ".join(text.split())


UNITS = {"characters": Characters, "phones": Phones, "slot_characters": SlotCharacters}


def read_vocabulary(task) -> list[str]:
    """The committed vocabulary, one symbol per line (`|` stands for space)."""
    path = task.path(task.spec.vocab)
    if not path.is_file():
        raise KindError(f"{task.file}: vocab file {path} not found")
    symbols = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [" " if s == "|" else s for s in symbols]


class Kind(TaskKind):
    NAME = NAME
    FIELDS = Fields

    def __init__(self, task, data_root=None):
        super().__init__(task, data_root)
        self.units = UNITS[self.spec.units](task)
        self.vocab = read_vocabulary(task)
        self.index = {c: i + 1 for i, c in enumerate(self.vocab)}

    def unusable(self, utterance) -> str | None:
        return super().unusable(utterance) or self.units.unusable(utterance.label)

    def crop_samples(self) -> int | None:
        return None

    def head(self, hidden: int, num_states: int, recipe: str) -> nn.Module:
        return CTCHead(hidden, num_states, len(self.vocab), recipe)

    def encode(self, label: str, utt_id: str = "") -> list[int]:
        """Vocabulary indices (1-based; 0 is the CTC blank)."""
        symbols = self.units.symbols(label, utt_id)
        bad = sorted({c for c in symbols if c not in self.index})
        if bad:
            raise KindError(f"task {self.spec.task}: utterance {utt_id!r} has symbols {bad} missing from the "
                            "task's vocab file; add them to the vocab file")
        return [self.index[c] for c in symbols]

    def reference(self, label: str) -> str:
        return self.units.reference(label)

    def decode(self, output: np.ndarray) -> str:
        """A greedy CTC path (padded frames are -100) -> text."""
        return self.units.tidy(ctc_collapse([int(i) for i in output], self.vocab, self.units.separator))
