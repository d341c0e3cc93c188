"""Fluent Speech Commands (Lugosch et al. 2019), read from the release as distributed.

Layout: `fluent_speech_commands_dataset/data/{train,valid,test}_data.csv` (header
`,path,speakerId,transcription,action,object,location`, the first column an unnamed row index) and
`wavs/speakers/<speakerId>/<name>.wav` (16 kHz mono), `path` being relative to the dataset folder.
Split rule: the release's own speaker-disjoint CSVs; `subset` is `train`, `valid` or `test` after the
CSV a row comes from. Label: `action|object|location` with the values exactly as the CSVs spell them.
Id: the wav file's stem (unique in the release).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

INFO = DatasetInfo(
    name="fsc",
    title="Fluent Speech Commands",
    license="Fluent Speech Commands Public License (non-commercial use; obtained through a request form)",
    homepage="https://fluent.ai/fluent-speech-commands-a-dataset-for-spoken-language-understanding-research/",
    folder="fluent_speech_commands_dataset",
    layout=(
        "fluent_speech_commands_dataset/data/train_data.csv, valid_data.csv, test_data.csv\n"
        "    (header: ,path,speakerId,transcription,action,object,location)\n"
        "fluent_speech_commands_dataset/wavs/speakers/<speakerId>/<name>.wav  (30,043 files, 16 kHz mono)"
    ),
    notes="Fluent.ai hands the archive out after a request form on its website; unpack it so that "
          "--data-root DIR holds DIR/fluent_speech_commands_dataset/ (data/ and wavs/ inside) as released.",
)

SUBSETS = ("train", "valid", "test")
COLUMNS = ("path", "speakerId", "action", "object", "location")


def _expected(root: Path) -> str:
    return (f"pass --data-root DIR where DIR/{root.name} is the unpacked Fluent Speech Commands release; "
            f"expected layout:\n{INFO.layout}")


def _read_csv(csv_path: Path, base: Path, subset: str) -> list[Utterance]:
    with csv_path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{csv_path}:1: missing column(s) {missing}; found {reader.fieldnames}, expected "
                                "',path,speakerId,transcription,action,object,location'")
        rows = []
        for line, rec in enumerate(reader, start=2):
            values = {c: (rec.get(c) or "").strip() for c in COLUMNS}
            empty = [c for c, v in values.items() if not v]
            if empty:
                raise ManifestError(f"{csv_path}:{line}: empty {empty} in row {dict(rec)}")
            bad = [c for c in ("action", "object", "location") if "|" in values[c]]
            if bad:
                raise ManifestError(f"{csv_path}:{line}: slot value(s) {[values[c] for c in bad]} contain '|'")
            wav = base / values["path"]
            label = f"{values['action']}|{values['object']}|{values['location']}"
            rows.append(Utterance(wav.stem, str(wav), duration_of(wav), label, values["speakerId"], subset))
    return rows


def load(data_root: Path, folder: str = INFO.folder) -> list[Utterance]:
    """Every row of the three official CSVs, in CSV order (train, valid, test)."""
    base = Path(data_root) / folder
    if not base.is_dir():
        raise FileNotFoundError(f"Fluent Speech Commands not found at {base}: {_expected(base)}")
    rows: list[Utterance] = []
    seen: dict[str, str] = {}
    for subset in SUBSETS:
        csv_path = base / "data" / f"{subset}_data.csv"
        if not csv_path.is_file():
            raise FileNotFoundError(f"Fluent Speech Commands metadata {csv_path} not found: {_expected(base)}")
        for row in _read_csv(csv_path, base, subset):
            if row.id in seen:
                raise ManifestError(f"{csv_path}: audio file {row.path} is listed again (first in "
                                    f"{seen[row.id]}_data.csv); the release lists each file once")
            seen[row.id] = subset
            rows.append(row)
    return rows
