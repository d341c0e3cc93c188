"""Batching: pad waveforms, keep lengths, encode labels; crop classification clips to max_seconds."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from sure_bench.train.labels import LabelCodec


def pad_waves(waves: list, max_samples: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Clips (each cropped to `max_samples` if given) zero-padded into (B, S), and their lengths."""
    clips = [np.array(w, dtype=np.float32)[:max_samples] for w in waves]
    lengths = torch.tensor([len(w) for w in clips])
    batch = torch.zeros(len(clips), int(lengths.max()))
    for i, w in enumerate(clips):
        batch[i, : len(w)] = torch.from_numpy(w)
    return batch, lengths


class Collator:
    def __init__(self, codec: LabelCodec, max_samples: int | None):
        self.codec = codec
        self.max_samples = max_samples if codec.kind != "ctc_asr" else None

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch, lengths = pad_waves([r["audio"] for r in rows], self.max_samples)
        targets = [self.codec.encode(str(r["label"]), str(r["id"])) for r in rows]
        width = max(len(t) for t in targets) if targets else 0
        labels = torch.full((len(rows), max(width, 1)), -100, dtype=torch.long)
        for i, t in enumerate(targets):
            labels[i, : len(t)] = torch.tensor(t, dtype=torch.long)
        return {"wave": batch, "lengths": lengths, "labels": labels}


class PooledCollator:
    """Batches of cached pooled states (the `features` column) and encoded labels."""

    def __init__(self, codec: LabelCodec):
        self.codec = codec

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        features = torch.from_numpy(np.stack([np.asarray(r["features"], dtype=np.float32) for r in rows]))
        labels = torch.tensor([self.codec.encode(str(r["label"]), str(r["id"])) for r in rows], dtype=torch.long)
        return {"features": features, "labels": labels}
