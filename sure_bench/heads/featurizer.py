"""What a head reads from the encoder's hidden states: a head recipe, chosen by name.

- `layers` (default): every hidden state (input embedding and each layer), each normalised per frame
  (layer norm without learned scale, as s3prl's Featurizer does before its weighted sum), concatenated.
  Speaker and emotion information sits in the lower layers; concatenating lets a linear head weigh each
  layer's every dimension, which is what a logistic regression on the pooled layers does.
- `last`: the last layer only (the SURE code's head; sure-bench's default before the fair protocol).
- `weighted`: SUPERB's learnable softmax-weighted sum of every layer (`--layer-weights`).
"""

from __future__ import annotations

import torch
from torch import nn

HEAD_RECIPES = {
    "layers": "every layer, layer-normalised per frame, concatenated",
    "last": "the last layer only",
    "weighted": "a learnable softmax-weighted sum of every layer (SUPERB)",
}
DEFAULT_HEAD = "layers"


class HeadRecipeError(ValueError):
    """An unknown head recipe name."""


def check_recipe(name: str) -> str:
    if name not in HEAD_RECIPES:
        raise HeadRecipeError(f"unknown head recipe {name!r}; choose from "
                              + ", ".join(f"{k} ({v})" for k, v in HEAD_RECIPES.items()))
    return name


class Featurizer(nn.Module):
    """Hidden states -> one feature per frame, by recipe, in two steps: `normalise` works on each frame
    of each state; `combine` is linear across states (select, weighted sum or concatenation), so it
    commutes with time pooling and a pooled head can read cached per-state means."""

    def __init__(self, num_states: int, hidden: int, recipe: str = DEFAULT_HEAD):
        super().__init__()
        self.recipe = check_recipe(recipe)
        self.weights = nn.Parameter(torch.zeros(num_states)) if recipe == "weighted" else None
        self.out_dim = hidden * num_states if recipe == "layers" else hidden

    @property
    def normalisation(self) -> str:
        """Names what `normalise` does, for cache keys of states computed through it."""
        return "frame-layer-norm" if self.recipe == "layers" else "raw"

    def normalise(self, state: torch.Tensor) -> torch.Tensor:
        """Per frame: layer norm without learned scale for `layers`, nothing for the others."""
        return nn.functional.layer_norm(state, state.shape[-1:]) if self.recipe == "layers" else state

    def combine(self, stacked: torch.Tensor) -> torch.Tensor:
        """(..., num_states, hidden) -> (..., out_dim)."""
        if self.recipe == "last":
            return stacked[..., -1, :]
        if self.recipe == "layers":
            return stacked.flatten(-2)
        return (torch.softmax(self.weights, dim=0)[:, None] * stacked).sum(dim=-2)

    def forward(self, states: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if self.recipe == "last":
            return self.normalise(states[-1])
        return self.combine(torch.stack([self.normalise(s) for s in states], dim=-2))


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over time of (B, T, H) counting only frames where mask (B, T) is true."""
    m = mask.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
