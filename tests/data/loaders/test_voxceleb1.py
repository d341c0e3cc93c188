"""VoxCeleb1 loader on a fake copy of the release: iden_split.txt plus wav/<speaker>/<video>/<NNNNN>.wav."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import select_split, voxceleb1
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

from split_picks import picked_ids

REPO = Path(__file__).resolve().parents[3]

# The release's format: "<1|2|3> <speaker>/<youtube id>/<NNNNN>.wav", one per line, space separated.
SPLIT = """1 id10001/1zcIwhmdeo4/00001.wav
1 id10001/1zcIwhmdeo4/00002.wav
2 id10001/7w0IBEWc9Qw/00001.wav
3 id10001/Y8hIVOBuels/00001.wav
1 id10270/5r0dWxy17C8/00001.wav
2 id10270/5r0dWxy17C8/00002.wav
3 id10270/x6uYqmx31kE/00001.wav
3 id10270/x6uYqmx31kE/00002.wav
"""
SECONDS = {"id10001/1zcIwhmdeo4/00001.wav": 1.0, "id10001/1zcIwhmdeo4/00002.wav": 0.5,
           "id10001/7w0IBEWc9Qw/00001.wav": 0.25, "id10001/Y8hIVOBuels/00001.wav": 0.75,
           "id10270/5r0dWxy17C8/00001.wav": 0.5, "id10270/5r0dWxy17C8/00002.wav": 1.25}
BROKEN = "id10270/x6uYqmx31kE/00001.wav"
MISSING = "id10270/x6uYqmx31kE/00002.wav"  # listed in iden_split.txt, absent from the copy


def _fake_release(root: Path, superb_layout: bool = False) -> Path:
    base = root / "voxceleb1"
    base.mkdir(parents=True)
    (base / "iden_split.txt").write_text(SPLIT)
    for rel, seconds in SECONDS.items():
        audio_root = base / ("wav" if not superb_layout else "test/wav" if rel.startswith("id10270") else "dev/wav")
        (audio_root / rel).parent.mkdir(parents=True, exist_ok=True)
        sf.write(audio_root / rel, np.full(int(16000 * seconds), 0.1, dtype=np.float32), 16000, subtype="PCM_16")
    broken = base / ("test/wav" if superb_layout else "wav") / BROKEN
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b"RIFF not really a wav")
    return base


def test_voxceleb1_reads_iden_split_and_names_broken_and_missing_files(tmp_path):
    base = _fake_release(tmp_path)
    rows = voxceleb1.load(tmp_path)
    assert [r.id for r in rows] == [
        "id10001-1zcIwhmdeo4-00001", "id10001-1zcIwhmdeo4-00002", "id10001-7w0IBEWc9Qw-00001",
        "id10001-Y8hIVOBuels-00001", "id10270-5r0dWxy17C8-00001", "id10270-5r0dWxy17C8-00002",
        "id10270-x6uYqmx31kE-00001", "id10270-x6uYqmx31kE-00002"]
    assert [r.subset for r in rows] == ["train", "train", "dev", "test", "train", "dev", "test", "test"]
    assert [r.label for r in rows] == [r.speaker for r in rows] == ["id10001"] * 4 + ["id10270"] * 4
    assert [r.duration for r in rows] == [1.0, 0.5, 0.25, 0.75, 0.5, 1.25, 0.0, 0.0]
    assert rows[0].path == str(base / "wav" / "id10001/1zcIwhmdeo4/00001.wav")
    assert rows[7].path == str(base / "wav" / MISSING)  # kept, where the release puts it

    with pytest.raises(BadAudioError, match=r"x6uYqmx31kE/00001\.wav: unreadable audio.*\(1 more bad files\)"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    with pytest.raises(BadAudioError, match=r"x6uYqmx31kE/00002\.wav: file not found"):
        decode_manifest(rows[7:], tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 6
    assert [s["id"] for s in ok.skipped] == ["id10270-x6uYqmx31kE-00001", "id10270-x6uYqmx31kE-00002"]


def test_voxceleb1_reads_superb_dev_and_test_folders(tmp_path):
    base = _fake_release(tmp_path, superb_layout=True)
    rows = {r.id: r for r in voxceleb1.load(tmp_path, folder="voxceleb1")}
    assert rows["id10001-7w0IBEWc9Qw-00001"].path == str(base / "dev/wav/id10001/7w0IBEWc9Qw/00001.wav")
    assert rows["id10270-5r0dWxy17C8-00002"].path == str(base / "test/wav/id10270/5r0dWxy17C8/00002.wav")
    assert rows["id10270-5r0dWxy17C8-00002"].duration == 1.25
    assert rows["id10270-x6uYqmx31kE-00002"].path == str(base / "test/wav" / MISSING)


def test_voxceleb1_errors_name_the_file_and_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"voxceleb1/iden_split\.txt does not exist.*--data-root"):
        voxceleb1.load(tmp_path)
    base = tmp_path / "voxceleb1"
    base.mkdir()
    (base / "iden_split.txt").write_text(SPLIT)
    with pytest.raises(FileNotFoundError, match=r"voxceleb1/wav does not exist"):
        voxceleb1.load(tmp_path)
    (base / "wav").mkdir()
    (base / "iden_split.txt").write_text("1 id10001/1zcIwhmdeo4/00001.wav\n4 id10001/1zcIwhmdeo4/00002.wav\n")
    with pytest.raises(ManifestError, match=r"iden_split\.txt:2: expected '<1\|2\|3> .*'4 id10001"):
        voxceleb1.load(tmp_path)
    (base / "iden_split.txt").write_text("1 id10001/1zcIwhmdeo4/00001.wav\n3 id10001/1zcIwhmdeo4/00001.wav\n")
    with pytest.raises(ManifestError, match=r"iden_split\.txt:2: id10001/1zcIwhmdeo4/00001\.wav is listed twice"):
        voxceleb1.load(tmp_path)


def test_sid_voxceleb1_task_selects_the_official_split(tmp_path):
    _fake_release(tmp_path)
    rows = voxceleb1.load(tmp_path)
    task = load_task_file(REPO / "tasks" / "sid-voxceleb1.yaml")
    assert task.spec.dataset.loader == "voxceleb1"
    labels = make_kind(task).labels
    assert len(labels) == 1251 and labels[0] == "id10001" and labels[-1] == "id11251"
    assert {r.label for r in rows} <= set(labels)
    assert task.split_sizes() == {"train": 138361, "dev": 6904, "test": 8251}
    picked = picked_ids(task, rows)
    assert picked == {
        "train": ["id10001-1zcIwhmdeo4-00001", "id10001-1zcIwhmdeo4-00002", "id10270-5r0dWxy17C8-00001"],
        "dev": ["id10001-7w0IBEWc9Qw-00001", "id10270-5r0dWxy17C8-00002"],
        "test": ["id10001-Y8hIVOBuels-00001", "id10270-x6uYqmx31kE-00001", "id10270-x6uYqmx31kE-00002"],
    }
    with pytest.raises(ManifestError, match="has 3 utterances.*the release has 8251"):
        select_split(rows, task.split_selection("test"), "test")
