"""Running a frozen encoder over a split, batch by batch, and naming what it computed for the cache
(features.store): what the pooled, frame and front-end caches share."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import datasets
import torch

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.features.store import EntryKey
from sure_bench.train.collate import pad_waves


def entry_key(kind: str, encoder: SpeechEncoder, task: str, spec_hash: str, split: str, ds: datasets.Dataset,
              max_samples: int | None, tag: str) -> EntryKey:
    """The cache key of one (kind of output, encoder weights, task spec, split, clips, crop, tag)."""
    return EntryKey(kind=kind, backbone=encoder.name, weights_sha256=encoder.weights_sha256, task=task,
                    spec_hash=spec_hash, split=split, ids=tuple(str(x) for x in ds["id"]),
                    max_samples=max_samples, tag=tag)


@torch.no_grad()
def encode_batches(encoder: SpeechEncoder, ds: datasets.Dataset, max_samples: int | None, batch_size: int = 16,
                   run: Callable | None = None) -> Iterator:
    """`run(wave, lengths)` (default: the whole frozen encoder, giving (states, mask)) in eval mode, batch
    by batch in the dataset's order, clips cropped as in training. An encoder whose output depends on
    padding sees each clip alone (its states then do not depend on which clips happened to share a batch)."""
    batch_size = batch_size if encoder.padding_invariant else 1
    device = next(encoder.parameters()).device
    was_training = encoder.training
    encoder.eval()
    try:
        for start in range(0, len(ds), batch_size):
            batch, lengths = pad_waves(ds[start:start + batch_size]["audio"], max_samples)
            yield (run or encoder)(batch.to(device), lengths.to(device))
    finally:
        encoder.train(was_training)
