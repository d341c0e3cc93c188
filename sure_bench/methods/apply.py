"""Putting a method into a backbone: the one place that freezes, applies and re-freezes the front end."""

from __future__ import annotations

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.methods.base import Method, MethodConfig


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
