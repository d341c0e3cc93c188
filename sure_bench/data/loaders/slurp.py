"""SLURP (Bastianelli et al. 2020): the GitHub text annotations plus the Zenodo audio, as released.

Layout: `slurp/dataset/slurp/{train,devel,test}.jsonl` (+ `train_synthetic.jsonl`, `metadata.json`),
one JSON object per line with `slurp_id`, `sentence`, `scenario`, `action`, `intent` and
`recordings: [{"file": ..., ...}]`; audio in `slurp/audio/slurp_real/<file>` (and `slurp_synth/`).
Every recording is one utterance (id = the file's stem; headset and far-field versions are separate
recordings). Split rule: the release's own jsonl files; `subset` is `train`, `devel`, `test` (and
`train_synthetic` with `synthetic: true`). Label: `<scenario>_<action>`, the intent the official
evaluation script scores (the `intent` field drops the scenario for a few hundred entries). A file
listed twice keeps its first occurrence (files read train, devel, test, train_synthetic), as ESPnet's
recipe does. Speaker: the recording's `usrid` in `metadata.json` when present (`synthetic` for
synthetic audio).
"""

from __future__ import annotations

import json
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

INFO = DatasetInfo(
    name="slurp",
    title="SLURP: Spoken Language Understanding Resource Package",
    license="text annotations CC BY 4.0; audio CC BY-NC 4.0",
    homepage="https://github.com/pswietojanski/slurp",
    folder="slurp",
    layout=(
        "slurp/dataset/slurp/train.jsonl, devel.jsonl, test.jsonl (+ train_synthetic.jsonl, metadata.json)\n"
        "slurp/audio/slurp_real/audio-<n>[-headset].flac  (from slurp_real.tar.gz)\n"
        "slurp/audio/slurp_synth/*.flac  (from slurp_synth.tar.gz; only for synthetic: true)"
    ),
    notes="Clone https://github.com/pswietojanski/slurp into DIR/slurp, then run its "
          "scripts/download_audio.sh (Zenodo record 4274930: slurp_real.tar.gz, slurp_synth.tar.gz) and "
          "extract both archives into DIR/slurp/audio/. No published checksum for the archives was found, "
          "so `data fetch` does not download them.",
)

SUBSETS = ("train", "devel", "test")
SYNTHETIC = "train_synthetic"


def _where(base: Path) -> str:
    return f"pass --data-root DIR where DIR/{base.name} is the SLURP release; expected layout:\n{INFO.layout}"


def _speakers(meta: Path) -> dict[str, str]:
    """Recording file -> usrid from metadata.json ({slurp_id: {"recordings": {file: {"usrid": ...}}}})."""
    if not meta.is_file():
        return {}
    try:
        records = json.loads(meta.read_text(encoding="utf-8"))
        return {f: str(r.get("usrid", "")) for rec in records.values() for f, r in rec["recordings"].items()}
    except (ValueError, KeyError, AttributeError, TypeError) as e:
        raise ManifestError(f"{meta}: not SLURP metadata ({type(e).__name__}: {e})") from None


def _entries(jsonl: Path) -> list[tuple[str, list[str]]]:
    """(label, recording files) of each entry of one jsonl file."""
    out = []
    with jsonl.open(encoding="utf-8") as f:
        for line, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                entry = json.loads(text)
                scenario, action = str(entry["scenario"]).strip(), str(entry["action"]).strip()
                files = [str(r["file"]) for r in entry["recordings"]]
            except (ValueError, KeyError, TypeError) as e:
                raise ManifestError(f"{jsonl}:{line}: not a SLURP entry ({type(e).__name__}: {e}): "
                                    f"{text.strip()[:120]}") from None
            if not scenario or not action or not all(files):
                raise ManifestError(f"{jsonl}:{line}: empty scenario, action or recording file: {text.strip()[:120]}")
            out.append((f"{scenario}_{action}", files))
    return out


def load(data_root: Path, folder: str = INFO.folder, synthetic: bool = False) -> list[Utterance]:
    """Every recording of the real train/devel/test lists (plus train_synthetic when `synthetic`)."""
    base = Path(data_root) / folder
    text_dir = base / "dataset" / "slurp"
    if not base.is_dir():
        raise FileNotFoundError(f"SLURP not found at {base}: {_where(base)}")
    subsets = SUBSETS + ((SYNTHETIC,) if synthetic else ())
    speakers = _speakers(text_dir / "metadata.json")
    rows: list[Utterance] = []
    seen: set[str] = set()
    for subset in subsets:
        jsonl = text_dir / f"{subset}.jsonl"
        audio = base / "audio" / ("slurp_synth" if subset == SYNTHETIC else "slurp_real")
        if not jsonl.is_file():
            raise FileNotFoundError(f"SLURP annotations {jsonl} not found: {_where(base)}")
        if not audio.is_dir():
            raise FileNotFoundError(f"SLURP audio folder {audio} not found (extract the Zenodo archive "
                                    f"there): {_where(base)}")
        for label, files in _entries(jsonl):
            for name in files:
                if name in seen:
                    continue
                seen.add(name)
                path = audio / name
                speaker = speakers.get(name) or ("synthetic" if subset == SYNTHETIC else "")
                rows.append(Utterance(Path(name).stem, str(path), duration_of(path), label, speaker, subset))
    return rows
