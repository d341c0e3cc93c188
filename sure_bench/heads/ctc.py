"""CTC head over a committed character vocabulary (index 0 is the blank)."""

from __future__ import annotations

import torch
from torch import nn

from sure_bench.heads.featurizer import DEFAULT_HEAD, Featurizer


class CTCHead(nn.Module):
    def __init__(self, hidden: int, num_states: int, vocab_size: int, recipe: str = DEFAULT_HEAD,
                 dropout: float = 0.1):
        super().__init__()
        self.featurizer = Featurizer(num_states, hidden, recipe)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(self.featurizer.out_dim, vocab_size + 1)

    def forward(self, states: tuple[torch.Tensor, ...], mask: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(self.featurizer(states)))

    def frames(self, states: tuple[torch.Tensor, ...], mask: torch.Tensor) -> torch.Tensor:
        """(B, T, num_states, hidden): every state normalised per frame, the part before anything trains,
        so a frozen encoder's frames can be computed once and the head trained on them (`from_frames`)."""
        return torch.stack([self.featurizer.normalise(s) for s in states], dim=-2)

    def from_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """`frames` output (B, T, num_states, hidden) -> logits (B, T, vocab + 1), as `forward` gives."""
        return self.out(self.dropout(self.featurizer.combine(frames)))

    def loss(self, logits: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """labels (B, L) of vocab indices + 1, padded with -100."""
        log_probs = nn.functional.log_softmax(logits, dim=-1).transpose(0, 1).float()
        label_mask = labels >= 0
        targets = labels[label_mask]
        return nn.functional.ctc_loss(
            log_probs, targets, mask.sum(1), label_mask.sum(1), blank=0, reduction="mean", zero_infinity=True
        )

    def predict(self, logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Greedy path ids per frame; padded frames are -100."""
        ids = logits.argmax(-1)
        return ids.masked_fill(~mask, -100)


def ctc_collapse(ids: list[int], vocab: list[str], sep: str = "") -> str:
    """Greedy CTC decoding: merge repeats, drop blanks (0), map index i to vocab[i - 1], join with `sep`."""
    out, prev = [], -1
    for i in ids:
        if i != prev and i > 0:
            out.append(vocab[i - 1])
        prev = i
    return sep.join(out).strip()
