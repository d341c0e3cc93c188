"""LoRA: W x + (alpha / r) * B A dropout(x) on chosen projections, B starting at zero.

Targets are roles of the backbone view (q, k, v, out, ffn_up, ffn_down), so the same config runs on
every family. Our own small module: the frozen base Linear is kept, and the wrapper replaces it.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import Field
from torch import nn

from sure_bench.backbones.view import ROLES, BackboneView
from sure_bench.methods.base import MethodConfig

NAME = "lora"
LR = "default"

Role = Literal["q", "k", "v", "out", "ffn_up", "ffn_down"]


class Config(MethodConfig):
    r: int = Field(8, gt=0)
    alpha: float = Field(16.0, gt=0)
    dropout: float = Field(0.0, ge=0, lt=1)
    targets: list[Role] = Field(default_factory=lambda: ["q", "v"])


PRESETS: dict[str, dict] = {
    "default": {},
    "seed": {"r": 8, "alpha": 1.0, "targets": list(ROLES)},  # the SURE code
}


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float):
        super().__init__()
        self.base = base
        self.lora_a = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / r
        self.dropout = nn.Dropout(dropout)

    @property
    def weight(self) -> torch.Tensor:  # for code that reads the projection's weight directly
        return self.base.weight + self.scale * self.lora_b @ self.lora_a

    @property
    def bias(self) -> torch.Tensor | None:
        return self.base.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scale * (self.dropout(x) @ self.lora_a.T @ self.lora_b.T)


def apply(view: BackboneView, config: Config) -> None:
    for i in range(view.num_layers):
        for role in config.targets:
            base = getattr(view.layers[i], role)
            view.replace(i, role, LoRALinear(base, config.r, config.alpha, config.dropout))


def declared_params(view: BackboneView, config: Config) -> int:
    return sum(config.r * (getattr(layer, role).in_features + getattr(layer, role).out_features)
               for layer in view.layers for role in config.targets)
