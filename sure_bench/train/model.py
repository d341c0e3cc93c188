"""SpeechModel: a backbone (with whatever a method added) plus the task kind's head; the same fed a frozen
front end's cached output; and the head alone on a frozen encoder's cached states. Every head owns
`loss(out, mask, labels)` and `predict(out, mask)`."""

from __future__ import annotations

import torch
from torch import nn

from sure_bench.backbones.encoder import SpeechEncoder


def _outputs(head: nn.Module, out, mask: torch.Tensor | None, labels: torch.Tensor | None) -> dict:
    preds = head.predict(out, mask)
    if labels is None:
        return {"preds": preds}
    return {"loss": head.loss(out, mask, labels), "preds": preds}


class SpeechModel(nn.Module):
    """forward(wave, lengths, labels) -> {"loss", "preds"}; what preds hold is the head's (class ids, a
    greedy CTC path, an embedding)."""

    def __init__(self, encoder: SpeechEncoder, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def train(self, mode: bool = True) -> "SpeechModel":
        """Frozen parts run in eval mode (no dropout): an encoder the method left untouched is never in
        training mode, so it computes the same states as the cached path reads."""
        super().train(mode)
        if not any(p.requires_grad for p in self.encoder.parameters()):
            self.encoder.eval()
        return self

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor | None = None):
        states, mask = self.encoder(wave, lengths)
        return _outputs(self.head, self.head(states, mask), mask, labels)


class FrontEndModel(SpeechModel):
    """SpeechModel fed its frozen front end's cached output instead of waveforms (features.frontend):
    forward(features (B, T, C), mask (B, T), labels) -> {"loss", "preds"}, as SpeechModel gives. Same
    parameters and names, so it trains, checkpoints and resumes as SpeechModel does."""

    def forward(self, features: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor | None = None):
        states, frame_mask = self.encoder.from_frontend(features, mask.sum(dim=1))
        return _outputs(self.head, self.head(states, frame_mask), frame_mask, labels)


class PooledHeadModel(nn.Module):
    """A pooled head alone, trained on cached pooled states of a frozen encoder:
    forward(features (B, num_states, hidden), labels) -> {"loss", "preds"}, as SpeechModel would give."""

    def __init__(self, head: nn.Module):
        super().__init__()
        self.head = head

    def forward(self, features: torch.Tensor, labels: torch.Tensor | None = None):
        return _outputs(self.head, self.head.classify(features), None, labels)


class FramesHeadModel(nn.Module):
    """A frame head (CTC) alone, trained on cached frames of a frozen encoder (`head.frames`):
    forward(features (B, T, num_states, hidden), mask, labels) -> {"loss", "preds"}, as SpeechModel gives."""

    def __init__(self, head: nn.Module):
        super().__init__()
        self.head = head

    def forward(self, features: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor | None = None):
        return _outputs(self.head, self.head.from_frames(features), mask, labels)
