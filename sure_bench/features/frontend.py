"""A frozen front end's output per clip (Whisper: log-mel and the two convolutions; wav2vec2 family: the
CNN), cached on disk (features.store): what a method that leaves the front end frozen trains on, so that
the front end runs once per clip, not once per clip per epoch, grid point and seed.

Only for encoders whose clips do not depend on what they are padded beside (`caches_frontend`); the
model then runs `from_frontend` on the zero-padded outputs, which gives every valid frame the states the
waveform path gives (frames past a clip differ, and every head and method masks them)."""

from __future__ import annotations

from pathlib import Path

import datasets

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.features.frames import Frames, read_frames, write_clips
from sure_bench.features.encode import encode_batches, entry_key
from sure_bench.features.store import Write, build_entry


def frontend_outputs(encoder: SpeechEncoder, ds: datasets.Dataset, max_samples: int | None, write: Write) -> list[int]:
    """Hand each clip's valid front-end frames, (T_i, C), to `write`; return the T_i."""
    return write_clips(encode_batches(encoder, ds, max_samples, run=encoder.frontend), write)


def cached_frontend(encoder: SpeechEncoder, ds: datasets.Dataset, cache_dir: Path, task: str, spec_hash: str,
                    split: str, max_samples: int | None, tag: str) -> Frames:
    """`frontend_outputs`, computed once and then read back memory-mapped."""
    if not encoder.caches_frontend:
        raise ValueError(f"backbone {encoder.name or encoder.family}: its front end's output depends on "
                         "padding (or the family does not split its forward there); nothing to cache")
    key = entry_key("frontend", encoder, task, spec_hash, split, ds, max_samples, tag)

    def build(write: Write) -> dict:
        return {"frames": frontend_outputs(encoder, ds, max_samples, write)}

    return read_frames(build_entry(key, cache_dir, build), len(ds), f"{task} {split} front end")
