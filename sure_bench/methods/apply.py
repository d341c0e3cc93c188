"""Putting a method into a backbone: the one place that freezes, applies and re-freezes the front end."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.methods.accounting import count_params
from sure_bench.methods.base import Method, MethodConfig
from sure_bench.results.schema import Params


def apply_method(encoder: SpeechEncoder, method: Method, config: MethodConfig) -> set[int]:
    """Freeze the whole backbone, apply the method, and freeze the front end for real if it stayed
    frozen. Returns the ids of the backbone's own parameters (for counting what the method added)."""
    original = {id(p) for p in encoder.parameters()}
    for p in encoder.parameters():
        p.requires_grad_(False)
    method.apply(encoder.view, config)
    if not any(p.requires_grad for p in encoder.view.frontend.parameters()):
        encoder.freeze_frontend()
    return original


def apply_and_count(encoder: SpeechEncoder, method: Method, config: MethodConfig,
                    make_head: Callable[[], nn.Module] | None = None) -> tuple[nn.Module | None, Params]:
    """Apply the method, then build the head (in that order: both draw from the seeded generator, so a
    run's initial weights depend on it), and count the parameters by owner. Without a head, the counts
    leave the head out."""
    original = apply_method(encoder, method, config)
    head = make_head() if make_head is not None else None
    return head, count_params(encoder, head if head is not None else nn.Module(), original)
