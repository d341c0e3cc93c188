"""ESD, the Emotional Speech Dataset (Zhou et al., ICASSP 2021 / Speech Communication 2022).

Layout as the release unpacks (`Emotional Speech Dataset (ESD).zip` -> `Emotion Speech Dataset/`):
`<spk>/<Emotion>/<spk>_<nnnnnn>.wav`, speakers 0001-0010 Mandarin and 0011-0020 English, emotions
Neutral, Angry, Happy, Sad, Surprise; 350 parallel sentences per speaker and emotion, numbered in blocks
of 350 in that emotion order (Neutral 000001-000350, Angry 000351-000700, ..., Surprise 001401-001750).
`<spk>/<spk>.txt` (`<id>\\t<text>\\t<Emotion>`) holds the transcripts; labels here come from the folders.

Split: the release's own. The first release kept it as `<Emotion>/{train,evaluation,test}/` folders; the
current one is flat, and its split is restored from the sentence number within the emotion block:
1-20 evaluation, 21-50 test, 51-350 train (300/20/30 per speaker and emotion), which is exactly where the
first release's folders put each file. `subset` is train, evaluation or test either way; where split
folders exist they must agree with the number (a mismatch is a ManifestError, so both copies agree).
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

EMOTIONS = ("Neutral", "Angry", "Happy", "Sad", "Surprise")  # the order of the 350-sentence number blocks
SPLIT_FOLDERS = ("train", "evaluation", "test")
LANGUAGES = {"english": [f"{i:04d}" for i in range(11, 21)], "mandarin": [f"{i:04d}" for i in range(1, 11)]}
LANGUAGES["all"] = LANGUAGES["mandarin"] + LANGUAGES["english"]
TARGETS = ("emotion", "speaker")

INFO = DatasetInfo(
    name="esd",
    title="ESD: Emotional Speech Dataset (English and Mandarin)",
    license="research use only (ESD licence agreement)",
    homepage="https://github.com/HLTSingapore/Emotional-Speech-Data",
    folder="Emotion Speech Dataset",
    layout="Emotion Speech Dataset/<spk>/<Emotion>/<spk>_<nnnnnn>.wav   (16 kHz mono; spk 0001-0020)\n"
           "Emotion Speech Dataset/<spk>/<spk>.txt   (lines: <spk>_<nnnnnn> TAB text TAB Emotion)\n"
           "<Emotion>: Neutral, Angry, Happy, Sad, Surprise; the first release adds "
           "<Emotion>/{train,evaluation,test}/",
    notes="Sign the licence agreement linked from the GitHub page and e-mail it to the authors; they send a "
          "download link. Unzip 'Emotional Speech Dataset (ESD).zip' into --data-root so that "
          "--data-root/Emotion Speech Dataset/0011/ exists.",
)

_WAV = re.compile(r"^(\d{4})_(\d{6})\.wav$")


def split_of(number: int) -> str:
    """ESD's split from a file's sentence number (1-1750): its position in the 350-sentence emotion block."""
    position = (number - 1) % 350 + 1
    return "evaluation" if position <= 20 else "test" if position <= 50 else "train"


def _check(wav: Path, speaker: str, emotion: str, folder_split: str | None) -> int:
    m = _WAV.match(wav.name)
    if not m or m.group(1) != speaker:
        raise ManifestError(f"{wav}: expected a file named {speaker}_<nnnnnn>.wav in {speaker}/{emotion}/")
    number = int(m.group(2))
    block = (number - 1) // 350
    if not 1 <= number <= 1750 or EMOTIONS[block] != emotion:
        raise ManifestError(f"{wav}: sentence number {number:06d} is not in the {emotion} block "
                            f"({EMOTIONS.index(emotion) * 350 + 1:06d}-{EMOTIONS.index(emotion) * 350 + 350:06d})")
    if folder_split is not None and folder_split != split_of(number):
        raise ManifestError(f"{wav}: the release's {folder_split}/ folder holds it but sentence {number:06d} "
                            f"belongs to {split_of(number)} (1-20 evaluation, 21-50 test, 51-350 train per emotion)")
    return number


def load(data_root: Path, folder: str = INFO.folder, target: str = "emotion",
         language: str = "english") -> list[Utterance]:
    """Every utterance of the chosen speakers; label is the emotion (lower case) or the speaker id."""
    if target not in TARGETS:
        raise ValueError(f"esd loader: target must be one of {list(TARGETS)}, got {target!r}")
    if language not in LANGUAGES:
        raise ValueError(f"esd loader: language must be one of {sorted(LANGUAGES)}, got {language!r}")
    root = Path(data_root) / folder
    if not root.is_dir():
        raise FileNotFoundError(
            f"ESD not found at {root}: pass --data-root DIR where DIR/{folder}/<spk>/<Emotion>/ holds the "
            f"WAV files (the layout the release unpacks to); expected layout:\n{INFO.layout}")
    speakers = [s for s in LANGUAGES[language] if (root / s).is_dir()]
    if not speakers:
        raise FileNotFoundError(f"no {language} ESD speaker folders ({LANGUAGES[language][0]}..."
                                f"{LANGUAGES[language][-1]}) under {root}; expected layout:\n{INFO.layout}")
    rows = []
    for speaker in speakers:
        for emotion in EMOTIONS:
            emo_dir = root / speaker / emotion
            if not emo_dir.is_dir():
                raise FileNotFoundError(f"{emo_dir} not found: each ESD speaker folder holds {list(EMOTIONS)}")
            found = [(w, None) for w in emo_dir.glob("*.wav")]
            found += [(w, s) for s in SPLIT_FOLDERS for w in (emo_dir / s).glob("*.wav")]
            for wav, folder_split in sorted(found, key=lambda x: x[0].name):
                number = _check(wav, speaker, emotion, folder_split)
                label = emotion.lower() if target == "emotion" else speaker
                rows.append(Utterance(wav.stem, str(wav), duration_of(wav), label, speaker, split_of(number)))
    return rows
