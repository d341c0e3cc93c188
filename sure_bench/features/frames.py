"""Every frame of every hidden state of a frozen encoder, per utterance, cached on disk (features.store):
what a frame-level head (CTC) reads, so that training it never runs the frozen encoder again."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import datasets
import numpy as np
import torch

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.features.encode import encode_batches, entry_key
from sure_bench.features.store import Entry, Write, build_entry

# states, mask -> (B, T, num_states, hidden): what the head computes per frame before its trained part
FrameFn = Callable[[tuple[torch.Tensor, ...], torch.Tensor], torch.Tensor]


@dataclass
class Frames:
    """All utterances' frames in one (total_frames, num_states, hidden) array (memory-mapped) and where
    each utterance starts: utterance i is `array[offsets[i]:offsets[i + 1]]`."""

    array: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def utterance(self, i: int) -> np.ndarray:
        return self.array[self.offsets[i]:self.offsets[i + 1]]


def write_clips(batches: Iterable[tuple[torch.Tensor, torch.Tensor]], write: Write) -> list[int]:
    """Hand each clip's valid frames of each batch (per-frame values (B, T, ...), valid frames (B,)) to
    `write`, in order; return the frame counts."""
    counts = []
    for values, lengths in batches:
        for row, n in zip(values.float().cpu().numpy(), lengths.tolist()):
            write(row[:n])
            counts.append(int(n))
    return counts


def frame_states(encoder: SpeechEncoder, ds: datasets.Dataset, max_samples: int | None, frames: FrameFn,
                 write: Write) -> list[int]:
    """Hand each utterance's valid frames, (T_i, num_states, hidden), to `write`; return the T_i."""
    batches = encode_batches(encoder, ds, max_samples)
    return write_clips(((frames(states, mask), mask.sum(1)) for states, mask in batches), write)


def cached_frame_states(encoder: SpeechEncoder, ds: datasets.Dataset, cache_dir: Path, task: str,
                        spec_hash: str, split: str, max_samples: int | None, frames: FrameFn,
                        tag: str) -> Frames:
    """`frame_states`, computed once and then read back memory-mapped. `tag` names `frames` in the key."""
    key = entry_key("frames", encoder, task, spec_hash, split, ds, max_samples, tag)

    def build(write: Write) -> dict:
        return {"frames": frame_states(encoder, ds, max_samples, frames, write)}

    return read_frames(build_entry(key, cache_dir, build), len(ds), f"{task} {split}")


def read_frames(entry: Entry, utterances: int, what: str) -> Frames:
    """An entry of per-utterance frames (its card's index holds each utterance's frame count) as `Frames`."""
    counts = entry.index.get("frames", [])
    if len(counts) != utterances or sum(counts) != len(entry.array):
        raise RuntimeError(f"frame cache for {what}: its index does not match its array; run "
                           "`sure-bench cache clear` and retry")
    return Frames(entry.array, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
