"""Per-utterance masked means of every hidden state of a frozen encoder, cached on disk (features.store)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import datasets
import numpy as np
import torch

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.features.encode import encode_batches, entry_key
from sure_bench.features.store import Write, build_entry
from sure_bench.heads.featurizer import masked_mean

Pool = Callable[[tuple[torch.Tensor, ...], torch.Tensor], torch.Tensor]


def raw_means(states: tuple[torch.Tensor, ...], mask: torch.Tensor) -> torch.Tensor:
    """(B, num_states, hidden): each hidden state's masked time mean."""
    return torch.stack([masked_mean(s, mask) for s in states], dim=1)


def pooled_states(encoder: SpeechEncoder, ds: datasets.Dataset, max_samples: int | None,
                  pool: Pool = raw_means, write: Write | None = None) -> np.ndarray | None:
    """(N, layers + 1, hidden) float32: `pool` of every hidden state (default: the masked time mean).
    With `write`, each batch is handed to it instead of being collected."""
    out = []
    for states, mask in encode_batches(encoder, ds, max_samples):
        pooled = pool(states, mask).float().cpu().numpy()
        write(pooled) if write else out.append(pooled)
    if write:
        return None
    return np.concatenate(out) if out else np.zeros((0, encoder.num_layers + 1, encoder.hidden_size), np.float32)


def cached_pooled_states(encoder: SpeechEncoder, ds: datasets.Dataset, cache_dir: Path, task: str,
                         spec_hash: str, split: str, max_samples: int | None, pool: Pool = raw_means,
                         tag: str = "raw") -> np.ndarray:
    """`pooled_states`, computed once and then read back memory-mapped. `tag` names `pool` in the key."""
    key = entry_key("pooled", encoder, task, spec_hash, split, ds, max_samples, tag)

    def build(write: Write) -> dict:
        pooled_states(encoder, ds, max_samples, pool, write)
        return {}

    array = build_entry(key, cache_dir, build).array
    return array if len(array) else np.zeros((0, encoder.num_layers + 1, encoder.hidden_size), np.float32)
