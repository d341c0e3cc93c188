"""The FastSpeech-style TTS model of `sure_bench.tts.model`: two stacks of pre-norm blocks (encoder over
phonemes, decoder over mel frames), each block holding `attn_norm`, `attn` (`q_proj`, `k_proj`, `v_proj`,
`out_proj`), `ffn_norm` and `ffn` (`up`, `down`).

Its view has the encoders' roles and insertion points; `placement` chooses which stacks `view.layers`
covers: "decoder" (the default: speaker adaptation), "encoder", or "encoder+decoder" (encoder layers
first). `view.frame_mask` follows the stack that runs (phonemes, then frames). It is a text-to-speech
model, not a speech encoder (symbols in, mel out), so it serves no `SpeechEncoder`: `FAMILIES` is empty,
and `TTSBackbone` plays the encoder's part for methods (`sure_bench.methods.apply.apply_method` takes it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from sure_bench.backbones.families.base import Family
from sure_bench.backbones.view import BackboneView, LayerView, TextToSpeechBackbone

if TYPE_CHECKING:
    from sure_bench.tts.model import FastSpeech, TTSConfig

FAMILY = "fastspeech"
PLACEMENTS = ("decoder", "encoder", "encoder+decoder")


def _stacks(model: nn.Module, placement: str) -> list[nn.Module]:
    if placement not in PLACEMENTS:
        raise ValueError(f"unknown placement {placement!r}; use one of {', '.join(PLACEMENTS)}")
    return [getattr(model, name) for name in placement.split("+")]


def build_view(model: nn.Module, family: str = FAMILY, placement: str = "decoder") -> BackboneView:
    """The family-neutral view over the layers of the stacks `placement` names."""
    blocks = [b for stack in _stacks(model, placement) for b in stack.layers]
    layers = [
        LayerView(i, b, b.attn, b.attn.q_proj, b.attn.k_proj, b.attn.v_proj, b.attn.out_proj, b.ffn.up, b.ffn.down,
                  attn_norm=b.attn_norm, ffn_norm=b.ffn_norm,
                  after_attn=b.attn, after_ffn=b.ffn, attn_input=b.attn, ffn_input=b.ffn)
        for i, b in enumerate(blocks)
    ]
    view = BackboneView(family=family, model=model, hidden_size=model.config.d, num_layers=len(layers),
                        frontend=nn.ModuleList([model.embed]), layers=layers, placement=placement)

    for stack in (model.encoder, model.decoder):
        stack.register_forward_pre_hook(_TrackMask(view))
    return view


class _TrackMask:
    """A stack's forward pre-hook: `Stack.forward(x, mask)`'s mask (the valid phonemes or frames of this
    stack) becomes `view.frame_mask`. An object rather than a closure, so that a deep copy of the model
    updates the copy's view, not the original's."""

    def __init__(self, view: BackboneView):
        self.view = view

    def __call__(self, _stack: nn.Module, args: tuple) -> None:
        self.view.frame_mask = args[1]


class TTSBackbone(TextToSpeechBackbone, nn.Module):
    """A `FastSpeech` model with its view for one placement; modules methods insert are registered here."""

    def __init__(self, model: FastSpeech, placement: str = "decoder", name: str = "", weights_sha256: str = ""):
        super().__init__()
        self.model, self.family, self.name, self.weights_sha256 = model, FAMILY, name, weights_sha256
        self.view = build_view(model, FAMILY, placement)
        self.inserted = self.view.inserted_modules()

    def forward(self, *args: Any, **kwargs: Any) -> dict[str, torch.Tensor]:
        """The model's training losses (`FastSpeech.forward`)."""
        return self.model(*args, **kwargs)

    def synthesize(self, phonemes: str, speaker: int | str = 0, **kwargs: Any) -> torch.Tensor:
        return self.model.synthesize(phonemes, speaker, **kwargs)


def _tiny() -> TTSConfig:
    from sure_bench.tts.model import TTSConfig

    return TTSConfig(speakers=["a", "b", "c"], d=32, heads=2, encoder_layers=2, decoder_layers=2, ffn=64,
                     kernel=3, dropout=0.0, duration_filter=32)


TINY: dict[str, Any] = {"tiny-fastspeech": _tiny}
WEIGHTS = Path(__file__).resolve().parents[1] / "weights"
# Checkpoints of `python -m sure_bench.tts.pretrain` shipped in the package (fp16, with their card: the
# command, seed, corpus sha256 and losses that made them).
EMBEDDED: dict[str, Path] = {"fastspeech-tts-mini": WEIGHTS / "fastspeech-tts-mini.safetensors"}


def known() -> dict[str, str]:
    """Name -> where its weights come from, for `known_backbones`."""
    return {**{n: f"packaged in sure-bench ({p.name}; made by python -m sure_bench.tts.pretrain, see "
                  f"{p.with_suffix('.json').name})" for n, p in EMBEDDED.items()},
            **{t: "random init from a tiny config (tests)" for t in TINY}}


def serves(name: str) -> bool:
    """Whether `name` is a TTS backbone this family loads: a tiny config, a packaged checkpoint, a file."""
    return name in TINY or name in EMBEDDED or name.endswith(".safetensors")


def load_tts_backbone(name: str, placement: str = "decoder", seed: int = 0) -> TTSBackbone:
    """`tiny-fastspeech` (random, seeded), a packaged checkpoint (`fastspeech-tts-mini`) or a checkpoint
    written by `sure_bench.tts.pretrain` (.safetensors)."""
    from sure_bench.tts.model import FastSpeech

    if name in TINY:
        torch.manual_seed(seed)
        return TTSBackbone(FastSpeech(TINY[name]()), placement, name)
    from sure_bench.tts.checkpoint import load_checkpoint

    path = EMBEDDED.get(name, Path(name))
    if not path.is_file():
        raise ValueError(f"TTS backbone {name!r}: no file {path}; give a checkpoint written by "
                         "`python -m sure_bench.tts.pretrain` or one of " + ", ".join(sorted(known())))
    model, card = load_checkpoint(path)
    return TTSBackbone(model, placement, name, card.get("weights_sha256", ""))


FAMILIES: list[Family] = []  # not a speech encoder: see the module docstring
