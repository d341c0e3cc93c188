"""Slot filling scored on slot-tagged transcripts: `play <artist> taylor swift </artist> now`.

The SUPERB slot-filling metrics: slot-type F1 (per utterance, between the sets of slot types found,
averaged) and slot-value CER (each reference value against the closest hypothesis value of its type).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jiwer

TAG = re.compile(r"^</?[A-Za-z_]+>$")
_SPAN = re.compile(r"<([A-Za-z_]+)> (.+?) </\1>")
_ANY_TAG = re.compile(r"</?[A-Za-z_]+>")


def strip_tags(text: str) -> str:
    """The transcript without its slot tags."""
    return " ".join(_ANY_TAG.sub(" ", text).split())


def slot_values(text: str) -> dict[str, list[str]]:
    """Slot type -> the values tagged with it, in order."""
    out: dict[str, list[str]] = {}
    for kind, value in _SPAN.findall(" ".join(text.split())):
        out.setdefault(kind, []).append(strip_tags(value))
    return out


def slot_type_f1(refs: Sequence[str], hyps: Sequence[str]) -> float:
    scores = []
    for ref, hyp in zip(refs, hyps):
        r, h = set(slot_values(ref)), set(slot_values(hyp))
        if not r and not h:
            scores.append(1.0)
        elif not r or not h:
            scores.append(0.0)
        else:
            precision, recall = len(r & h) / len(h), len(r & h) / len(r)
            scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / max(len(scores), 1)


def slot_value_cer(refs: Sequence[str], hyps: Sequence[str]) -> float:
    pairs_ref, pairs_hyp = [], []
    for ref, hyp in zip(refs, hyps):
        h = slot_values(hyp)
        for kind, values in slot_values(ref).items():
            for value in values:
                candidates = h.get(kind) or [""]
                best = min(candidates, key=lambda c: jiwer.cer(value, c) if c else 1.0)
                pairs_ref.append(value)
                pairs_hyp.append(best)
    return float(jiwer.cer(pairs_ref, pairs_hyp)) if pairs_ref else 0.0
