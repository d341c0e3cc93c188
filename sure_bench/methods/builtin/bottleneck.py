"""Bottleneck adapters: down-projection, nonlinearity, up-projection, residual (Houlsby / Pfeiffer).

The up-projection starts at zero, so the model is unchanged at step 0.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from torch import nn

from sure_bench.backbones.view import BackboneView
from sure_bench.methods.base import MethodConfig

NAME = "bottleneck"
LR = "default"


class Config(MethodConfig):
    width: int | None = Field(None, gt=0, description="bottleneck width; default max(8, hidden // reduction)")
    reduction: float = Field(16.0, gt=0)
    activation: Literal["relu", "gelu", "swish"] = "relu"
    after_attn: bool = False
    after_ffn: bool = True
    zero_init: bool = True


PRESETS: dict[str, dict] = {
    "default": {},
    "pfeiffer": {"after_ffn": True, "after_attn": False},
    "houlsby": {"after_ffn": True, "after_attn": True},
    "seed": {"reduction": 2.0, "activation": "relu"},  # the SURE code: after FFN, width hidden / 2
}

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "swish": nn.SiLU}


class Adapter(nn.Module):
    """y -> up(act(down(y))); the caller adds the residual."""

    def __init__(self, hidden: int, width: int, activation: str, zero_init: bool):
        super().__init__()
        self.down = nn.Linear(hidden, width)
        self.act = ACTIVATIONS[activation]()
        self.up = nn.Linear(width, hidden)
        if zero_init:
            nn.init.zeros_(self.up.weight)
            nn.init.zeros_(self.up.bias)

    def forward(self, y):
        return self.up(self.act(self.down(y)))


def apply(view: BackboneView, config: Config) -> None:
    width = config.width or max(8, int(view.hidden_size / config.reduction))  # floor: tiny test configs
    points = [p for p, on in (("after_attn", config.after_attn), ("after_ffn", config.after_ffn)) if on]
    for i in range(view.num_layers):
        for point in points:
            view.insert(point, i, Adapter(view.hidden_size, width, config.activation, config.zero_init))


def declared_params(view: BackboneView, config: Config) -> int:
    width = config.width or max(8, int(view.hidden_size / config.reduction))
    per_adapter = 2 * view.hidden_size * width + width + view.hidden_size
    return per_adapter * view.num_layers * (int(config.after_attn) + int(config.after_ffn))
