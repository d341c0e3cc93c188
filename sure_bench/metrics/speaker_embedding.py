"""Resemblyzer's GE2E speaker encoder (Wan et al. 2018), run from the weights its wheel ships.

`resemblyzer==0.1.4` is installed for its `pretrained.pt` only (setup.sh installs it with `--no-deps`): the
package itself imports webrtcvad 2.0.10, which needs `pkg_resources` (setuptools < 81), and librosa. This
module is its inference path, step for step, on numpy + soxr + torch: `preprocess_wav` (resample to 16 kHz,
raise the level to -30 dBFS, drop silences longer than ~200 ms by webrtcvad, from the `webrtcvad-wheels`
wheel), 40-band power mel spectrogram (librosa's defaults: 25 ms Hann, 10 ms hop, Slaney mel, zero-padded
centring), 1.6 s partials at 1.3 per second, 3-layer LSTM, ReLU projection, and the L2-normalised mean of
the partials. Checked once against resemblyzer 0.1.4 itself (with librosa 0.11) on espeak-ng clips:
the same preprocessed samples, mels within 5e-8 (relative), embeddings at cosine 1.0.
"""

from __future__ import annotations

import importlib.util
import struct
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.ndimage import binary_dilation

from sure_bench.metrics.audio_io import file_key, read_at, resample

if TYPE_CHECKING:
    import torch

RATE, N_FFT, HOP, N_MELS = 16000, 400, 160, 40
PARTIAL_FRAMES, PARTIAL_RATE, MIN_COVERAGE = 160, 1.3, 0.75
VAD_WINDOW_MS, VAD_AVERAGE_WIDTH, VAD_MAX_SILENCE = 30, 8, 6
TARGET_DBFS, INT16_MAX = -30.0, 2**15 - 1

_REFERENCE_CACHE: dict[tuple[str, int, int, int], np.ndarray] = {}


