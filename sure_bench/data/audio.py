"""Reading one audio file: soundfile to decode, soxr to resample to 16 kHz, checks that name the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from sure_bench.data.ffmpeg_audio import CONTAINER_SUFFIXES, FFmpegNotFoundError, read_with_ffmpeg

TARGET_RATE = 16000


class BadAudioError(ValueError):
    """An audio file is missing, unreadable, empty, non-finite or otherwise unusable."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason} (fix or remove the file, or pass --skip-bad-audio to skip such files)")


def read_audio(
    path: str | Path,
    target_rate: int = TARGET_RATE,
    expected_rate: int | None = None,
    allow_multichannel: bool = False,
    start: float = 0.0,
    stop: float = 0.0,
) -> np.ndarray:
    """Decode a file (or its `start`..`stop` seconds; stop 0 = to the end) to mono float32 at `target_rate`.

    Multi-channel audio is an error unless `allow_multichannel` (then channels are averaged);
    a sampling rate other than `expected_rate` (when given) is an error.
    """
    p = Path(path)
    if not p.is_file():
        raise BadAudioError(p, "file not found")
    try:
        if p.suffix.lower() in CONTAINER_SUFFIXES:  # video/AAC containers: soundfile cannot read them
            wave, rate = read_with_ffmpeg(p)
            data = wave[round(start * rate): round(stop * rate) if stop else None, None]
        elif start or stop:
            rate = sf.info(str(p)).samplerate
            data, rate = sf.read(str(p), dtype="float32", always_2d=True, start=round(start * rate),
                                 stop=round(stop * rate) if stop else None)
        else:
            data, rate = sf.read(str(p), dtype="float32", always_2d=True)
    except FFmpegNotFoundError:
        raise  # a missing tool, not a bad file: --skip-bad-audio must not drop every clip
    except Exception as e:  # soundfile raises several types for corrupt data
        raise BadAudioError(p, f"unreadable audio ({type(e).__name__}: {e})") from None
    if data.shape[0] == 0:
        raise BadAudioError(p, "empty audio (0 samples)")
    if data.shape[1] > 1:
        if not allow_multichannel:
            raise BadAudioError(p, f"{data.shape[1]} channels, expected mono")
        data = data.mean(axis=1, keepdims=True)
    if expected_rate is not None and rate != expected_rate:
        raise BadAudioError(p, f"sampling rate {rate} Hz, expected {expected_rate} Hz")
    wave = data[:, 0]
    if not np.isfinite(wave).all():
        raise BadAudioError(p, "audio contains NaN or infinite samples")
    if rate != target_rate:
        wave = soxr.resample(wave, rate, target_rate, quality="HQ").astype(np.float32)
    return np.ascontiguousarray(wave, dtype=np.float32)


def duration_of(path: str | Path) -> float:
    """Seconds of audio from the file's header; 0.0 when missing or unreadable (reported at decode time)."""
    try:
        info = sf.info(str(path))
    except (RuntimeError, OSError, sf.LibsndfileError):
        return 0.0
    return info.frames / info.samplerate if info.samplerate else 0.0
