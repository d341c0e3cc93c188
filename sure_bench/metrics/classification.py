"""Metric functions by name: classification (accuracy, F1), multi-slot, and ASR (WER, CER)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jiwer
from sklearn.metrics import accuracy_score, f1_score

from sure_bench.metrics.slots import slot_type_f1, slot_value_cer, strip_tags
from sure_bench.metrics.text import normalize_text


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


def _asr_pairs(refs: Sequence[str], hyps: Sequence[str]) -> tuple[list[str], list[str]]:
    r = [normalize_text(strip_tags(x)) for x in refs]  # slot-tagged transcripts are scored without tags
    h = [normalize_text(strip_tags(x)) for x in hyps]
    keep = [i for i, x in enumerate(r) if x]
    return [r[i] for i in keep], [h[i] for i in keep]


def wer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    r, h = _asr_pairs(refs, hyps)
    return float(jiwer.wer(r, h))


def cer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    r, h = _asr_pairs(refs, hyps)
    return float(jiwer.cer(r, h))


def per(refs: Sequence[str], hyps: Sequence[str]) -> float:
    """Phone error rate: edit distance over space-separated phones (references are phone strings)."""
    keep = [i for i, r in enumerate(refs) if r.strip()]
    return float(jiwer.wer([refs[i] for i in keep], [hyps[i] for i in keep]))


METRICS: dict[str, Callable[[Sequence[str], Sequence[str]], float]] = {
    "accuracy": accuracy,
    "macro_f1": macro_f1,
    "weighted_f1": weighted_f1,
    "slot_accuracy": slot_accuracy,
    "wer": wer,
    "cer": cer,
    "per": per,
    "slot_type_f1": slot_type_f1,
    "slot_value_cer": slot_value_cer,
}


def compute(names: Sequence[str], refs: Sequence[str], hyps: Sequence[str]) -> dict[str, float]:
    """Each named metric over string references and hypotheses."""
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; known: {sorted(METRICS)}")
    return {n: METRICS[n](refs, hyps) for n in names}
