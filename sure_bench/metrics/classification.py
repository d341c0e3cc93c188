"""Classification metrics: accuracy, F1, and per-slot accuracy for multi-slot labels (`a|b|c`)."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.metrics import accuracy_score, f1_score

from sure_bench.metrics.registry import register


def accuracy(refs: Sequence[str], hyps: Sequence[str]) -> float:
    return float(accuracy_score(refs, hyps))


def macro_f1(refs: Sequence[str], hyps: Sequence[str]) -> float:
    return float(f1_score(refs, hyps, average="macro", zero_division=0))


def weighted_f1(refs: Sequence[str], hyps: Sequence[str]) -> float:
    return float(f1_score(refs, hyps, average="weighted", zero_division=0))


def slot_accuracy(refs: Sequence[str], hyps: Sequence[str]) -> float:
    """Share of individual slots right (labels are slot values joined by `|`)."""
    pairs = [(r, h) for ref, hyp in zip(refs, hyps) for r, h in zip(ref.split("|"), hyp.split("|"))]
    return sum(r == h for r, h in pairs) / max(len(pairs), 1)


register("accuracy", accuracy, higher_is_better=True, description="share of utterances with every slot right")
register("macro_f1", macro_f1, higher_is_better=True, description="F1 averaged over classes")
register("weighted_f1", weighted_f1, higher_is_better=True, description="F1 averaged, weighted by class support")
register("slot_accuracy", slot_accuracy, higher_is_better=True, description="share of single slots right")
