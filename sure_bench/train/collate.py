"""Batching: pad waveforms and keep lengths, or stack cached states; targets come from the task's kind
(`kind.targets(rows)`, left out when the rows have none)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from sure_bench.kinds.base import TaskKind


def pad_waves(waves: list, max_samples: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Clips (each cropped to `max_samples` if given) zero-padded into (B, S), and their lengths."""
    clips = [np.array(w, dtype=np.float32)[:max_samples] for w in waves]
    lengths = torch.tensor([len(w) for w in clips])
    batch = torch.zeros(len(clips), int(lengths.max()))
    for i, w in enumerate(clips):
        batch[i, : len(w)] = torch.from_numpy(w)
    return batch, lengths


def _with_targets(batch: dict[str, torch.Tensor], kind: TaskKind, rows: list[dict[str, Any]]) -> dict:
    labels = kind.targets(rows)
    return batch if labels is None else {**batch, "labels": labels}


class Collator:
    """Waveforms, cut to the kind's crop length."""

    def __init__(self, kind: TaskKind):
        self.kind = kind
        self.max_samples = kind.crop_samples()

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch, lengths = pad_waves([r["audio"] for r in rows], self.max_samples)
        return _with_targets({"wave": batch, "lengths": lengths}, self.kind, rows)


class FramesCollator:
    """Batches of cached frames (`features.frames.Frames` per split, looked up by each row's `split` and
    `index`), zero-padded to the longest, with the frame mask."""

    def __init__(self, kind: TaskKind, frames: dict):
        self.kind = kind
        self.frames = frames

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        clips = [self.frames[str(r["split"])].utterance(int(r["index"])) for r in rows]
        counts = torch.tensor([len(c) for c in clips])
        features = torch.zeros(len(clips), int(counts.max()), *clips[0].shape[1:])
        rows_out = features.numpy()  # the same memory: each clip is copied once, from the memory-mapped cache
        for i, c in enumerate(clips):
            rows_out[i, : len(c)] = c
        mask = torch.arange(features.shape[1])[None, :] < counts[:, None]
        return _with_targets({"features": features, "mask": mask}, self.kind, rows)


class PooledCollator:
    """Batches of cached pooled states (the `features` column)."""

    def __init__(self, kind: TaskKind):
        self.kind = kind

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        features = torch.from_numpy(np.stack([np.asarray(r["features"], dtype=np.float32) for r in rows]))
        return _with_targets({"features": features}, self.kind, rows)
