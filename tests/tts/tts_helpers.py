"""Shared helpers for the TTS tests: a fixed random batch for a tiny model."""

from __future__ import annotations

import torch


def tiny_batch(n_mels: int = 80, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """(tokens, token lengths, speakers, log-mels, mel lengths): 3 utterances, one padded to each length."""
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(2, 100, (3, 12), generator=g)
    token_lengths = torch.tensor([12, 9, 5])
    tokens[1, 9:] = 0
    tokens[2, 5:] = 0
    mels = torch.randn(3, 40, n_mels, generator=g) - 4.0
    mel_lengths = torch.tensor([40, 31, 17])
    return tokens, token_lengths, torch.tensor([0, 1, 2]), mels, mel_lengths


SENTENCES = ["The quick brown fox jumps over the lazy dog.", "She sells sea shells by the sea shore.",
             "A small model can learn a new voice.", "Please call Stella and ask her to bring these things.",
             "We will meet at the station at nine.", "How much wood would a woodchuck chuck?"]


def _espeak(args: list[str], text: str) -> str:
    import subprocess

    return subprocess.run(["espeak-ng", *args, "--stdin"], input=text, check=True, capture_output=True,
                          text=True).stdout


def write_espeak_corpus(root, sentences: list[str], voices: list[str], heldout_every: int = 0):
    """`root/tts-mini/manifest.csv` and its wavs (22.05 kHz, as espeak-ng writes them): every sentence in every
    voice; with `heldout_every` k, each k-th sentence goes to split `dev` (else `train`)."""
    import csv
    from pathlib import Path

    import soundfile as sf

    folder = Path(root) / "tts-mini"
    (folder / "wav").mkdir(parents=True, exist_ok=True)
    rows = []
    for v, voice in enumerate(voices):
        for s, text in enumerate(sentences):
            uid = f"v{v}_{s:04d}"
            wav = folder / "wav" / f"{uid}.wav"
            _espeak(["-w", str(wav), "-v", voice], text)  # (with -q, espeak-ng writes no wav)
            phonemes = " ".join(_espeak(["-q", "--ipa", "-v", voice], text).split())
            split = "dev" if heldout_every and s % heldout_every == heldout_every - 1 else "train"
            rows.append({"id": uid, "path": f"wav/{uid}.wav", "text": text, "phonemes": phonemes, "speaker": voice,
                         "split": split, "duration": f"{sf.info(str(wav)).duration:.3f}"})
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Path(root)
