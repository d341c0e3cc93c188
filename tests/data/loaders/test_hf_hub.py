"""The hub loader on a local copy of a hub dataset (parquet with HF feature metadata), one clip broken."""

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import hf_hub, select_split
from sure_bench.data.manifest import ManifestError

FEATURES = {"audio": {"sampling_rate": 16000, "_type": "Audio"},
            "label": {"names": ["no", "yes"], "_type": "ClassLabel"},
            "clip": {"dtype": "string", "_type": "Value"}, "who": {"dtype": "string", "_type": "Value"}}


def _wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.full(int(8000 * seconds), 0.1, np.float32), 8000, format="FLAC")
    return buf.getvalue()


def _hub_copy(root):
    repo = root / "repo"
    (repo / "data").mkdir(parents=True)
    for split, clips in {"train": [("a", 1.0, 0), ("b", 0.5, 1)], "validation": [("c", 0.25, 1)],
                         "test": [("d", 0.75, 0), ("e", None, 1)]}.items():
        table = pa.table({
            "audio": [{"bytes": _wav(s) if s else b"not audio", "path": f"{c}.flac"} for c, s, _ in clips],
            "label": [lab for _, _, lab in clips], "clip": [c for c, _, _ in clips],
            "who": [f"spk-{c}" for c, _, _ in clips]})
        table = table.replace_schema_metadata({"huggingface": json.dumps({"info": {"features": FEATURES}})})
        pq.write_table(table, repo / "data" / f"{split}-00000-of-00001.parquet")
    return repo


def test_hub_dataset_audio_is_written_once_and_read_without_torchcodec(tmp_path):
    repo = _hub_copy(tmp_path)
    rows = hf_hub.load(tmp_path / "root", path=str(repo), id_column="clip", speaker_column="who")
    assert [(r.id, r.label, r.speaker, r.subset) for r in rows] == [
        ("a", "no", "spk-a", "train"), ("b", "yes", "spk-b", "train"), ("c", "yes", "spk-c", "validation"),
        ("d", "no", "spk-d", "test"), ("e", "yes", "spk-e", "test")]
    assert rows[0].duration == 1.0 and rows[0].path.endswith("train/a.flac") and rows[4].duration == 0.0
    mtime = (tmp_path / "root" / "hf_hub").rglob("a.flac").__next__().stat().st_mtime_ns
    again = hf_hub.load(tmp_path / "root", path=str(repo), id_column="clip", splits="train")
    assert [r.id for r in again] == ["a", "b"]
    assert next((tmp_path / "root" / "hf_hub").rglob("a.flac")).stat().st_mtime_ns == mtime
    assert [r.id for r in select_split(rows, {"subset": ["validation"]})] == ["c"]
    with pytest.raises(BadAudioError, match="e.flac"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 4 and abs(ok.dataset[0]["length"] - 16000) <= 2  # resampled 8 -> 16 kHz


def test_hub_errors_name_the_dataset_split_and_columns(tmp_path):
    repo = _hub_copy(tmp_path)
    with pytest.raises(FileNotFoundError, match="could not open dataset"):
        hf_hub.load(tmp_path, path=str(tmp_path / "nothing-here"))
    with pytest.raises(ValueError, match=r"no split\(s\) \['dev'\]; its splits are \['train', 'validation', 'test'\]"):
        hf_hub.load(tmp_path, path=str(repo), splits="dev")
    with pytest.raises(ManifestError, match=r"no column\(s\) \['emotion'\]"):
        hf_hub.load(tmp_path, path=str(repo), label_column="emotion", splits="test")
