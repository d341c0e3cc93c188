"""RAVDESS audio-only speech (Zenodo record 1188976): `Actor_XX/03-01-EE-II-SS-RR-XX.wav`, 48 kHz mono.

The seven two-digit fields of a file name are modality (03 audio-only), vocal channel (01 speech, 02 song),
emotion (01-08), intensity (01 normal, 02 strong), statement (01, 02), repetition (01, 02) and actor
(01-24; odd actors are male, even female). The release has no split; `subset` is the vocal channel
(`speech`, or `song` when Audio_Song_Actors_01-24.zip is unpacked into the same Actor_XX folders) and the
speaker is the actor folder name (`Actor_01`), so task YAMLs split by committed actor lists.
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo, Download
from sure_bench.data.manifest import ManifestError, Utterance

EMOTIONS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")  # codes 01..08
CHANNELS = {"01": "speech", "02": "song"}

INFO = DatasetInfo(
    name="ravdess",
    title="RAVDESS: Ryerson Audio-Visual Database of Emotional Speech and Song (audio-only speech)",
    license="CC BY-NC-SA 4.0",
    homepage="https://zenodo.org/record/1188976",
    folder="ravdess",
    layout="ravdess/Actor_01 .. Actor_24/03-01-{emotion}-{intensity}-{statement}-{repetition}-{actor}.wav\n"
           "(Audio_Speech_Actors_01-24.zip unpacked: 24 actors x 60 = 1,440 files, 16-bit 48 kHz mono;\n"
           "Actor_XX folders one level deeper, e.g. ravdess/Audio_Speech_Actors_01-24/Actor_01, are found too)",
    # md5: the value Zenodo lists for this file on record 1188976, as quoted by several independent public
    # scripts that check the archive after download (not re-read from Zenodo here). The zip holds the
    # Actor_XX folders, unpacked into ravdess/.
    downloads=(Download("https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip?download=1",
                        "md5:bc696df654c87fed845eb13823edef8a", extract_to="ravdess"),),
    notes="Non-commercial licence (CC BY-NC-SA 4.0); commercial licences are sold by the authors. Only the "
          "audio-only speech archive (208 MB) is needed, not the video archives.",
)

_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav$")


def _actor_folders(root: Path) -> list[Path]:
    direct = sorted(p for p in root.glob("Actor_[0-9][0-9]") if p.is_dir())
    return direct or sorted(p for p in root.glob("*/Actor_[0-9][0-9]") if p.is_dir())


def parse_name(path: Path) -> tuple[str, str, str]:
    """(vocal channel name, emotion, actor folder name) of one file; a malformed name is a ManifestError."""
    m = _NAME.match(path.name)
    if not m:
        raise ManifestError(f"{path}: not a RAVDESS audio file name MM-VV-EE-II-SS-RR-AA.wav (7 two-digit fields)")
    modality, channel, emotion, intensity, statement, repetition, actor = m.groups()
    problems = [f"{what} {value!r}" for what, value, ok in (
        ("modality", modality, modality == "03"), ("vocal channel", channel, channel in CHANNELS),
        ("emotion", emotion, "01" <= emotion <= "08"), ("intensity", intensity, intensity in ("01", "02")),
        ("statement", statement, statement in ("01", "02")), ("repetition", repetition, repetition in ("01", "02")),
        ("actor", actor, path.parent.name == f"Actor_{actor}")) if not ok]
    if problems:
        raise ManifestError(f"{path}: unexpected {', '.join(problems)} (expected audio-only 03, channel 01/02, "
                            "emotion 01-08, intensity/statement/repetition 01/02, actor = its Actor_XX folder)")
    return CHANNELS[channel], EMOTIONS[int(emotion) - 1], path.parent.name


def load(data_root: Path, folder: str = INFO.folder, channel: str = "speech") -> list[Utterance]:
    """Every file of the vocal channel `channel` (speech, song or all); label is the emotion name."""
    if channel not in ("speech", "song", "all"):
        raise ValueError(f"ravdess loader: channel must be 'speech', 'song' or 'all', got {channel!r}")
    root = Path(data_root) / folder
    actors = _actor_folders(root) if root.is_dir() else []
    if not actors:
        raise FileNotFoundError(
            f"RAVDESS not found: no Actor_XX folders in {root}. Pass --data-root DIR where DIR/{folder} holds "
            f"Audio_Speech_Actors_01-24.zip unpacked (or run `sure-bench data fetch ravdess`); expected layout:\n"
            f"{INFO.layout}")
    rows = []
    for actor in actors:
        for wav in sorted(actor.glob("*.wav")):
            subset, emotion, speaker = parse_name(wav)
            if channel in ("all", subset):
                rows.append(Utterance(wav.stem, str(wav), duration_of(wav), emotion, speaker, subset))
    if not rows:
        raise FileNotFoundError(f"RAVDESS: no {channel} files (03-{'01' if channel == 'speech' else '02'}-*.wav) "
                                f"in the Actor_XX folders under {root}")
    return rows
