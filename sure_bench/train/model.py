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
