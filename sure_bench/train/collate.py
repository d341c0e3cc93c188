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


def encode_labels(codec: LabelCodec, rows: list[dict[str, Any]]) -> torch.Tensor:
    """(B, L) targets of the rows' labels, padded with -100."""
    targets = [codec.encode(str(r["label"]), str(r["id"])) for r in rows]
    width = max(len(t) for t in targets) if targets else 0
    labels = torch.full((len(rows), max(width, 1)), -100, dtype=torch.long)
    for i, t in enumerate(targets):
        labels[i, : len(t)] = torch.tensor(t, dtype=torch.long)
    return labels


class Collator:
    def __init__(self, codec: LabelCodec, max_samples: int | None):
        self.codec = codec
        self.max_samples = max_samples if codec.kind != "ctc_asr" else None

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch, lengths = pad_waves([r["audio"] for r in rows], self.max_samples)
        return {"wave": batch, "lengths": lengths, "labels": encode_labels(self.codec, rows)}


class FramesCollator:
    """Batches of cached frames (`features.frames.Frames` per split, looked up by each row's `split` and
    `index`), zero-padded to the longest, with the frame mask and encoded labels."""

    def __init__(self, codec: LabelCodec, frames: dict):
        self.codec = codec
        self.frames = frames

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        clips = [self.frames[str(r["split"])].utterance(int(r["index"])) for r in rows]
        counts = torch.tensor([len(c) for c in clips])
        features = torch.zeros(len(clips), int(counts.max()), *clips[0].shape[1:])
        for i, c in enumerate(clips):
            features[i, : len(c)] = torch.from_numpy(np.array(c, dtype=np.float32))
        mask = torch.arange(features.shape[1])[None, :] < counts[:, None]
        return {"features": features, "mask": mask, "labels": encode_labels(self.codec, rows)}


class PooledCollator:
    """Batches of cached pooled states (the `features` column) and encoded labels."""

    def __init__(self, codec: LabelCodec):
        self.codec = codec

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        features = torch.from_numpy(np.stack([np.asarray(r["features"], dtype=np.float32) for r in rows]))
        labels = torch.tensor([self.codec.encode(str(r["label"]), str(r["id"])) for r in rows], dtype=torch.long)
        return {"features": features, "labels": labels}
