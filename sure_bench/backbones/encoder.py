"""SpeechEncoder: one nn.Module over any supported family, with waveform in and all layers out.

Family-specific module names and code live only in `sure_bench.backbones.families`.
"""

from __future__ import annotations

import torch
from torch import nn

from sure_bench.backbones.attention import install as install_attention
from sure_bench.backbones.families import Family, get_family
from sure_bench.backbones.view import ViewBacked

__all__ = ["ATTENTION", "SpeechEncoder"]

ATTENTION = ("sdpa", "eager")


class SpeechEncoder(ViewBacked, nn.Module):
    """Waveforms (B, S) at 16 kHz -> hidden states of every layer and a frame mask."""

    def __init__(self, model: nn.Module, family: str, name: str = "", weights_sha256: str = ""):
        super().__init__()
        fam = get_family(family)
        if getattr(model.config, "layerdrop", 0.0):
            model.config.layerdrop = 0.0  # every method must see every layer in every step
        self.model = model
        self.family = family
        self.name = name
        self.weights_sha256 = weights_sha256
        self.view = fam.build_view(model, family)
        self.view.route_attention = fam.route_attention
        if fam.always_route:  # its own attention bypasses the projection modules: route it through them
            for layer in self.view.layers:
                install_attention(layer.attention, fam.route_attention)
        self.inserted = self.view.inserted_modules()  # registered here so methods' modules train/save

    @property
    def family_spec(self) -> Family:
        """This encoder's family record (looked up, not stored: the encoder stays deep-copyable)."""
        return get_family(self.family)

    @property
    def padding_invariant(self) -> bool:
        """Whether a clip's states are the same alone or padded in a batch. wav2vec2-family models with a
        group-normed CNN (wav2vec2-base, HuBERT base) were trained without an attention mask, so padding
        changes their output."""
        return self.family_spec.padding_invariant(self.model)

    def set_attention(self, implementation: str) -> None:
        """`sdpa` (torch's fused scaled-dot-product attention, the default) or `eager` (written out), in
        transformers' attention and in sure-bench's own (WavLM, prefix tuning) alike."""
        if implementation not in ATTENTION:
            raise ValueError(f"unknown attention {implementation!r}; choose from {', '.join(ATTENTION)}")
        if not self.family_spec.always_route:  # else transformers' attention never runs (WavLM has no SDPA)
            self.model.set_attn_implementation(implementation)
        for layer in self.view.layers:
            layer.attention.sure_eager = implementation == "eager"

    def freeze_frontend(self) -> None:
        """Freeze the CNN / conv stem for real (no grad through it, no grad on its output)."""
        for p in self.view.frontend.parameters():
            p.requires_grad_(False)
        self.family_spec.freeze_frontend(self.model)

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        """Return (hidden states of the input embedding and every layer, frame mask (B, T) bool)."""
        return self.family_spec.forward(self, wave, lengths)

    @property
    def caches_frontend(self) -> bool:
        """Whether the front end's output can stand in for the waveform: the family splits its forward
        there, and a clip's front-end output does not depend on the clips padded beside it."""
        fam = self.family_spec
        return fam.frontend is not None and fam.from_frontend is not None and self.padding_invariant

    def frontend(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The front end alone (log-mel + conv stem, or the CNN): ((B, T, C), valid frames per clip)."""
        return self.family_spec.frontend(self, wave, lengths)

    def from_frontend(self, features: torch.Tensor, frame_lengths: torch.Tensor):
        """`forward` from the front end's output on: (hidden states, frame mask)."""
        return self.family_spec.from_frontend(self, features, frame_lengths)
