"""Time the TTS metrics on 20 utterances: MCD, speaker similarity and tts_cer, seconds side by side.

References are espeak-ng en-us renderings of 20 sentences, the "generated" audio en-us+f3 renderings of
the same sentences (both written at 16 kHz). Each metric is timed cold (first call in the process: model
loading, reference embedding), warm (models loaded, reference embeddings cached, the generated files not
yet scored: an epoch's dev audio) and remembered (the same generated files again, as the kept test
predictions' per-sentence scores read them: only each file's content is hashed).
Target: a task scored within 2 minutes on 2 cores.

    .venv/bin/python benchmarks/tts_scoring.py [--n 20] [--threads 2]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import soundfile as sf
import torch

from sure_bench.metrics import tts as tts_metrics
from sure_bench.metrics.audio_io import read_at
from sure_bench.metrics.registry import get_metric

WORDS = ("the small red boat drifts past seven quiet houses near a river while children laugh and "
         "dogs bark under bright summer skies before evening rain begins to fall softly").split()


def sentences(n: int) -> list[str]:
    return [" ".join(WORDS[(3 * i) % len(WORDS):][:8] or WORDS[:8]).capitalize() + "." for i in range(n)]


def render(folder: Path, voice: str, texts: list[str]) -> list[str]:
    paths = []
    for i, text in enumerate(texts):
        raw, path = folder / f"{voice}-{i}.raw.wav", folder / f"{voice.replace('+', '_')}-{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
        sf.write(path, read_at(raw, 16000), 16000)
        paths.append(str(path))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    texts = sentences(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        refs_audio = render(Path(tmp), "en-us", texts)
        generated = render(Path(tmp), "en-us+f3", texts)
        refs = [{"audio": a, "text": t} for a, t in zip(refs_audio, texts)]
        rows = []
        for name in ("mcd", "speaker_similarity", "tts_cer"):
            metric = get_metric(name)
            t0 = time.perf_counter()
            value = metric.fn(refs, generated)
            tts_metrics._SCORED.clear()
            t1 = time.perf_counter()
            metric.fn(refs, generated)
            t2 = time.perf_counter()
            metric.fn(refs, generated)
            rows.append((name, value, t1 - t0, t2 - t1, time.perf_counter() - t2))
            tts_metrics._SCORED.clear()
    print(f"{args.n} utterances, {args.threads} torch threads")
    print(f"{'metric':<20}{'value':>10}{'cold s':>10}{'warm s':>10}{'remembered s':>14}")
    for name, value, cold, warm, again in rows:
        print(f"{name:<20}{value:>10.4f}{cold:>10.2f}{warm:>10.2f}{again:>14.2f}")
    totals = "".join(f"{sum(r[k] for r in rows):>{width}.2f}" for k, width in ((2, 10), (3, 10), (4, 14)))
    print(f"{'total':<20}{'':>10}{totals}")


if __name__ == "__main__":
    main()
