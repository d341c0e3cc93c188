"""Monotonic alignment search (Glow-TTS, Kim et al. 2020): the most likely monotonic hard alignment of
mel frames to phonemes, by dynamic programming, batched in torch (no numba, no Cython).

Every frame goes to exactly one phoneme, phoneme indices never decrease from one frame to the next and
grow by at most one, the first frame goes to the first phoneme and the last to the last, so every phoneme
gets at least one frame (frames >= phonemes is required).
"""

from __future__ import annotations

import torch


@torch.no_grad()
def monotonic_alignment(log_p: torch.Tensor, text_lengths: torch.Tensor, frame_lengths: torch.Tensor) -> torch.Tensor:
    """log_p (B, N, T): log-likelihood of frame t under phoneme n -> (B, N, T) 0/1 alignment (float)."""
    b, n, t = log_p.shape
    if bool((frame_lengths < text_lengths).any()):
        raise ValueError("monotonic alignment needs at least as many frames as phonemes")
    neg = torch.finfo(log_p.dtype).min / 4
    idx = torch.arange(n, device=log_p.device)
    valid = idx[None, :] < text_lengths[:, None]  # (B, N)
    value = torch.full((b, n), neg, dtype=log_p.dtype, device=log_p.device)
    value[:, 0] = log_p[:, 0, 0]
    from_prev = torch.zeros(b, n, t, dtype=torch.bool, device=log_p.device)  # came from phoneme n-1
    for j in range(1, t):
        shifted = torch.cat([torch.full((b, 1), neg, dtype=value.dtype, device=value.device), value[:, :-1]], 1)
        take = shifted > value
        from_prev[:, :, j] = take
        best = torch.where(take, shifted, value) + log_p[:, :, j]
        best = torch.where(valid & (idx[None, :] <= j), best, torch.full_like(best, neg))
        active = (j < frame_lengths)[:, None]  # frames past a clip's end change nothing
        value = torch.where(active, best, value)
    path = torch.zeros(b, n, t, dtype=log_p.dtype, device=log_p.device)
    rows = torch.arange(b, device=log_p.device)
    cur = text_lengths - 1
    for j in range(t - 1, -1, -1):
        inside = j < frame_lengths
        path[rows[inside], cur[inside], j] = 1.0
        step = from_prev[rows, cur.clamp(min=0), j] & inside & (cur > 0)
        cur = cur - step.long()
    return path
