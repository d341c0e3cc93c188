"""Log-mel spectrograms and a Griffin-Lim vocoder, with torch.stft/istft only (no librosa, no torchaudio).

16 kHz audio, 80 mel bins, hop 160 (100 frames a second), window 640, FFT 1024.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class MelConfig:
    sample_rate: int = 16000
    n_mels: int = 80
    hop: int = 160
    win: int = 640
    n_fft: int = 1024
    f_min: float = 0.0
    f_max: float = 8000.0
    floor: float = 1e-5  # log floor on the mel magnitude


def _hz_to_mel(f: torch.Tensor) -> torch.Tensor:
    return 2595.0 * torch.log10(1.0 + f / 700.0)


def _mel_to_hz(m: torch.Tensor) -> torch.Tensor:
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def mel_filterbank(cfg: MelConfig = MelConfig()) -> torch.Tensor:
    """(n_mels, n_fft // 2 + 1) triangular HTK-mel filters, area-normalised (Slaney style)."""
    freqs = torch.linspace(0, cfg.sample_rate / 2, cfg.n_fft // 2 + 1, dtype=torch.float64)
    edges = _mel_to_hz(torch.linspace(_hz_to_mel(torch.tensor(cfg.f_min)).item(),
                                      _hz_to_mel(torch.tensor(cfg.f_max)).item(), cfg.n_mels + 2, dtype=torch.float64))
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up, down = (freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)
    fb = torch.clamp(torch.minimum(up, down), min=0.0) * (2.0 / (hi - lo))
    return fb.float()


def _window(cfg: MelConfig, device: torch.device) -> torch.Tensor:
    return torch.hann_window(cfg.win, device=device)


def log_mel(wave: torch.Tensor, cfg: MelConfig = MelConfig()) -> torch.Tensor:
    """(S,) or (B, S) waveform -> (n_mels, T) or (B, n_mels, T) natural-log mel magnitudes, T = S // hop + 1."""
    spec = torch.stft(wave, cfg.n_fft, cfg.hop, cfg.win, _window(cfg, wave.device), center=True,
                      return_complex=True).abs()
    mel = mel_filterbank(cfg).to(wave.device) @ spec
    return torch.log(torch.clamp(mel, min=cfg.floor))


def griffin_lim(mel: torch.Tensor, iterations: int = 32, cfg: MelConfig = MelConfig(), seed: int = 0) -> torch.Tensor:
    """(n_mels, T) natural-log mel -> (S,) waveform: the magnitude through the filterbank's pseudo-inverse,
    then `iterations` rounds of Griffin-Lim (with momentum 0.99, as torchaudio's) from a seeded random phase."""
    fb = mel_filterbank(cfg).to(mel.device)
    mag = torch.clamp(torch.linalg.pinv(fb) @ torch.exp(mel.float()), min=0.0)
    window = _window(cfg, mel.device)
    g = torch.Generator(device="cpu").manual_seed(seed)
    angles = torch.exp(2j * math.pi * torch.rand(mag.shape, generator=g)).to(mel.device)
    previous = torch.zeros_like(angles)
    length = (mag.shape[-1] - 1) * cfg.hop
    for _ in range(iterations):
        wave = torch.istft(mag * angles, cfg.n_fft, cfg.hop, cfg.win, window, center=True, length=length)
        rebuilt = torch.stft(wave, cfg.n_fft, cfg.hop, cfg.win, window, center=True, return_complex=True)
        angles = rebuilt - (0.99 / 1.99) * previous
        previous = rebuilt
        angles = angles / torch.clamp(angles.abs(), min=1e-8)
    return torch.istft(mag * angles, cfg.n_fft, cfg.hop, cfg.win, window, center=True, length=length)
