"""Speaker embeddings (SUPERB's ASV shape): the pooled classifier trained on the training speakers; its
projection is the utterance embedding that verification trials compare by cosine."""

from __future__ import annotations

import torch
from torch import nn

from sure_bench.heads.classifier import PooledClassifier


class SpeakerEmbeddingHead(PooledClassifier):
    """Trains as a speaker classifier; predicts the L2-normalised projection (the embedding)."""

    def classify(self, pooled: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        embedding = self.projector(self.featurizer.combine(pooled))
        return embedding, [slot(embedding) for slot in self.slots]

    def loss(self, out, mask: torch.Tensor | None, labels: torch.Tensor) -> torch.Tensor:
        return super().loss(out[1], mask, labels)

    def predict(self, out, mask: torch.Tensor | None) -> torch.Tensor:
        return nn.functional.normalize(out[0].float(), dim=-1)
