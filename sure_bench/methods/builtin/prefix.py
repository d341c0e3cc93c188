"""Prefix tuning: learned key and value prefixes of length L for every self-attention layer.

Optionally reparametrised through an MLP (Li & Liang, 2021). Padded batches stay correct (every query
may attend to every prefix slot; padding keys stay masked), and gradient checkpointing recomputes each
layer with its own prefix.
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from sure_bench.backbones.view import BackboneView
from sure_bench.methods.base import MethodConfig

NAME = "prefix"
LR = "default"


class Config(MethodConfig):
    length: int = Field(30, ge=0)
    mlp: bool = False
    mlp_hidden: int = Field(512, gt=0)
    init_std: float = Field(0.02, gt=0)


PRESETS: dict[str, dict] = {"default": {}, "mlp": {"mlp": True}}


class Prefix(nn.Module):
    """() -> (keys (L, hidden), values (L, hidden)) for one layer."""

    def __init__(self, length: int, hidden: int, config: Config):
        super().__init__()
        self.mlp = None
        if config.mlp:
            self.embedding = nn.Parameter(torch.randn(length, hidden) * config.init_std)
            self.mlp = nn.Sequential(nn.Linear(hidden, config.mlp_hidden), nn.Tanh(),
                                     nn.Linear(config.mlp_hidden, 2 * hidden))
        else:
            self.keys = nn.Parameter(torch.randn(length, hidden) * config.init_std)
            self.values = nn.Parameter(torch.randn(length, hidden) * config.init_std)

    def forward(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.mlp is None:
            return self.keys, self.values
        kv = self.mlp(self.embedding)
        return kv.chunk(2, dim=-1)


def apply(view: BackboneView, config: Config) -> None:
    for i in range(view.num_layers):
        view.set_prefix(i, Prefix(config.length, view.hidden_size, config))


def declared_params(view: BackboneView, config: Config) -> int:
    h, n = view.hidden_size, config.length
    per_layer = (n * h + h * config.mlp_hidden + config.mlp_hidden + config.mlp_hidden * 2 * h + 2 * h) if config.mlp \
        else 2 * n * h
    return per_layer * view.num_layers
