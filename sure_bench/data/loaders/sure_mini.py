"""Loader of the embedded synthetic suite sure-mini (espeak-ng) and its Asterisk real-speech subset.

The subset is built under `data_root/sure-mini/<subset>` on first use (needs espeak-ng for the
synthetic subsets, the Asterisk prompts package for `asterisk`); later calls just read it.
"""

from __future__ import annotations

from pathlib import Path

from sure_bench.data.manifest import Utterance, read_manifest
from sure_bench.data.sure_mini.build import SUBSETS, build_subset
from sure_bench.data.dataset_info import DatasetInfo

INFO = DatasetInfo(
    name="sure_mini",
    title="sure-mini: the embedded default suite (espeak-ng speech plus the Asterisk prompts)",
    license="GPL-3.0 espeak-ng voices; Asterisk prompts CC BY-SA 3.0",
    homepage="",
    folder="sure-mini",
    layout="built by the harness on first use under <data-root>/sure-mini/<subset>/",
    notes="Nothing to download: `sure-bench data prepare sure-mini` builds it (needs espeak-ng and the "
          "asterisk-core-sounds-en-wav package, both installed by setup.sh).",
)

__all__ = ["SUBSETS", "load"]


def load(data_root: Path, subset: str, progress: bool = True) -> list[Utterance]:
    """All utterances (every split) of a sure-mini subset: one of ser, sid, ic, ks, asr, asterisk."""
    manifest = build_subset(Path(data_root), subset, progress=progress)
    return read_manifest(manifest)
