"""Loader of tts-asterisk: speaker adaptation to the real Asterisk telephony voice (8 kHz, one female
speaker; Debian `asterisk-core-sounds-en-wav`, read in place), for the TTS model pretrained on tts-mini.

The prompts and their transcripts are sure-mini asterisk's (`data/sure_mini/asterisk.py`: the same
normalised texts and the same 70/10/20 hash split, so no test sentence of asr-asterisk is adapted on).
Within each split, prompts are taken in the order of the sha256 of their id: `adapt` holds train prompts
until `adapt_minutes` of speech, `dev` and `test` the first `dev` and `test` prompts of their splits.
The voices the packaged backbone knows (the nearest starts the new one; `speaker_id_accuracy` tells the
target from them) are read from tts-mini by the kind. label = the normalised transcript, speaker =
`asterisk-en`, subset = adapt | dev | test.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import Utterance
from sure_bench.data.sure_mini.asterisk import INSTALL_HINT, manifest_rows, plan_prompts

INFO = DatasetInfo(
    name="tts_asterisk",
    title="tts-asterisk: the Asterisk English prompts (real 8 kHz telephony voice) as a TTS adaptation target",
    license="Asterisk core sounds: CC BY-SA 3.0 (Digium); tts-mini voices as tts_mini",
    homepage="https://www.asterisk.org/",
    folder="",
    layout="the installed prompts, read in place: /usr/share/asterisk/sounds/en/*.wav and the transcripts "
           "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz; tts-mini under <data-root>/tts-mini/",
    notes=f"Nothing to download: {INSTALL_HINT} (setup.sh does); tts-mini is built on first use.",
)

__all__ = ["INFO", "load", "phonemes"]
SPLITS = {"train": "adapt", "dev": "dev", "test": "test"}


def _order(uid: str) -> bytes:
    return hashlib.sha256(uid.encode()).digest()


def _target_rows(adapt_minutes: float, dev: int, test: int) -> list[Utterance]:
    prompts = plan_prompts()
    splits = {p.id: SPLITS[p.split] for p in prompts}
    rows = sorted(manifest_rows(prompts), key=lambda r: _order(r.id))
    out, seconds, counts = [], 0.0, {"dev": 0, "test": 0}
    for r in rows:
        subset = splits[r.id]
        if subset == "adapt":
            if seconds >= adapt_minutes * 60:
                continue
            seconds += r.duration
        elif counts[subset] >= {"dev": dev, "test": test}[subset]:
            continue
        else:
            counts[subset] += 1
        out.append(Utterance(r.id, r.path, r.duration, r.label, r.speaker, subset))
    return out


def load(data_root: Path, adapt_minutes: float = 3.0, dev: int = 20, test: int = 30,
         progress: bool = True) -> list[Utterance]:
    """The target's adapt, dev and test prompts."""
    return _target_rows(adapt_minutes, dev, test)


def phonemes(data_root: Path, adapt_minutes: float = 3.0, dev: int = 20, test: int = 30,
             progress: bool = True) -> dict[str, str]:
    """{prompt id: espeak-ng IPA of its transcript} for the target's prompts (cached on disk)."""
    from sure_bench.data.loaders._tts_text import cached_phonemes

    return cached_phonemes({r.id: r.label for r in _target_rows(adapt_minutes, dev, test)})
