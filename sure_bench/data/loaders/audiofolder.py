"""Your own data: a folder of audio plus a CSV naming each file's path and label (or transcript).

Columns are configurable; optional ones are the speaker and the utterance id (default: the file's
path without its extension). `datasets`' builder of the same name needs torchcodec; this one does not.
"""

from __future__ import annotations

import csv
from pathlib import Path

import soundfile as sf

from sure_bench.data.manifest import ManifestError, Utterance


def load(data_root: Path, folder: str = "", csv_file: str = "metadata.csv", path_column: str = "path",
         label_column: str = "label", speaker_column: str = "speaker", id_column: str = "") -> list[Utterance]:
    """Rows of `data_root/folder/csv_file`; audio paths are relative to that folder."""
    base = Path(data_root) / folder
    table = base / csv_file
    if not table.is_file():
        raise FileNotFoundError(f"audiofolder: {table} not found; pass --data-root DIR where DIR/{folder} holds "
                                f"{csv_file} and the audio files")
    with table.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in (path_column, label_column) if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{table}: missing column(s) {missing}; columns are {reader.fieldnames} "
                                "(set path_column / label_column in the task's dataset args)")
        rows = []
        for rec in reader:
            rel = rec[path_column]
            audio = base / rel
            try:
                info = sf.info(str(audio))
                duration = info.frames / info.samplerate
            except (RuntimeError, OSError):
                duration = 0.0  # unreadable: reported by path when decoded (or skipped with --skip-bad-audio)
            utt_id = rec.get(id_column) if id_column else str(Path(rel).with_suffix(""))
            rows.append(Utterance(utt_id, str(audio), duration, rec[label_column], rec.get(speaker_column) or ""))
    return rows
