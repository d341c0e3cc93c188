"""Shared helpers for the TTS tests: a fixed random batch for a tiny model."""

from __future__ import annotations

import torch


def tiny_batch(n_mels: int = 80, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """(tokens, token lengths, speakers, log-mels, mel lengths): 3 utterances, one padded to each length."""
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(2, 100, (3, 12), generator=g)
    token_lengths = torch.tensor([12, 9, 5])
    tokens[1, 9:] = 0
    tokens[2, 5:] = 0
    mels = torch.randn(3, 40, n_mels, generator=g) - 4.0
    mel_lengths = torch.tensor([40, 31, 17])
    return tokens, token_lengths, torch.tensor([0, 1, 2]), mels, mel_lengths
