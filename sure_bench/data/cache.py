"""Decode a manifest once into an Arrow dataset on disk, keyed by the manifest's hash."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import datasets
import numpy as np
from datasets.arrow_writer import ArrowWriter
from rich.progress import track

from sure_bench.data.audio import BadAudioError, read_audio
from sure_bench.data.manifest import Utterance, manifest_hash
from sure_bench.files import default_cache_dir, write_atomic, write_atomic_with

__all__ = ["FEATURES", "DecodedSplit", "decode_manifest"]

FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "audio": datasets.Sequence(datasets.Value("float32")),
        "label": datasets.Value("string"),
        "speaker": datasets.Value("string"),
        "length": datasets.Value("int64"),
    }
)


@dataclass
class DecodedSplit:
    """Decoded 16 kHz audio of one manifest, plus the files skipped as bad."""

    dataset: datasets.Dataset
    skipped: list[dict[str, str]]

    def by_length(self) -> datasets.Dataset:
        """The clips shortest first, ties in manifest order (tight evaluation batches). A stable argsort of
        the `length` column, in the order `Dataset.sort("length")` gives, without its pyarrow FutureWarning
        (datasets passes `null_placement` to SortOptions, deprecated since pyarrow 25)."""
        lengths = np.asarray(self.dataset.with_format("arrow")["length"])
        return self.dataset.select(np.argsort(lengths, kind="stable"))


def decode_manifest(
    rows: list[Utterance],
    cache_dir: Path | None = None,
    skip_bad_audio: bool = False,
    description: str = "decoding audio",
    show_progress: bool = True,
) -> DecodedSplit:
    """Decode every row (or reuse the cache); bad audio raises unless `skip_bad_audio`."""
    key = manifest_hash(rows)
    folder = (cache_dir or default_cache_dir()) / "decoded" / key
    arrow, skipped_file = folder / "data.arrow", folder / "skipped.json"
    if not arrow.is_file():

        def write(tmp: Path) -> None:  # the skipped list is written before the arrow file is renamed in
            skipped = _decode_into(tmp, rows, description, show_progress)
            if skipped and not skip_bad_audio:
                first = skipped[0]
                more = f" ({len(skipped) - 1} more bad files)" if len(skipped) > 1 else ""
                raise BadAudioError(first["path"], first["reason"] + more)
            write_atomic(skipped_file, json.dumps(skipped, indent=1))

        write_atomic_with(arrow, write)
    skipped = json.loads(skipped_file.read_text()) if skipped_file.is_file() else []
    if skipped and not skip_bad_audio:
        raise BadAudioError(skipped[0]["path"], skipped[0]["reason"])
    ds = datasets.Dataset.from_file(str(arrow))
    return DecodedSplit(dataset=ds, skipped=skipped)


def _decode_into(path: Path, rows: list[Utterance], description: str, show_progress: bool) -> list[dict[str, str]]:
    """Decode every readable row into an Arrow file at `path`; returns the bad files, skipped."""
    skipped: list[dict[str, str]] = []
    writer = ArrowWriter(path=str(path), features=FEATURES)
    try:
        for row in track(rows, description=description, disable=not show_progress, transient=True):
            try:
                wave = read_audio(row.path, allow_multichannel=True, start=row.start, stop=row.stop)
            except BadAudioError as e:
                skipped.append({"id": row.id, "path": e.path, "reason": e.reason})
                continue
            writer.write({"id": row.id, "audio": wave, "label": row.label, "speaker": row.speaker, "length": len(wave)})
        writer.finalize()
    finally:
        writer.close()
    return skipped
