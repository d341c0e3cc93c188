"""Speaker verification (SUPERB's ASV shape): a pooled head trained to classify the training speakers;
its projection embeds each utterance of dev and test, and trial pairs are scored by the cosine of their
embeddings. Scored by EER and minDCF.

Trials come, per split, from one of: a committed CSV (`file`: columns enrol, test, label with label
`target`/`nontarget`), the corpus's own list under the data root (`data_file`, VoxCeleb's
`<1|0> <enrol>.wav <test>.wav` lines), or the rule below (`per_utterance`), which needs no file."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, model_validator
from torch import nn

from sure_bench.heads.speaker import SpeakerEmbeddingHead
from sure_bench.kinds import utterance_classification
from sure_bench.kinds.base import KindError
from sure_bench.kinds.probe_fits import cosine_probe
from sure_bench.metrics.verification import NONTARGET, TARGET

NAME = "speaker_verification"


class TrialSource(BaseModel):
    """Where one split's trials come from: exactly one of `file`, `data_file`, `per_utterance`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str | None = Field(None, description="committed CSV (enrol, test, label), relative to the task's folder")
    data_file: str | None = Field(None, description="the corpus's trial list, relative to the data root "
                                                    "(VoxCeleb format: '<1|0> <enrol>.wav <test>.wav')")
    per_utterance: int | None = Field(None, gt=0, description="the hashed-pairs rule: this many target and "
                                                              "this many nontarget trials per utterance")

    @model_validator(mode="after")
    def _one_source(self) -> "TrialSource":
        given = [k for k in ("file", "data_file", "per_utterance") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of 'file', 'data_file', 'per_utterance' (got {given or 'none'})")
        return self


class Trials(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dev: TrialSource
    test: TrialSource


class Fields(utterance_classification.Fields):
    METRICS: ClassVar[frozenset[str]] = frozenset({"eer", "min_dcf"})
    BALANCED_CLASSES: ClassVar[bool] = False

    trials: Trials = Field(description="the dev and test trials: pairs of utterances of the split, same "
                                       "speaker (target) or not (nontarget)")

    def committed_files(self) -> list[str]:
        return [*super().committed_files(), *(s.file for s in (self.trials.dev, self.trials.test) if s.file)]


def hashed_pairs(ids: Sequence[str], speakers: Sequence[str], per_utterance: int,
                 texts: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
    """The committed trial rule: order the utterances by the sha256 of their id; each utterance is paired
    with the next `per_utterance` utterances of its own speaker (target) and of other speakers (nontarget)
    in that order, wrapping around; with `texts`, only with utterances of the same text (text-dependent
    trials). A pair met twice is kept once. Returns (enrol, test, label) in that order."""
    order = sorted(range(len(ids)), key=lambda i: hashlib.sha256(str(ids[i]).encode()).hexdigest())
    n = len(order)
    seen, out = set(), []
    for pos, i in enumerate(order):
        found = {TARGET: 0, NONTARGET: 0}
        for step in range(1, n):
            if min(found.values()) >= per_utterance:
                break
            j = order[(pos + step) % n]
            if texts is not None and texts[j] != texts[i]:
                continue
            label = TARGET if speakers[j] == speakers[i] else NONTARGET
            if found[label] >= per_utterance:
                continue
            found[label] += 1
            key = frozenset((ids[i], ids[j]))
            if key not in seen:
                seen.add(key)
                out.append((str(ids[i]), str(ids[j]), label))
    return out


def _voxceleb_id(path: str) -> str:
    return path.removesuffix(".wav").replace("/", "-")  # as the voxceleb1 loader names utterances


class Kind(utterance_classification.Kind):
    """Targets are the training speakers' class ids; dev and test speakers may be unseen (no targets)."""

    NAME = NAME
    FIELDS = Fields
    PROBE = True

    def head(self, hidden: int, num_states: int, recipe: str) -> nn.Module:
        return SpeakerEmbeddingHead(hidden, num_states, self.classes_per_slot, recipe=recipe)

    def targets(self, rows: Sequence[dict[str, Any]]) -> torch.Tensor | None:
        if any(str(r["label"]) not in self.slot_index[0] for r in rows):
            return None  # held-out speakers: embedded, never classified
        return super().targets(rows)

    def fit_probe(self, features, splits, c_grid, max_iter):
        return cosine_probe(self, features, splits)

    def trials(self, split: str, ids: Sequence[str], speakers: Sequence[str]) -> list[tuple[str, str, str]]:
        """(enrol, test, label) of a split; trials naming an utterance the split lacks (left out) are dropped."""
        source: TrialSource = getattr(self.spec.trials, split)
        if source.per_utterance:
            return hashed_pairs(ids, speakers, source.per_utterance)
        present = set(map(str, ids))
        return [t for t in self._read(source) if t[0] in present and t[1] in present]

    def _read(self, source: TrialSource) -> list[tuple[str, str, str]]:
        if source.file:
            path = self.task.path(source.file)
            if not path.is_file():
                raise KindError(f"{self.task.file}: trials file {path} not found")
            with path.open(newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            bad = [r for r in rows if r.get("label") not in (TARGET, NONTARGET)]
            if not rows or bad or not {"enrol", "test"} <= set(rows[0]):
                raise KindError(f"{path}: expected columns enrol, test, label with label {TARGET!r} or "
                                f"{NONTARGET!r}" + (f"; line {rows.index(bad[0]) + 2} has {bad[0]}" if bad else ""))
            return [(r["enrol"], r["test"], r["label"]) for r in rows]
        if self.data_root is None:
            raise KindError(f"{self.task.file}: trials.data_file needs the data root")
        path = Path(self.data_root) / str(source.data_file)
        if not path.is_file():
            raise KindError(f"{self.task.file}: trial list {path} not found; put the corpus's trial list there")
        out = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3 or parts[0] not in ("0", "1"):
                raise KindError(f"{path}:{n}: expected '<1|0> <enrol>.wav <test>.wav', got {line!r}")
            out.append((_voxceleb_id(parts[1]), _voxceleb_id(parts[2]), TARGET if parts[0] == "1" else NONTARGET))
        return out

    def predictions(self, split: str, ids: Sequence[str], labels: Sequence[str],
                    outputs: np.ndarray) -> list[dict[str, Any]]:
        """One record per trial: id `enrol test`, reference target/nontarget, prediction the cosine."""
        where = {str(i): k for k, i in enumerate(ids)}
        emb = np.asarray(outputs, dtype=np.float64)
        emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        return [{"id": f"{a} {b}", "reference": label, "prediction": round(float(emb[where[a]] @ emb[where[b]]), 6)}
                for a, b, label in self.trials(split, [str(i) for i in ids], [str(x) for x in labels])]

    def references(self, split: str, left_out: set[str]) -> dict[str, Any] | None:
        source: TrialSource = getattr(self.spec.trials, split)
        if source.data_file:
            return None
        if source.file:
            trials = self._read(source)
        else:
            rule = self.task.split_rule(split)
            if not isinstance(rule, Path):
                return None
            with rule.open(newline="", encoding="utf-8") as f:
                rows = [r for r in csv.DictReader(f) if r["id"] not in left_out]
            trials = hashed_pairs([r["id"] for r in rows], [r["label"] for r in rows], source.per_utterance)
        return {f"{a} {b}": label for a, b, label in trials if a not in left_out and b not in left_out}
