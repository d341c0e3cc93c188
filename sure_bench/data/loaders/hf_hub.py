"""A dataset on the Hugging Face hub (or a local copy of one), with audio decoded by sure-bench.

`datasets` decodes audio with torchcodec, which does not import beside our CPU torch; this loader reads
the audio column undecoded (`Audio(decode=False)`), writes each clip's bytes once under
`<data-root>/hf_hub/<dataset>/<split>/`, and from there the usual soundfile path reads it. `subset` is
the hub split name, so a task selects `{subset: [validation]}`. Pin `revision` to a commit for a fixed
benchmark (as MTEB does).
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance
from sure_bench.files import write_atomic_with

INFO = DatasetInfo(
    name="hf_hub",
    title="A Hugging Face hub dataset (audio decoded by sure-bench, not torchcodec)",
    license="the dataset's own (see its card)",
    homepage="https://huggingface.co/datasets",
    folder="",
    layout="dataset.args: {path: <hub id or local folder>, name: <config>, revision: <commit>, splits: "
           "'train,validation,test', audio_column: audio, label_column: label[, speaker_column, id_column]}",
    notes="Needs network (or the HF cache) on first use; clips are then kept under <data-root>/hf_hub/.",
)


def _slug(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "--".join(p for p in parts if p))


def _label_of(value: object, feature: object) -> str:
    int2str = getattr(feature, "int2str", None)
    return int2str(value) if int2str is not None and isinstance(value, int) else str(value)


def load(data_root: Path, path: str, name: str = "", revision: str = "", splits: str = "",
         audio_column: str = "audio", label_column: str = "label", speaker_column: str = "",
         id_column: str = "") -> list[Utterance]:
    """Every example of the chosen splits (comma-separated; "" = all) as utterances."""
    import datasets

    try:
        all_splits = datasets.get_dataset_split_names(path, name or None, revision=revision or None)
    except Exception as e:  # network, unknown repo, bad config: datasets raises many types
        raise FileNotFoundError(f"hf_hub: could not open dataset {path!r} (config {name or 'default'}, revision "
                                f"{revision or 'latest'}): {type(e).__name__}: {e}") from None
    wanted = [s for s in splits.split(",") if s] or all_splits
    unknown = [s for s in wanted if s not in all_splits]
    if unknown:
        raise ValueError(f"hf_hub: {path} has no split(s) {unknown}; its splits are {all_splits}")
    clips = Path(data_root) / "hf_hub" / _slug(path, name, revision)
    rows: list[Utterance] = []
    for split in wanted:
        ds = datasets.load_dataset(path, name or None, split=split, revision=revision or None)
        missing = [c for c in (audio_column, label_column, speaker_column, id_column) if c and c not in ds.column_names]
        if missing:
            raise ManifestError(f"hf_hub: {path} split {split} has no column(s) {missing}; columns are "
                                f"{ds.column_names} (set audio_column / label_column / ... in the task's dataset args)")
        ds = ds.cast_column(audio_column, datasets.Audio(decode=False))
        label_feature = ds.features[label_column]
        for index, example in enumerate(ds):
            audio = example[audio_column] or {}
            utt_id = str(example[id_column]) if id_column else f"{split}-{index:06d}"
            source = Path(audio.get("path") or "")
            if audio.get("bytes"):
                target = clips / split / f"{_slug(utt_id)}{source.suffix or '.wav'}"
                if not (target.is_file() and target.stat().st_size == len(audio["bytes"])):
                    write_atomic_with(target, lambda tmp, data=audio["bytes"]: tmp.write_bytes(data))  # no fsync
            else:
                target = source  # a file already on disk (datasets extracted it)
            speaker = str(example[speaker_column]) if speaker_column else ""
            rows.append(Utterance(utt_id, str(target), duration_of(target),
                                  _label_of(example[label_column], label_feature), speaker, split))
    return rows
