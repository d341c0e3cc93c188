"""The identity of a model's weights: sha256 over its state dict (names and raw bytes, sorted by name)."""

from __future__ import annotations

import hashlib

import torch
from torch import nn


def state_dict_sha256(model: nn.Module) -> str:
    """sha256 over a model's state dict (names and raw bytes, sorted by name); 0-d tensors too (BatchNorm's
    `num_batches_tracked`), flattened first, which changes no other tensor's bytes."""
    h = hashlib.sha256()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()
