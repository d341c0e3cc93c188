"""Recognition metrics: WER and CER after the text normaliser, PER over phones, and SUPERB's slot-filling
scores on slot-tagged transcripts."""

from __future__ import annotations

from collections.abc import Sequence

import jiwer

from sure_bench.metrics.registry import register
from sure_bench.metrics.slots import slot_type_f1, slot_value_cer, strip_tags
from sure_bench.metrics.text import normalize_text


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


# error rates can pass 1 (insertions), but 1 is where a useless system sits: the report's bound
register("wer", wer, higher_is_better=False, description="word error rate")
register("cer", cer, higher_is_better=False, description="character error rate")
register("per", per, higher_is_better=False, description="phone error rate")
register("slot_type_f1", slot_type_f1, higher_is_better=True, description="F1 of slot types per utterance")
register("slot_value_cer", slot_value_cer, higher_is_better=False, description="CER of slot values")
