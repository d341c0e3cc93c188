"""Audio reading for the TTS metrics: soundfile to read, soxr to resample (no torchaudio, no librosa).

A generated utterance is scored in its reference's band: it is resampled to the reference recording's rate
(an 8 kHz reference scores an 8 kHz rendering of the generated audio)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import soxr


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """(mono float32 samples in [-1, 1], sample rate); channels are averaged."""
    wave, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(wave.mean(axis=1)), int(rate)


def resample(wave: np.ndarray, rate: int, target: int) -> np.ndarray:
    """`wave` at `rate` -> `target` Hz (soxr HQ, librosa's default); unchanged when the rates match."""
    if rate == target:
        return wave
    return soxr.resample(wave, rate, target, quality="HQ").astype(np.float32, copy=False)


def read_at(path: str | Path, target: int) -> np.ndarray:
    """The file's samples at `target` Hz."""
    wave, rate = read_audio(path)
    return resample(wave, rate, target)


def read_in_band(prediction: str | Path, reference_rate: int) -> np.ndarray:
    """A generated file at its reference's rate: an 8 kHz reference is scored in the 8 kHz band."""
    return read_at(prediction, reference_rate)


def file_key(path: str | Path) -> tuple[str, int, int]:
    """(resolved path, size, mtime in ns): a cache key that changes when the file is rewritten."""
    p = Path(path).resolve()
    st = p.stat()
    return str(p), st.st_size, st.st_mtime_ns


def content_key(path: str | Path) -> str:
    """sha256 of a file's bytes: a cache key that follows the content when the file is moved or renamed."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_pairs(references: Sequence[Any], predictions: Sequence[Any], need: str) -> list[Mapping[str, Any]]:
    """The references as dicts holding `need` ("audio" or "text"), one per prediction path."""
    if len(references) != len(predictions):
        raise ValueError(f"{len(references)} references but {len(predictions)} predictions")
    if not references:
        raise ValueError("no utterances to score")
    out = []
    for i, ref in enumerate(references):
        if not isinstance(ref, Mapping) or need not in ref:
            raise ValueError(f"reference {i} must be a dict with {need!r} (got {type(ref).__name__}: {ref!r:.80})")
        if not isinstance(predictions[i], (str, Path)):
            raise ValueError(f"prediction {i} must be the path of a generated WAV, got {predictions[i]!r:.80}")
        out.append(ref)
    return out
