"""Torch log-mel front end matching Whisper, for unpadded 16 kHz clips.

Differences from ``transformers.WhisperFeatureExtractor`` (which pads/trims every
clip to 30 s = 480000 samples before the STFT):

* no padding: ``frames = len(wave) // 160`` instead of a fixed 3000;
* the last frame differs when ``len(wave) % 160 < 40``: its window then runs past
  the clip end, which the centred STFT reflect-pads here while the extractor sees
  the zero padding that follows the clip;
* the ``max - 8`` floor uses the max over this clip's frames; the padded extractor
  also sees the boundary frames after the clip (and ``log10(1e-10)`` for silence),
  which in practice (almost) never hold the maximum.

Both use float32 ``torch.stft`` with the same filters, so frames away from the
clip end agree bit-for-bit with transformers 5.x (its torch path), and
``log_mel(pad_or_trim(wave))`` reproduces the extractor's 30 s features.
Input is assumed to be 16 kHz mono; resample beforehand.
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

__all__ = ["SAMPLE_RATE", "N_FFT", "HOP_LENGTH", "N_SAMPLES", "mel_filters", "log_mel", "pad_or_trim"]

SAMPLE_RATE = 16_000
N_FFT = 400
HOP_LENGTH = 160
N_SAMPLES = 30 * SAMPLE_RATE  # one Whisper window: 480000 samples -> 3000 frames


@lru_cache(maxsize=4)
def _mel_filters_cpu(n_mels: int) -> torch.Tensor:
    from transformers import WhisperFeatureExtractor

    filters = WhisperFeatureExtractor(feature_size=n_mels).mel_filters  # (n_fft // 2 + 1, n_mels), float64
    return torch.from_numpy(filters.T.copy()).float()  # (n_mels, 201)


def mel_filters(n_mels: int = 80, device: torch.device | str | None = None) -> torch.Tensor:
    """Whisper's Slaney mel filter bank, shape (n_mels, 201), float32 (cached per ``n_mels``)."""
    return _mel_filters_cpu(n_mels).to(device or "cpu")


@lru_cache(maxsize=4)
def _hann_cpu() -> torch.Tensor:
    return torch.hann_window(N_FFT)


def pad_or_trim(wave: torch.Tensor, length: int = N_SAMPLES) -> torch.Tensor:
    """Zero-pad or trim the last axis to ``length`` samples (Whisper's 30 s window)."""
    n = wave.shape[-1]
    return wave[..., :length] if n >= length else F.pad(wave, (0, length - n))


@torch.no_grad()
def log_mel(wave: torch.Tensor, n_mels: int = 80) -> torch.Tensor:
    """Whisper log-mel of a 16 kHz clip: (samples,) -> (n_mels, samples // 160).

    A batch (B, samples) gives (B, n_mels, frames) with a per-clip max floor.
    Runs under ``no_grad`` (not ``inference_mode``, so the result can feed a
    model that is being trained).
    """
    if wave.ndim not in (1, 2):
        raise ValueError(f"expected a 1-D clip or 2-D batch of clips, got shape {tuple(wave.shape)}")
    if wave.shape[-1] < HOP_LENGTH:
        raise ValueError(f"clip too short for one frame: {wave.shape[-1]} < {HOP_LENGTH} samples")
    wave = wave.float()
    window = _hann_cpu().to(wave.device)
    stft = torch.stft(wave, N_FFT, HOP_LENGTH, window=window, center=True, pad_mode="reflect", return_complex=True)
    power = stft[..., :-1].abs().square()  # drop the last frame, as Whisper does
    mel = mel_filters(n_mels, wave.device) @ power
    logs = mel.clamp_min(1e-10).log10()
    floor = logs.amax(dim=(-2, -1), keepdim=True) - 8.0
    return (torch.maximum(logs, floor) + 4.0) / 4.0


@torch.no_grad()
def log_mel_padded(wave: torch.Tensor, lengths: torch.Tensor, n_mels: int = 80) -> tuple[torch.Tensor, torch.Tensor]:
    """Batched Whisper log-mel of zero-padded clips: (B, S), lengths -> (B, n_mels, T), frames per clip.

    One STFT for the whole batch. Each clip's end is zero-padded (as Whisper's 30 s padding is), so a
    clip's valid frames are identical alone or in a padded batch; its ``max - 8`` floor uses only its
    valid frames. Frames past a clip's end are zeros.
    """
    half = N_FFT // 2
    if int(lengths.min()) <= half:
        raise ValueError(f"clip too short for Whisper's front end: {int(lengths.min())} samples (need > {half})")
    wave = wave.float()
    sample_mask = torch.arange(wave.shape[1], device=wave.device)[None, :] < lengths[:, None]
    wave = wave * sample_mask
    padded = torch.cat([wave[:, 1 : half + 1].flip(-1), wave, wave.new_zeros(wave.shape[0], half)], dim=1)
    window = _hann_cpu().to(wave.device)
    stft = torch.stft(padded, N_FFT, HOP_LENGTH, window=window, center=False, return_complex=True)
    power = stft[..., :-1].abs().square()
    logs = (mel_filters(n_mels, wave.device) @ power).clamp_min(1e-10).log10()
    frames = lengths // HOP_LENGTH
    frame_mask = torch.arange(logs.shape[-1], device=wave.device)[None, :] < frames[:, None]
    floor = logs.masked_fill(~frame_mask[:, None, :], float("-inf")).amax(dim=(-2, -1), keepdim=True) - 8.0
    mel = (torch.maximum(logs, floor) + 4.0) / 4.0
    width = int(frames.max())
    return (mel * frame_mask[:, None, :])[..., :width], frames