def weights_path() -> Path:
    """`pretrained.pt` inside the installed resemblyzer package (found without importing it)."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("speaker_similarity needs resemblyzer's weights: "
                                "`pip install --no-deps resemblyzer==0.1.4` (setup.sh does)")
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing: reinstall with `pip install --no-deps resemblyzer==0.1.4`")
    return path


@lru_cache(maxsize=1)
def _encoder() -> torch.nn.Module:
    import torch
    from torch import nn

    class VoiceEncoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, 256)

        def forward(self, mels: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.lstm(mels)
            raw = torch.relu(self.linear(hidden[-1]))
            return raw / torch.norm(raw, dim=1, keepdim=True)

    model = VoiceEncoder()
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)["model_state"]
    model.load_state_dict({k: v for k, v in state.items() if not k.startswith("similarity_")})
    return model.eval()


def preprocess(wave: np.ndarray, rate: int) -> np.ndarray:
    """resemblyzer's `preprocess_wav`: 16 kHz, level raised to -30 dBFS, long silences removed. Where the
    VAD hears no speech at all (a synthesized clip of noise or a faint band-limited one), the whole clip
    is kept: the utterance still gets an embedding (resemblyzer would fail on it), scored as it sounds."""
    wave = resample(np.asarray(wave, dtype=np.float32), rate, RATE)
    rms = np.sqrt(np.mean((wave.astype(np.float64) * INT16_MAX) ** 2))
    change = TARGET_DBFS - 20 * np.log10(max(rms, 1e-12) / INT16_MAX)
    if change > 0:  # increase only
        wave = wave * np.float32(10 ** (change / 20))
    trimmed = trim_long_silences(wave)
    return trimmed if len(trimmed) else wave


def trim_long_silences(wave: np.ndarray) -> np.ndarray:
    """Drop stretches the WebRTC VAD (mode 3, 30 ms windows, smoothed over 8) hears as silence."""
    import webrtcvad

    window = VAD_WINDOW_MS * RATE // 1000
    wave = wave[: len(wave) - len(wave) % window]
    if len(wave) == 0:
        return wave
    pcm = struct.pack(f"{len(wave)}h", *np.round(wave * INT16_MAX).astype(np.int16))
    vad = webrtcvad.Vad(3)
    flags = np.array([vad.is_speech(pcm[s * 2 : (s + window) * 2], sample_rate=RATE)
                      for s in range(0, len(wave), window)], dtype=float)
    width = VAD_AVERAGE_WIDTH
    padded = np.concatenate((np.zeros((width - 1) // 2), flags, np.zeros(width // 2)))
    csum = np.cumsum(padded)
    csum[width:] = csum[width:] - csum[:-width]
    mask = np.round(csum[width - 1 :] / width).astype(bool)
    mask = binary_dilation(mask, np.ones(VAD_MAX_SILENCE + 1))
    return wave[np.repeat(mask, window)]


@lru_cache(maxsize=1)
def _mel_basis() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney scale and area normalisation."""
    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=np.float64)
        return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-10) / 1000) / (np.log(6.4) / 27), f * 3 / 200)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        return np.where(m >= 15, 1000 * np.exp(np.log(6.4) / 27 * (m - 15)), m * 200 / 3)

    freqs = np.linspace(0, RATE / 2, N_FFT // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(RATE / 2), N_MELS + 2))
    fdiff, ramps = np.diff(mel_f), mel_f[:, None] - freqs[None, :]
    lower, upper = -ramps[:-2] / fdiff[:-1, None], ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    return (weights * (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]).astype(np.float32)


def mel_frames(wave: np.ndarray) -> np.ndarray:
    """Frames x 40 power mel spectrogram (not log), as resemblyzer's `wav_to_mel_spectrogram`."""
    x = np.pad(wave.astype(np.float32), N_FFT // 2)
    n = 1 + (len(x) - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP][:n]
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    return (power @ _mel_basis().T).astype(np.float32)


def partial_slices(n_samples: int) -> list[slice]:
    """Mel-frame ranges of the 1.6 s partials (resemblyzer's `compute_partial_slices`)."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = int(np.round((RATE / PARTIAL_RATE) / HOP))
    starts = range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step)
    slices = [slice(s, s + PARTIAL_FRAMES) for s in starts]
    last = slices[-1].start * HOP
    if (n_samples - last) / (PARTIAL_FRAMES * HOP) < MIN_COVERAGE and len(slices) > 1:
        slices = slices[:-1]
    return slices


def embed_waves(waves: list[np.ndarray]) -> np.ndarray:
    """Utterance embeddings (n, 256), L2-normalised, of preprocessed 16 kHz waves (one LSTM batch)."""
    import torch

    partials, owner = [], []
    for k, wave in enumerate(waves):
        if len(wave) == 0:
            raise ValueError("speaker_similarity: an utterance holds no speech after silence removal")
        slices = partial_slices(len(wave))
        wave = np.pad(wave, (0, max(0, slices[-1].stop * HOP - len(wave))))
        mel = mel_frames(wave)
        partials += [mel[s] for s in slices]
        owner += [k] * len(slices)
    with torch.inference_mode():
        out = _encoder()(torch.from_numpy(np.stack(partials))).numpy()
    owner_arr = np.array(owner)
    means = np.stack([out[owner_arr == k].mean(axis=0) for k in range(len(waves))])
    return means / np.linalg.norm(means, axis=1, keepdims=True)


def embed_files(paths: list[str], band: list[int] | None = None, cache: bool = False) -> np.ndarray:
    """Embeddings of audio files, each first brought to its `band` rate (e.g. 8 kHz) when given.

    With `cache`, embeddings are kept in memory per (path, size, mtime, band): a split's references are
    embedded once per process."""
    rates = band or [0] * len(paths)
    keys = [(*file_key(p), r) for p, r in zip(paths, rates)] if cache else [None] * len(paths)
    todo = [i for i, k in enumerate(keys) if k is None or k not in _REFERENCE_CACHE]
    fresh = {}
    if todo:
        waves = []
        for i in todo:
            wave = read_at(paths[i], rates[i]) if rates[i] else read_at(paths[i], RATE)
            waves.append(preprocess(wave, rates[i] or RATE))
        fresh = dict(zip(todo, embed_waves(waves)))
    out = []
    for i, key in enumerate(keys):
        if i in fresh:
            if key is not None:
                _REFERENCE_CACHE[key] = fresh[i]
            out.append(fresh[i])
        else:
            out.append(_REFERENCE_CACHE[key])
    return np.stack(out)


def centroid(paths: list[str]) -> np.ndarray:
    """A voice's centroid: the L2-normalised mean embedding of its recordings (each cached per file)."""
    mean = embed_files(list(paths), cache=True).mean(axis=0)
    return mean / np.linalg.norm(mean)
