"""EmoDB, the Berlin Database of Emotional Speech (Burkhardt et al., Interspeech 2005).

Layout as `download.zip` unpacks (no top folder; unzip it into `emodb/`): `wav/<ss><ttt><E><v>.wav`, e.g.
`wav/03a01Fa.wav` = speaker 03, text a01, emotion F (Freude), version a; 535 files, 10 actors, 16 kHz mono.
Emotion letters (German initials): W Aerger/anger, L Langeweile/boredom, E Ekel/disgust, A Angst/fear,
F Freude/happiness, T Trauer/sadness, N neutral.

EmoDB publishes no split. Speaker-independent folds by a fixed rule: fold k holds the k-th male and the k-th
female actor in ascending id order (males 03 10 11 12 15, females 08 09 13 14 16), so each fold has one of
each: fold1 03+08, fold2 09+10, fold3 11+13, fold4 12+14, fold5 15+16. `subset` is that fold; the task
YAMLs list the same speakers explicitly (test fold k, dev fold k+1, train the other three folds).
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

EMOTIONS = {"W": "anger", "L": "boredom", "E": "disgust", "A": "fear", "F": "happiness", "T": "sadness",
            "N": "neutral"}
MALE = ("03", "10", "11", "12", "15")
FEMALE = ("08", "09", "13", "14", "16")
FOLDS = {f"fold{k + 1}": (m, f) for k, (m, f) in enumerate(zip(MALE, FEMALE))}
FOLD_OF = {spk: fold for fold, pair in FOLDS.items() for spk in pair}

INFO = DatasetInfo(
    name="emodb",
    title="EmoDB: Berlin Database of Emotional Speech",
    license="free for research (no formal licence; distributed by the authors at emodb.bilderbar.info)",
    homepage="http://emodb.bilderbar.info/",
    folder="emodb",
    layout="emodb/wav/<speaker:2><text:3><emotion:1><version:1>.wav   e.g. emodb/wav/03a01Fa.wav\n"
           "    (535 files, 16 kHz mono; emotion W L E A F T N; the zip also holds lablaut/ labsilb/ silb/ "
           "erkennung.txt erklaerung.txt, unused)",
    notes="Download http://emodb.bilderbar.info/download/download.zip and unzip it into --data-root/emodb/ "
          "(the archive has no top folder). No published checksum, so `data fetch` does not download it.",
)

_WAV = re.compile(r"^(\d\d)([ab]\d\d)([A-Z])([a-z])\.wav$")


def load(data_root: Path, folder: str = INFO.folder) -> list[Utterance]:
    """Every recording; label is the emotion word, speaker the two-digit actor id, subset its fold."""
    wav_dir = Path(data_root) / folder / "wav"
    if not wav_dir.is_dir():
        raise FileNotFoundError(
            f"EmoDB not found at {wav_dir}: pass --data-root DIR where DIR/{folder}/wav/ holds the WAV files "
            f"(unzip download.zip into DIR/{folder}/); expected layout:\n{INFO.layout}")
    rows = []
    for wav in sorted(wav_dir.glob("*.wav")):
        m = _WAV.match(wav.name)
        if not m or m.group(3) not in EMOTIONS or m.group(1) not in FOLD_OF:
            raise ManifestError(
                f"{wav}: not an EmoDB file name <speaker><text><emotion><version>.wav with speaker in "
                f"{sorted(FOLD_OF)} and emotion in {sorted(EMOTIONS)} (e.g. 03a01Fa.wav)")
        speaker, _, emotion, _ = m.groups()
        rows.append(Utterance(wav.stem, str(wav), duration_of(wav), EMOTIONS[emotion], speaker, FOLD_OF[speaker]))
    if not rows:
        raise FileNotFoundError(f"no WAV files in {wav_dir}; expected layout:\n{INFO.layout}")
    return rows
