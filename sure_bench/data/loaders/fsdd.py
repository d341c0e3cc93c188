"""Free Spoken Digit Dataset: `recordings/{digit}_{speaker}_{index}.wav`, 8 kHz mono.

FSDD's own split: index 0-4 test; we hold out index 5-9 of train as dev.
"""

from __future__ import annotations

import re
from pathlib import Path

import soundfile as sf

from sure_bench.data.manifest import Utterance

NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def split_of(index: int) -> str:
    return "test" if index < 5 else "dev" if index < 10 else "train"


def load(data_root: Path, folder: str = "fsdd", target: str = "digit") -> list[Utterance]:
    """Every recording; label is the digit word (`target: digit`) or the speaker (`target: speaker`)."""
    rec = Path(data_root) / folder / "recordings"
    if not rec.is_dir():
        raise FileNotFoundError(
            f"FSDD not found at {rec}: pass --data-root DIR where DIR/{folder}/recordings holds the "
            "free-spoken-digit-dataset WAV files"
        )
    if target not in ("digit", "speaker"):
        raise ValueError(f"fsdd loader: target must be 'digit' or 'speaker', got {target!r}")
    rows = []
    for wav in sorted(rec.glob("*.wav")):
        m = NAME.match(wav.name)
        if not m:
            continue
        digit, speaker, _ = m.groups()
        info = sf.info(str(wav))
        label = DIGIT_WORDS[int(digit)] if target == "digit" else speaker
        rows.append(Utterance(wav.stem, str(wav), info.frames / info.samplerate, label, speaker))
    return rows
