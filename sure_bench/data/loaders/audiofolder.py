"""Your own data: a folder of audio plus a CSV naming each file's path and label (or transcript).

Columns are configurable; optional ones are the speaker and the utterance id (default: the file's
path without its extension). `datasets`' builder of the same name needs torchcodec; this one does not.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sure_bench.data.manifest import ManifestError, Utterance
from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo

INFO = DatasetInfo(
    name="audiofolder",
    title="Your own audio: a folder plus a CSV",
    license="yours",
    homepage="",
    folder="",
    layout="<folder>/metadata.csv with columns path,label[,speaker][,split] and the audio files it names "
           "(paths relative to <folder>)",
    notes="A task YAML sets loader: audiofolder and the column names in dataset.args; with a `split` column, "
          "select splits with {subset: [train]} etc.",
)


def load(data_root: Path, folder: str = "", csv_file: str = "metadata.csv", path_column: str = "path",
         label_column: str = "label", speaker_column: str = "speaker", id_column: str = "",
         split_column: str = "split") -> list[Utterance]:
    """Rows of `data_root/folder/csv_file`; audio paths are relative to that folder.

    The optional split column becomes each row's `subset`, so a task selects `{subset: [test]}`.
    """
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
            utt_id = rec.get(id_column) if id_column else str(Path(rel).with_suffix(""))
            # an unreadable file has duration 0; it is named when decoded (or skipped with --skip-bad-audio)
            rows.append(Utterance(utt_id, str(audio), duration_of(audio), rec[label_column],
                                  rec.get(speaker_column) or "", rec.get(split_column) or ""))
    return rows
