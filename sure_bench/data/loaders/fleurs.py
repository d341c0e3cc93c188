"""FLEURS (google/fleurs on the Hugging Face hub) as its repository lays it out, audio archives unpacked.

`fleurs/data/<lang>/{train,dev,test}.tsv`: tab-separated, no header, seven columns: id (the FLoRes
sentence id, shared by every reading of a sentence), file name, raw transcription, transcription
(normalised), character tokens, num_samples (16 kHz), gender. `fleurs/data/<lang>/audio/<split>.tar.gz`
unpacks to `audio/<split>/<file name>`. The split is the release's own (`subset` = train, dev, test);
the utterance id is the audio file's stem (unique, unlike the sentence id). The release names no
speakers (its train speakers differ from the dev/test ones), so `speaker` is empty.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

SPLITS = ("train", "dev", "test")
TEXT_COLUMNS = {"transcription": 3, "raw_transcription": 2}
RATE = 16000

INFO = DatasetInfo(
    name="fleurs",
    title="FLEURS: Few-shot Learning Evaluation of Universal Representations of Speech",
    license="CC BY 4.0",
    homepage="https://huggingface.co/datasets/google/fleurs",
    folder="fleurs",
    layout="fleurs/data/<lang>/{train,dev,test}.tsv  (no header: id, file, raw text, text, chars, samples, gender)\n"
           "fleurs/data/<lang>/audio/{train,dev,test}/<file>.wav  (each audio/<split>.tar.gz unpacked in place)",
    notes="Download data/<lang>/*.tsv and data/<lang>/audio/*.tar.gz of the google/fleurs dataset repository "
          "(e.g. `huggingface-cli download google/fleurs --repo-type dataset --include 'data/en_us/*' "
          "--local-dir <data-root>/fleurs`), then unpack each audio/<split>.tar.gz inside data/<lang>/audio/. "
          "No archive checksums are published outside the hub, so `data fetch` does not download it.",
)


def _read_tsv(tsv: Path, audio_dir: Path, split: str, column: int) -> list[Utterance]:
    rows = []
    with tsv.open(encoding="utf-8", newline="") as f:
        for n, rec in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not rec or rec == [""]:
                continue
            if len(rec) != 7:
                raise ManifestError(f"{tsv}:{n}: expected 7 tab-separated fields (id, file, raw transcription, "
                                    f"transcription, characters, num_samples, gender), got {len(rec)}: {rec[:3]}")
            try:
                samples = int(rec[5])
            except ValueError:
                raise ManifestError(f"{tsv}:{n}: num_samples {rec[5]!r} is not an integer") from None
            wav = audio_dir / rec[1]
            rows.append(Utterance(wav.stem, str(wav), samples / RATE, rec[column], "", split))
    return rows


def load(data_root: Path, folder: str = INFO.folder, lang: str = "en_us",
         text: str = "transcription") -> list[Utterance]:
    """Every utterance of the language's train, dev and test TSVs; label = the `text` column."""
    if text not in TEXT_COLUMNS:
        raise ValueError(f"fleurs loader: text must be one of {list(TEXT_COLUMNS)}, got {text!r}")
    base = Path(data_root) / folder / "data" / lang
    tsvs = [(s, base / f"{s}.tsv") for s in SPLITS if (base / f"{s}.tsv").is_file()]
    if not tsvs:
        raise FileNotFoundError(
            f"FLEURS {lang} not found: no {base}/{{train,dev,test}}.tsv. Pass --data-root DIR where "
            f"DIR/{folder} holds a copy of the google/fleurs dataset repository; expected layout:\n{INFO.layout}")
    rows: list[Utterance] = []
    for split, tsv in tsvs:
        audio_dir = base / "audio" / split
        if not audio_dir.is_dir():
            raise FileNotFoundError(f"FLEURS audio folder {audio_dir} not found: unpack {audio_dir}.tar.gz "
                                    f"inside {audio_dir.parent} (it unpacks to {split}/<file>.wav)")
        rows += _read_tsv(tsv, audio_dir, split, TEXT_COLUMNS[text])
    seen: dict[str, str] = {}
    for r in rows:
        if r.id in seen:
            raise ManifestError(f"{base}: audio file {r.id} is listed twice (splits {seen[r.id]} and {r.subset})")
        seen[r.id] = r.subset
    return rows
