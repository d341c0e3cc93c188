"""CREMA-D (github.com/CheyneyComputerScience/CREMA-D): `AudioWAV/{actor}_{sentence}_{emotion}_{level}.wav`.

7,442 clips, 16 kHz mono, by 91 actors (1001-1091) saying 12 sentences (IEO, TIE, IOM, IWW, TAI, MTI, IWL,
ITH, DFA, ITS, TSI, WSI) in 6 emotions (ANG, DIS, FEA, HAP, NEU, SAD) at levels LO, MD, HI or XX
(unspecified; one file, 1040_ITH_SAD_X.wav, has a one-letter level as published). The label is the acted
(file name) emotion. The release has no split: the speaker is the actor id, and task YAMLs split by
committed actor lists (no `subset`).
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

EMOTIONS = {"ANG": "angry", "DIS": "disgust", "FEA": "fearful", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}
SENTENCES = ("IEO", "TIE", "IOM", "IWW", "TAI", "MTI", "IWL", "ITH", "DFA", "ITS", "TSI", "WSI")
LEVELS = ("LO", "MD", "HI", "XX", "X")

INFO = DatasetInfo(
    name="crema_d",
    title="CREMA-D: Crowd-sourced Emotional Multimodal Actors Dataset (audio)",
    license="Open Database License (ODbL) v1.0; contents under the Database Contents License",
    homepage="https://github.com/CheyneyComputerScience/CREMA-D",
    folder="CREMA-D",
    layout="CREMA-D/AudioWAV/{actor}_{sentence}_{emotion}_{level}.wav  e.g. 1001_DFA_ANG_XX.wav\n"
           "(7,442 files, 16 kHz mono; actor 1001-1091, emotion ANG/DIS/FEA/HAP/NEU/SAD, level LO/MD/HI/XX)",
    notes="The audio is stored with Git LFS: `git lfs install && git clone "
          "https://github.com/CheyneyComputerScience/CREMA-D.git` (about 600 MB for AudioWAV; `git lfs pull "
          "--include AudioWAV` fetches only the WAVs). A clone without git-lfs holds small pointer files "
          "instead of audio. GitHub serves no fixed-checksum archive, so there is no `data fetch`. "
          "1076_MTI_SAD_XX.wav is widely reported to hold no audio signal; it is kept (as the release has it).",
)

_NAME = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{1,2})\.wav$")


def parse_name(path: Path) -> tuple[str, str]:
    """(actor id, emotion name) of one AudioWAV file; a malformed name is a ManifestError."""
    m = _NAME.match(path.name)
    if not m:
        raise ManifestError(f"{path}: not a CREMA-D file name {{actor}}_{{sentence}}_{{emotion}}_{{level}}.wav")
    actor, sentence, emotion, level = m.groups()
    problems = [f"{what} {value!r}" for what, value, ok in (
        ("actor", actor, "1001" <= actor <= "1091"), ("sentence", sentence, sentence in SENTENCES),
        ("emotion", emotion, emotion in EMOTIONS), ("level", level, level in LEVELS)) if not ok]
    if problems:
        raise ManifestError(f"{path}: unexpected {', '.join(problems)} (actor 1001-1091, sentence one of "
                            f"{list(SENTENCES)}, emotion one of {list(EMOTIONS)}, level one of {list(LEVELS)})")
    return actor, EMOTIONS[emotion]


def _is_lfs_pointer(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(40).startswith(b"version https://git-lfs")
    except OSError:
        return False


def load(data_root: Path, folder: str = INFO.folder) -> list[Utterance]:
    """Every AudioWAV clip; label is the acted emotion (angry, disgust, fearful, happy, neutral, sad)."""
    audio = Path(data_root) / folder / "AudioWAV"
    if not audio.is_dir():
        raise FileNotFoundError(
            f"CREMA-D not found at {audio}: pass --data-root DIR where DIR/{folder}/AudioWAV holds the WAV files "
            f"of a git-lfs clone of {INFO.homepage}; expected layout:\n{INFO.layout}")
    rows = []
    for wav in sorted(audio.glob("*.wav")):
        actor, emotion = parse_name(wav)
        seconds = duration_of(wav)
        if seconds == 0.0 and _is_lfs_pointer(wav):
            raise FileNotFoundError(
                f"{wav} is a Git LFS pointer, not audio: the clone was made without git-lfs. Run "
                f"`git lfs install && git lfs pull --include AudioWAV` inside {audio.parent}")
        rows.append(Utterance(wav.stem, str(wav), seconds, emotion, actor))
    if not rows:
        raise FileNotFoundError(f"CREMA-D: no .wav files in {audio}; expected layout:\n{INFO.layout}")
    return rows
