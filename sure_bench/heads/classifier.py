"""Utterance classification (the SURE design): projection, masked mean pooling, linear.

Pooling comes first here (each state's masked mean, then the recipe's linear combination and the
projection), which is the same function as projecting every frame and pooling, since both steps are
linear; it lets a frozen encoder's pooled states be computed once (`pool`) and the head train on them
(`classify`)."""

from __future__ import annotations

import torch
from torch import nn

from sure_bench.heads.featurizer import DEFAULT_HEAD, Featurizer, masked_mean


class PooledClassifier(nn.Module):
    """Hidden states -> logits per slot; one slot is plain classification, several is intent."""

    def __init__(self, hidden: int, num_states: int, classes_per_slot: list[int],
                 proj_dim: int = 256, recipe: str = DEFAULT_HEAD):
        super().__init__()
        self.featurizer = Featurizer(num_states, hidden, recipe)
        self.projector = nn.Linear(self.featurizer.out_dim, proj_dim)
        self.slots = nn.ModuleList(nn.Linear(proj_dim, n) for n in classes_per_slot)

    def forward(self, states: tuple[torch.Tensor, ...], mask: torch.Tensor) -> list[torch.Tensor]:
        return self.classify(self.pool(states, mask))

    def pool(self, states: tuple[torch.Tensor, ...], mask: torch.Tensor) -> torch.Tensor:
        """(B, num_states, hidden): each state normalised per frame, then its masked time mean."""
        return torch.stack([masked_mean(self.featurizer.normalise(s), mask) for s in states], dim=1)

    def classify(self, pooled: torch.Tensor) -> list[torch.Tensor]:
        """Pooled states (B, num_states, hidden) -> logits per slot."""
        projected = self.projector(self.featurizer.combine(pooled))
        return [slot(projected) for slot in self.slots]

    def loss(self, logits: list[torch.Tensor], mask: torch.Tensor | None, labels: torch.Tensor) -> torch.Tensor:
        """Sum of per-slot cross-entropies; labels (B, n_slots). The mask is not needed after pooling."""
        return sum(nn.functional.cross_entropy(lg, labels[:, i]) for i, lg in enumerate(logits))

    def predict(self, logits: list[torch.Tensor], mask: torch.Tensor | None) -> torch.Tensor:
        """Class id per slot (B, n_slots)."""
        return torch.stack([lg.argmax(-1) for lg in logits], dim=1)
