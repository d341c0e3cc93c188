"""Free Spoken Digit Dataset: `recordings/{digit}_{speaker}_{index}.wav`, 8 kHz mono.

FSDD's own split: index 0-4 test; we hold out index 5-9 of train as dev.
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import Utterance

INFO = DatasetInfo(
    name="fsdd",
    title="Free Spoken Digit Dataset",
    license="CC BY-SA 4.0",
    homepage="https://github.com/Jakobovski/free-spoken-digit-dataset",
    folder="fsdd",
    layout="fsdd/recordings/{digit}_{speaker}_{index}.wav  (3,000 files, 8 kHz mono)",
    notes="Clone the repository (or download its archive) and point --data-root at the folder holding fsdd/. "
          "GitHub archives are not byte-stable, so the harness checks each file against the committed "
          "manifest (tasks/manifests/fsdd.csv) instead of an archive checksum.",
)

NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def split_of(index: int) -> str:
    return "test" if index < 5 else "dev" if index < 10 else "train"


def load(data_root: Path, folder: str = INFO.folder, target: str = "digit") -> list[Utterance]:
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
        digit, speaker, index = m.groups()
        label = DIGIT_WORDS[int(digit)] if target == "digit" else speaker
        rows.append(Utterance(wav.stem, str(wav), duration_of(wav), label, speaker, split_of(int(index))))
    return rows
