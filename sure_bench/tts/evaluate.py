"""How close the model's mels are to the targets: teacher-forced losses on held-out items, and the
DTW-aligned mel L1 of what `synthesize` produces (its durations differ from the recording's)."""

from __future__ import annotations

import numpy as np
import torch

from sure_bench.tts.audio import log_mel
from sure_bench.tts.data import Item, collate
from sure_bench.tts.model import FastSpeech

LOSSES = ("loss", "mel_l1", "prior_nll", "duration")


@torch.no_grad()
def heldout_losses(model: FastSpeech, items: list[Item], batch_size: int = 16) -> dict[str, float]:
    """Teacher-forced losses (alignment by MAS) averaged over `items`, in eval mode."""
    was_training = model.training
    model.eval()
    totals = dict.fromkeys(LOSSES, 0.0)
    for start in range(0, len(items), batch_size):
        chunk = items[start:start + batch_size]
        out = model(*collate(chunk, model.config.speakers))
        for k in LOSSES:
            totals[k] += float(out[k]) * len(chunk)
    model.train(was_training)
    return {k: v / max(len(items), 1) for k, v in totals.items()}


def dtw_l1(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean per-bin L1 between two log-mels (T, n_mels) along their best dynamic-time-warping path."""
    cost = (torch.cdist(a.float()[None], b.float()[None], p=1)[0] / a.shape[1]).numpy().astype(np.float64)
    n, m = cost.shape
    acc = np.full((n + 1, m + 1), np.inf)
    steps = np.zeros((n + 1, m + 1))
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            moves = (acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])
            k = int(np.argmin(moves))
            prev = ((i - 1, j - 1), (i - 1, j), (i, j - 1))[k]
            acc[i, j] = moves[k] + cost[i - 1, j - 1]
            steps[i, j] = steps[prev] + 1
    return float(acc[n, m] / steps[n, m])


@torch.no_grad()
def synthesis_distance(model: FastSpeech, phonemes: str, speaker: str, target: torch.Tensor) -> dict[str, float]:
    """`model_mel_dtw_l1`: the predicted mel vs the target log-mel (T, n_mels); `audio_mel_dtw_l1`: the mel of
    the Griffin-Lim waveform `synthesize` returns vs the target; `frames`/`target_frames`: their lengths."""
    from sure_bench.tts.symbols import encode

    model.eval()
    ids = torch.tensor([encode(phonemes)])
    spk = torch.tensor([model.speaker_index(speaker)])
    mel, _ = model.infer(ids, torch.tensor([ids.shape[1]]), spk)
    audio_mel = log_mel(model.synthesize(phonemes, speaker)).T
    return {"model_mel_dtw_l1": dtw_l1(mel[0], target), "audio_mel_dtw_l1": dtw_l1(audio_mel, target),
            "frames": float(mel.shape[1]), "target_frames": float(target.shape[0])}
