"""VoxPopuli transcribed speech (European Parliament), in either published layout.

Hugging Face (facebook/voxpopuli): `voxpopuli/data/<lang>/asr_{train,dev,test}.tsv` and
`data/<lang>/<split>/<split>_part_<N>.tar.gz`, each unpacked in place (to `<split>_part_<N>/<id>.wav`;
any depth under `data/<lang>/<split>/` is accepted). Official (github facebookresearch/voxpopuli,
`get_asr_data.py`): `voxpopuli/transcribed_data/<lang>/asr_<split>.tsv` with audio
`transcribed_data/<lang>/<year>/<id>.ogg`. The TSVs are tab-separated with a header naming id, raw_text,
normalized_text, speaker_id, split, gender[, is_gold_transcript, accent]. The split is the release's own
(`subset` = train, dev, test). Rows whose chosen text is empty (a few are untranscribed) are left out.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

SPLITS = ("train", "dev", "test")
TEXTS = ("normalized_text", "raw_text")

INFO = DatasetInfo(
    name="voxpopuli",
    title="VoxPopuli (transcribed European Parliament speech)",
    license="CC0 (transcribed data); see also https://www.europarl.europa.eu/legal-notice/en/",
    homepage="https://github.com/facebookresearch/voxpopuli",
    folder="voxpopuli",
    layout="voxpopuli/data/<lang>/asr_{train,dev,test}.tsv + data/<lang>/<split>/<split>_part_<N>/<id>.wav\n"
           "  (the facebook/voxpopuli hub repository, each <split>_part_<N>.tar.gz unpacked in place), or\n"
           "voxpopuli/transcribed_data/<lang>/asr_<split>.tsv + transcribed_data/<lang>/<year>/<id>.ogg\n"
           "  (what the official get_asr_data.py writes)",
    notes="Either download data/<lang>/ of the facebook/voxpopuli dataset repository on the Hugging Face hub "
          "into <data-root>/voxpopuli and unpack its audio archives in place, or run the official "
          "`python -m voxpopuli.download_audios --root <data-root>/voxpopuli --subset asr` then "
          "`python -m voxpopuli.get_asr_data --root <data-root>/voxpopuli --lang <lang>`. "
          "No archive checksums are published, so `data fetch` does not download it.",
)


def _read_tsv(tsv: Path, text: str) -> list[tuple[str, str, str]]:
    """(id, text, speaker) per row of one asr_<split>.tsv."""
    with tsv.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, [])
        missing = [c for c in ("id", text, "speaker_id") if c not in header]
        if missing:
            raise ManifestError(f"{tsv}:1: missing column(s) {missing} in header {header}; expected id, raw_text, "
                                "normalized_text, speaker_id, split, gender[, is_gold_transcript, accent]")
        at = {c: header.index(c) for c in ("id", text, "speaker_id")}
        out = []
        for n, rec in enumerate(reader, start=2):
            if not rec or rec == [""]:
                continue
            if len(rec) != len(header):
                raise ManifestError(f"{tsv}:{n}: {len(rec)} tab-separated fields, the header has {len(header)}: "
                                    f"{rec[:2]}")
            out.append((rec[at["id"]], rec[at[text]].strip(), rec[at["speaker_id"]]))
    return out


def _wav_index(folder: Path) -> dict[str, Path]:
    index = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".wav"):
                index[name[:-4]] = Path(dirpath) / name
    return index


def load(data_root: Path, folder: str = INFO.folder, lang: str = "en",
         text: str = "normalized_text") -> list[Utterance]:
    """Every transcribed utterance of the language's train, dev and test lists; label = the `text` column."""
    if text not in TEXTS:
        raise ValueError(f"voxpopuli loader: text must be one of {list(TEXTS)}, got {text!r}")
    root = Path(data_root) / folder
    hub, official = root / "data" / lang, root / "transcribed_data" / lang
    base = hub if any((hub / f"asr_{s}.tsv").is_file() for s in SPLITS) else official
    tsvs = [(s, base / f"asr_{s}.tsv") for s in SPLITS if (base / f"asr_{s}.tsv").is_file()]
    if not tsvs:
        raise FileNotFoundError(
            f"VoxPopuli {lang} not found: neither {hub}/asr_<split>.tsv nor {official}/asr_<split>.tsv exists. "
            f"Pass --data-root DIR where DIR/{folder} holds one of the layouts:\n{INFO.layout}")
    rows = []
    for split, tsv in tsvs:
        audio, index = hub / split, {}
        if base == hub:
            index = _wav_index(audio) if audio.is_dir() else {}
            if not index:
                raise FileNotFoundError(f"VoxPopuli audio not found under {audio}: unpack {audio}/{split}_part_<N>"
                                        f".tar.gz in place (each unpacks to {split}_part_<N>/<id>.wav)")
        for utt, label, speaker in _read_tsv(tsv, text):
            if not label:
                continue
            path = index.get(utt, audio / f"{utt}.wav") if base == hub else official / utt[:4] / f"{utt}.ogg"
            rows.append(Utterance(utt, str(path), duration_of(path), label, speaker, split))
    return rows
