"""Counting trainable parameters in buckets by ownership."""

from __future__ import annotations

from torch import nn

from sure_bench.results.schema import Params


def count_params(encoder: nn.Module, head: nn.Module, original: set[int]) -> Params:
    """`original`: ids of the backbone's parameters before the method was applied."""
    backbone_total = sum(p.numel() for p in encoder.parameters() if id(p) in original)
    added = sum(p.numel() for p in encoder.parameters() if id(p) not in original and p.requires_grad)
    unfrozen = sum(p.numel() for p in encoder.parameters() if id(p) in original and p.requires_grad)
    layer_w = sum(p.numel() for n, p in head.named_parameters() if n.startswith("featurizer."))
    head_n = sum(p.numel() for n, p in head.named_parameters() if not n.startswith("featurizer."))
    return Params(
        backbone_total=backbone_total,
        method_added=added,
        method_unfrozen=unfrozen,
        head=head_n,
        layer_weights=layer_w,
        percent=100.0 * (added + unfrozen) / max(backbone_total, 1),
    )
