"""MELD (Multimodal EmotionLines Dataset) as MELD.Raw.tar.gz and its three inner archives unpack.

Per split a CSV `{split}_sent_emo.csv` (columns Sr No., Utterance, Speaker, Emotion, Sentiment,
Dialogue_ID, Utterance_ID, Season, Episode, StartTime, EndTime) and a folder of clips `dia{D}_utt{U}.mp4`:
train_splits/, dev_splits_complete/, output_repeated_splits_test/. Each is looked for directly in MELD.Raw/
and in MELD.Raw/{train,dev,test}/ (train.tar.gz unpacks into train/). A clip converted next to its mp4 as
.wav or .flac is preferred (no ffmpeg needed). `subset` is the official split (train, dev, test); ids are
`{split}_dia{D}_utt{U}` since dialogue numbers restart in each split; the speaker is the character name.
The test folder's extra `final_videos_test*.mp4` files are not read.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

EMOTIONS = ("neutral", "joy", "sadness", "anger", "surprise", "fear", "disgust")
SPLITS = {"train": ("train_sent_emo.csv", "train_splits"), "dev": ("dev_sent_emo.csv", "dev_splits_complete"),
          "test": ("test_sent_emo.csv", "output_repeated_splits_test")}
AUDIO_SUFFIXES = (".wav", ".flac", ".mp4")  # first found wins
COLUMNS = ("Speaker", "Emotion", "Dialogue_ID", "Utterance_ID", "StartTime", "EndTime")

INFO = DatasetInfo(
    name="meld",
    title="MELD: Multimodal EmotionLines Dataset (Friends TV series)",
    license="GPL-3.0",
    homepage="https://affective-meld.github.io",
    folder="MELD.Raw",
    layout="MELD.Raw/train_sent_emo.csv (or MELD.Raw/train/train_sent_emo.csv), dev_sent_emo.csv, test_sent_emo.csv\n"
           "MELD.Raw/train_splits/dia{D}_utt{U}.mp4 (or MELD.Raw/train/train_splits/...)\n"
           "MELD.Raw/dev_splits_complete/dia{D}_utt{U}.mp4, MELD.Raw/output_repeated_splits_test/dia{D}_utt{U}.mp4\n"
           "(9,989 / 1,109 / 2,610 utterances; a .wav or .flac beside an .mp4 is read instead of it)",
    notes="Download MELD.Raw.tar.gz (about 10 GB; http://web.eecs.umich.edu/~mihalcea/downloads/MELD.Raw.tar.gz, "
          "linked from the homepage), unpack it into --data-root, then unpack train.tar.gz, dev.tar.gz and "
          "test.tar.gz inside MELD.Raw/. Reading .mp4 needs ffmpeg on PATH (apt install ffmpeg). Two clips are "
          "known to be unusable (train dia125_utt3, dev dia110_utt7): pass --skip-bad-audio.",
)

_TIME = re.compile(r"^(\d+):(\d\d):(\d\d)[,.](\d{1,3})$")


def _seconds(stamp: str) -> float | None:
    m = _TIME.match(stamp.strip())
    if not m:
        return None
    h, mi, s, ms = m.groups()
    return int(h) * 3600 + int(mi) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def _first(root: Path, split: str, name: str) -> Path | None:
    return next((p for p in (root / name, root / split / name) if p.exists()), None)


def _missing(root: Path, split: str, name: str, folder: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"MELD: {root / name} not found (nor {root / split / name}): pass --data-root "
        f"DIR where DIR/{folder} is MELD.Raw.tar.gz unpacked, with train.tar.gz, dev.tar.gz and test.tar.gz "
        f"unpacked inside it; expected layout:\n{INFO.layout}")


def read_split(csv_path: Path, clips: Path, split: str) -> list[Utterance]:
    """The rows of one `{split}_sent_emo.csv`, each pointing at its clip in `clips` (present or not)."""
    present = {p.name for p in clips.iterdir()}
    rows = []
    with csv_path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{csv_path}: missing column(s) {missing}; found {reader.fieldnames}")
        for rec in reader:
            where = f"{csv_path}:{reader.line_num}"
            dia, utt, emotion = rec["Dialogue_ID"].strip(), rec["Utterance_ID"].strip(), rec["Emotion"].strip().lower()
            if not (dia.isdigit() and utt.isdigit()):
                raise ManifestError(f"{where}: Dialogue_ID {dia!r} / Utterance_ID {utt!r} must be whole numbers")
            if emotion not in EMOTIONS:
                raise ManifestError(f"{where}: Emotion {rec['Emotion']!r} is not one of {list(EMOTIONS)}")
            stem = f"dia{int(dia)}_utt{int(utt)}"
            name = next((stem + s for s in AUDIO_SUFFIXES if stem + s in present), stem + ".mp4")
            path = clips / name
            if path.suffix == ".mp4":  # soundfile cannot read the header: the release's timestamps instead
                start, stop = _seconds(rec["StartTime"]), _seconds(rec["EndTime"])
                seconds = max(stop - start, 0.0) if start is not None and stop is not None else 0.0
            else:
                seconds = duration_of(path)
            rows.append(Utterance(f"{split}_{stem}", str(path), seconds, emotion, rec["Speaker"].strip(), split))
    return rows


def load(data_root: Path, folder: str = INFO.folder) -> list[Utterance]:
    """Every utterance of the three official splits; label is the MELD emotion (neutral, joy, sadness, ...)."""
    root = Path(data_root) / folder
    rows: list[Utterance] = []
    for split, (csv_name, clip_dir) in SPLITS.items():
        csv_path, clips = _first(root, split, csv_name), _first(root, split, clip_dir)
        if csv_path is None:
            raise _missing(root, split, csv_name, folder)
        if clips is None or not clips.is_dir():
            raise _missing(root, split, clip_dir, folder)
        rows += read_split(csv_path, clips, split)
    return rows
