"""ConvAdapter (the SURE paper): a convolutional adapter after every layer's feed-forward block.

LayerNorm -> grouped Conv1d (hidden -> inner, k=3, groups=inner) -> ReLU -> depthwise Conv1d (k=5)
-> grouped Conv1d (inner -> hidden, k=3, groups=inner) -> squeeze-and-excitation (reduction 16),
added to the block's output with its own residual. Preset `seed` is the SURE code exactly: no biases,
inner = hidden / 2, SE pooling over padding too, not an identity at init. The default preset pools
only real frames, keeps padding out of the convolutions, and starts as an identity (last conv zero).
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from sure_bench.backbones.view import BackboneView
from sure_bench.methods.base import MethodConfig

NAME = "conv_adapter"
LR = "default"


class Config(MethodConfig):
    inner: int | None = Field(None, gt=0, description="inner channels; default hidden // 2")
    kernel_in: int = Field(3, gt=0)
    kernel_depthwise: int = Field(5, gt=0)
    kernel_out: int = Field(3, gt=0)
    squeeze_excite: bool = True
    se_reduction: int = Field(16, gt=0)
    masked: bool = True
    identity_init: bool = True


PRESETS: dict[str, dict] = {"default": {}, "seed": {"masked": False, "identity_init": False}}


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, reduction: int):
        super().__init__()
        inner = max(8, channels // reduction)  # floor only matters for tiny test configs
        self.fc = nn.Sequential(nn.Linear(channels, inner, bias=False), nn.ReLU(),
                                nn.Linear(inner, channels, bias=False), nn.Sigmoid())

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """x (B, C, T); mask (B, T) or None (plain average over every frame)."""
        if mask is None:
            pooled = x.mean(dim=-1)
        else:
            m = mask[:, None, :].to(x.dtype)
            pooled = (x * m).sum(-1) / m.sum(-1).clamp(min=1.0)
        return x * self.fc(pooled)[:, :, None]


class ConvAdapter(nn.Module):
    def __init__(self, hidden: int, config: Config, frame_mask):
        super().__init__()
        inner = config.inner or hidden // 2
        if hidden % inner:
            raise ValueError(f"conv_adapter: inner={inner} must divide hidden size {hidden} (grouped convolutions)")
        self.frame_mask = frame_mask  # a callable: the current batch's (B, T) valid frames
        self.masked = config.masked
        self.norm = nn.LayerNorm(hidden)
        self.conv_in = nn.Conv1d(hidden, inner, config.kernel_in, padding="same", groups=inner, bias=False)
        self.act = nn.ReLU()
        self.conv_dw = nn.Conv1d(inner, inner, config.kernel_depthwise, padding="same", groups=inner, bias=False)
        self.conv_out = nn.Conv1d(inner, hidden, config.kernel_out, padding="same", groups=inner, bias=False)
        self.se = SqueezeExcite(hidden, config.se_reduction) if config.squeeze_excite else None
        if config.identity_init:
            nn.init.zeros_(self.conv_out.weight)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        mask = self.frame_mask() if self.masked else None
        if mask is not None and mask.shape != y.shape[:2]:
            raise RuntimeError(f"conv_adapter: the backbone's frame mask {tuple(mask.shape)} does not match the "
                               f"layer's frames {tuple(y.shape[:2])}; its family must set `view.frame_mask` for "
                               "each forward pass (or leave it None when no frame is padding)")
        x = self.norm(y).transpose(1, 2)  # (B, H, T)
        keep = mask[:, None, :].to(x.dtype) if mask is not None else 1.0
        x = self.conv_in(x * keep)
        x = self.conv_dw(self.act(x) * keep)
        x = self.conv_out(x * keep)
        if self.se is not None:
            x = self.se(x, mask)
        return (x * keep).transpose(1, 2)


def apply(view: BackboneView, config: Config) -> None:
    for i in range(view.num_layers):
        view.insert("after_ffn", i, ConvAdapter(view.hidden_size, config, view.current_frame_mask))


def declared_params(view: BackboneView, config: Config) -> int:
    h = view.hidden_size
    inner = config.inner or h // 2
    se = 2 * h * max(8, h // config.se_reduction) if config.squeeze_excite else 0
    per_layer = 2 * h + h * config.kernel_in + inner * config.kernel_depthwise + h * config.kernel_out + se
    return per_layer * view.num_layers
