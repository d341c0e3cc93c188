"""Per-utterance masked means of every hidden state of a frozen encoder, cached on disk.

Keyed by the encoder's weights sha256, the task's spec hash, the split and its utterance ids, and the
crop length, so a cache entry can only be reused for exactly the clips and weights it was made from.
Stored as .npy and read memory-mapped.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import datasets
import numpy as np
import torch

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.heads.featurizer import masked_mean
from sure_bench.train.collate import pad_waves


Pool = Callable[[tuple[torch.Tensor, ...], torch.Tensor], torch.Tensor]


def raw_means(states: tuple[torch.Tensor, ...], mask: torch.Tensor) -> torch.Tensor:
    """(B, num_states, hidden): each hidden state's masked time mean."""
    return torch.stack([masked_mean(s, mask) for s in states], dim=1)


def cache_path(cache_dir: Path, encoder: SpeechEncoder, spec_hash: str, split: str, ids: list[str],
               max_samples: int | None, tag: str = "raw") -> Path:
    key = hashlib.sha256("\n".join([*ids, str(max_samples)]).encode()).hexdigest()[:16]
    return (Path(cache_dir) / "features" / "pooled" / encoder.weights_sha256[:16]
            / f"{spec_hash}-{split}-{tag}-{key}.npy")


@torch.no_grad()
def pooled_states(encoder: SpeechEncoder, ds: datasets.Dataset, max_samples: int | None,
                  pool: Pool = raw_means, batch_size: int = 16) -> np.ndarray:
    """(N, layers + 1, hidden) float32: `pool` of every hidden state (default: the masked time mean),
    the encoder in eval mode, clips cropped as in training. An encoder whose output depends on padding
    sees each clip alone (its states then do not depend on which clips happened to share a batch)."""
    batch_size = batch_size if encoder.padding_invariant else 1
    was_training = encoder.training
    encoder.eval()
    out = []
    try:
        for start in range(0, len(ds), batch_size):
            batch, lengths = pad_waves(ds[start:start + batch_size]["audio"], max_samples)
            states, mask = encoder(batch, lengths)
            out.append(pool(states, mask).float().numpy())
    finally:
        encoder.train(was_training)
    return np.concatenate(out) if out else np.zeros((0, encoder.num_layers + 1, encoder.hidden_size), np.float32)


def cached_pooled_states(encoder: SpeechEncoder, ds: datasets.Dataset, cache_dir: Path, spec_hash: str,
                         split: str, max_samples: int | None, pool: Pool = raw_means,
                         tag: str = "raw") -> np.ndarray:
    """`pooled_states`, computed once and then read back memory-mapped. `tag` names `pool` in the key."""
    path = cache_path(cache_dir, encoder, spec_hash, split, [str(x) for x in ds["id"]], max_samples, tag)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}.npy")
        np.save(tmp, pooled_states(encoder, ds, max_samples, pool))
        tmp.replace(path)
    return np.load(path, mmap_mode="r")
