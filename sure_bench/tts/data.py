"""The TTS corpus: `<data-root>/tts-mini/manifest.csv` (id, path, text, phonemes, speaker, split, duration),
loaded as (symbol ids, speaker, log-mel) items, and length-bucketed batches that depend only on the seed."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from sure_bench.tts.audio import MelConfig, log_mel
from sure_bench.tts.symbols import encode

COLUMNS = ("id", "path", "text", "phonemes", "speaker", "split", "duration")


@dataclass
class Item:
    id: str
    tokens: torch.Tensor  # (N,) symbol ids
    speaker: str
    mel: torch.Tensor     # (T, n_mels) natural-log mel
    split: str


def manifest_path(data_root: Path) -> Path:
    return Path(data_root) / "tts-mini" / "manifest.csv"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(path: Path) -> list[dict[str, str]]:
    """The manifest's rows; relative audio paths are resolved against the manifest's folder."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; need {', '.join(COLUMNS)}")
    for row in rows:
        row["path"] = str((Path(path).parent / row["path"]).resolve())
    return rows


def load_wave(path: str, sample_rate: int = 16000) -> torch.Tensor:
    """Mono float waveform at `sample_rate` (resampled with soxr when the file differs)."""
    audio, sr = sf.read(path, dtype="float32", always_2d=True)
    audio = audio.mean(1)
    if sr != sample_rate:
        import soxr

        audio = soxr.resample(audio, sr, sample_rate).astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(audio))


def load_items(rows: list[dict[str, str]], cfg: MelConfig = MelConfig()) -> list[Item]:
    """Every row as an Item; rows with fewer mel frames than symbols (alignment impossible) are skipped."""
    items = []
    for row in rows:
        tokens = torch.tensor(encode(row["phonemes"]), dtype=torch.long)
        mel = log_mel(load_wave(row["path"], cfg.sample_rate), cfg).T.contiguous()
        if len(tokens) and mel.shape[0] >= len(tokens):
            items.append(Item(row["id"], tokens, row["speaker"], mel, row["split"]))
    return items


def mel_statistics(items: list[Item]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-bin mean and standard deviation over every frame of `items`."""
    frames = torch.cat([it.mel for it in items])
    return frames.mean(0), frames.std(0).clamp(min=1e-3)


def bucketed_batches(lengths: list[int], batch_size: int, seed: int, epoch: int, window: int = 32) -> list[list[int]]:
    """One epoch's batches of similar lengths: shuffle (seeded by seed and epoch), sort each window of
    `window` batches by length, cut into batches, shuffle the batches."""
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    span = batch_size * window
    batches = []
    for start in range(0, len(order), span):
        chunk = sorted(order[start:start + span].tolist(), key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def collate(items: list[Item], speakers: list[str]) -> tuple[torch.Tensor, ...]:
    """-> (tokens (B, N), token lengths, speaker ids, log-mels (B, T, n_mels), mel lengths), zero-padded."""
    tl = torch.tensor([len(it.tokens) for it in items])
    ml = torch.tensor([it.mel.shape[0] for it in items])
    tokens = torch.zeros(len(items), int(tl.max()), dtype=torch.long)
    mels = torch.zeros(len(items), int(ml.max()), items[0].mel.shape[1])
    for i, it in enumerate(items):
        tokens[i, : tl[i]] = it.tokens
        mels[i, : ml[i]] = it.mel
    spk = torch.tensor([speakers.index(it.speaker) for it in items])
    return tokens, tl, spk, mels, ml
