"""Render planned tts-mini utterances to 16 kHz mono 16-bit WAV: trim, resample, loudness-normalise.

Loudness: the RMS of the active frames (those within 40 dB of the loudest) is set to -20 dBFS, and
the clip is scaled down if that would push its peak past -1 dBFS. Files are written atomically, so
an interrupted build leaves only whole files, and existing files are skipped by the caller.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from sure_bench.data.parallel import run_in_threads
from sure_bench.data.sure_mini.render import trim_silence
from sure_bench.data.tts_corpus.voices import TtsVoice, synthesize
from sure_bench.files import write_atomic_with

SAMPLE_RATE = 16000
TARGET_DBFS = -20.0
PEAK_DBFS = -1.0


@dataclass(frozen=True)
class Job:
    """One utterance to render: its id, sentence, phonemes and voice, and where it goes."""

    id: str
    text: str
    phonemes: str
    voice: TtsVoice
    path: Path


def seed_of(utt_id: str) -> int:
    """A stable seed from an utterance id (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(utt_id.encode()).digest()[:8], "little")


def normalize_loudness(x: np.ndarray, sr: int) -> np.ndarray:
    """Active-frame RMS to TARGET_DBFS, peak capped at PEAK_DBFS."""
    hop = max(1, sr // 100)
    n = len(x) // hop
    if n == 0 or not np.any(x):
        return x.astype(np.float32)
    energy = (x[: n * hop].reshape(n, hop) ** 2).mean(axis=1)
    active = energy[energy > energy.max() * 1e-4]
    rms = float(np.sqrt(active.mean())) if active.size else float(np.sqrt(np.mean(x**2)))
    gain = 10 ** (TARGET_DBFS / 20) / (rms + 1e-12)
    peak = float(np.abs(x).max()) * gain
    limit = 10 ** (PEAK_DBFS / 20)
    if peak > limit:
        gain *= limit / peak
    return (x * gain).astype(np.float32)


def render(job: Job) -> np.ndarray:
    """The utterance's 16 kHz mono float32 audio."""
    x, sr = synthesize(job.text, job.phonemes, job.voice, seed_of(job.id))
    x = np.asarray(x, dtype=np.float32)
    if x.ndim > 1:
        x = x.mean(axis=1)
    if x.size == 0 or not np.any(x):
        raise RuntimeError(f"{job.voice.name} produced no audio for {job.text!r}")
    x = trim_silence(x, sr)
    if sr != SAMPLE_RATE:
        x = soxr.resample(x, sr, SAMPLE_RATE).astype(np.float32)
    return normalize_loudness(x, SAMPLE_RATE)


def render_to_file(job: Job) -> float:
    """Render one job into its WAV file (atomically); returns the duration in seconds."""
    audio = render(job)
    write_atomic_with(job.path, lambda tmp: sf.write(tmp, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV"))
    return len(audio) / SAMPLE_RATE


def render_many(jobs: Iterable[Job], workers: int = 3,
                on_done: Callable[[int], None] | None = None) -> dict[str, float]:
    """Render jobs, `workers` at a time (threads: the work is in subprocesses and onnxruntime);
    returns {id: duration}. `on_done(1)` is called in the caller's thread per file."""
    return run_in_threads({job.id: partial(render_to_file, job) for job in jobs}, workers, on_done)
