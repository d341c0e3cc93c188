"""Which hidden states a head reads: the last layer, or SUPERB's learnable weighted sum of all."""

from __future__ import annotations

import torch
from torch import nn


class Featurizer(nn.Module):
    """`layer_weights=False`: the last layer. True: softmax-weighted sum over every layer's output."""

    def __init__(self, num_states: int, layer_weights: bool = False):
        super().__init__()
        self.weights = nn.Parameter(torch.zeros(num_states)) if layer_weights else None

    def forward(self, states: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if self.weights is None:
            return states[-1]
        stacked = torch.stack(states, dim=0)
        w = torch.softmax(self.weights, dim=0).view(-1, 1, 1, 1)
        return (stacked * w).sum(dim=0)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over time of (B, T, H) counting only frames where mask (B, T) is true."""
    m = mask.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
