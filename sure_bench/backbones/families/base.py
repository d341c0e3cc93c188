"""What a backbone family module provides: a `Family` record per family name it serves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from sure_bench.backbones.attention import route_forward
from sure_bench.backbones.view import BackboneView

if TYPE_CHECKING:
    from sure_bench.backbones.encoder import SpeechEncoder

Forward = Callable[["SpeechEncoder", torch.Tensor, torch.Tensor], tuple[tuple[torch.Tensor, ...], torch.Tensor]]
# (encoder, wave (B, S), lengths) -> (the frozen front end's output (B, T, C), valid frames per clip (B,))
FrontEnd = Callable[["SpeechEncoder", torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
# (encoder, front-end output (B, T, C), valid frames per clip) -> (states, frame mask), as `Forward` gives
FromFrontEnd = Callable[["SpeechEncoder", torch.Tensor, torch.Tensor], tuple[tuple[torch.Tensor, ...], torch.Tensor]]


@dataclass(frozen=True)
class Embedded:
    """Weights shipped with a package: calling it with the cache folder returns the weights file's path."""

    weights: Callable[[Path], Path]
    source: str  # where the weights come from, for `known_backbones`

    def __call__(self, cache_dir: Path) -> Path:
        return self.weights(cache_dir)


def _no_embedded(name: str, cache_dir: Path, weights: bool) -> tuple[nn.Module, str]:
    raise ValueError(f"backbone {name!r} is not embedded")


def _nothing(model: nn.Module) -> None:
    return None


@dataclass(frozen=True)
class Family:
    """Everything family-specific about a backbone; `SpeechEncoder` and the registry only call these.

    A family module exports `FAMILIES: list[Family]`; `sure_bench.backbones.families` collects them.
    """

    name: str                                           # e.g. "wavlm"; HF `config.model_type` unless `model_types` says
    build_view: Callable[[nn.Module, str], BackboneView]  # (model, family name) -> the family-neutral view
    forward: Forward                                    # (encoder, wave, lengths) -> (states, frame mask)
    from_config: Callable[[Any], nn.Module]             # an HF config -> the encoder module (random init)
    from_pretrained: Callable[[str, Any], nn.Module]    # (hub id or folder, its config) -> the encoder module
    padding_invariant: Callable[[nn.Module], bool]      # a clip's states the same alone and padded in a batch
    model_types: tuple[str, ...] = ()                   # HF model types served (default: `(name,)`)
    tiny: dict[str, Callable[[], Any]] = field(default_factory=dict)           # tiny test backbone -> config
    architectures: dict[str, Callable[[], Any]] = field(default_factory=dict)  # known name -> offline config
    hub: dict[str, str] = field(default_factory=dict)                          # known name -> hub id
    embedded: dict[str, Embedded] = field(default_factory=dict)                # packaged weights by name
    load_embedded: Callable[[str, Path, bool], tuple[nn.Module, str]] = _no_embedded  # -> (model, sha256)
    freeze_frontend: Callable[[nn.Module], None] = _nothing  # beyond requires_grad: the family's own switch
    route_attention: Callable[[nn.Module], None] = route_forward  # send an attention through `attend`
    always_route: bool = False  # route at construction (its own attention bypasses the projection modules);
    #                             transformers' attention implementation then does not apply
    # `forward` in two halves, so a frozen front end's output can be cached (features/frontend.py): both
    # or neither; `from_frontend(frontend(w, l))` must equal `forward(w, l)` on a padding-invariant model
    frontend: FrontEnd | None = None
    from_frontend: FromFrontEnd | None = None

    @property
    def served_model_types(self) -> tuple[str, ...]:
        return self.model_types or (self.name,)
