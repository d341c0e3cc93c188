"""SpeechModel: a backbone (with whatever a method added) plus a task head."""

from __future__ import annotations

import torch
from torch import nn

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.heads.classifier import PooledClassifier
from sure_bench.heads.featurizer import DEFAULT_HEAD
from sure_bench.heads.ctc import CTCHead
from sure_bench.train.labels import LabelCodec


class SpeechModel(nn.Module):
    """forward(wave, lengths, labels) -> {"loss", "preds"}; preds are class ids or a greedy CTC path."""

    def __init__(self, encoder: SpeechEncoder, codec: LabelCodec, head: str = DEFAULT_HEAD):
        super().__init__()
        self.encoder = encoder
        self.kind = codec.kind
        n_states = encoder.num_layers + 1
        if codec.kind == "ctc_asr":
            self.head: nn.Module = CTCHead(encoder.hidden_size, n_states, len(codec.vocab), head)
        else:
            self.head = PooledClassifier(encoder.hidden_size, n_states, codec.classes_per_slot,
                                         recipe=head)

    def train(self, mode: bool = True) -> "SpeechModel":
        """Frozen parts run in eval mode (no dropout): an encoder the method left untouched is never in
        training mode, so it computes the same states as the cached path reads."""
        super().train(mode)
        if not any(p.requires_grad for p in self.encoder.parameters()):
            self.encoder.eval()
        return self

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor | None = None):
        states, mask = self.encoder(wave, lengths)
        logits = self.head(states, mask)
        if self.kind == "ctc_asr":
            preds = CTCHead.predict(logits, mask)
            loss = CTCHead.loss(logits, mask, labels) if labels is not None else None
        else:
            preds = PooledClassifier.predict(logits)
            loss = PooledClassifier.loss(logits, labels) if labels is not None else None
        return {"loss": loss, "preds": preds} if loss is not None else {"preds": preds}


class PooledHeadModel(nn.Module):
    """The pooled classification head alone, trained on cached pooled states of a frozen encoder:
    forward(features (B, num_states, hidden), labels) -> {"loss", "preds"}, as SpeechModel would give."""

    def __init__(self, head: PooledClassifier):
        super().__init__()
        self.head = head

    def forward(self, features: torch.Tensor, labels: torch.Tensor | None = None):
        logits = self.head.classify(features)
        preds = PooledClassifier.predict(logits)
        if labels is None:
            return {"preds": preds}
        return {"loss": PooledClassifier.loss(logits, labels), "preds": preds}


class FramesHeadModel(nn.Module):
    """The CTC head alone, trained on cached frames of a frozen encoder (`CTCHead.frames`):
    forward(features (B, T, num_states, hidden), mask, labels) -> {"loss", "preds"}, as SpeechModel gives."""

    def __init__(self, head: CTCHead):
        super().__init__()
        self.head = head

    def forward(self, features: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor | None = None):
        logits = self.head.from_frames(features)
        preds = CTCHead.predict(logits, mask)
        if labels is None:
            return {"preds": preds}
        return {"loss": CTCHead.loss(logits, mask, labels), "preds": preds}
