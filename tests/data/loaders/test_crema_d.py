"""CREMA-D loader on a fake git-lfs clone: CREMA-D/AudioWAV/{actor}_{sentence}_{emotion}_{level}.wav."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import crema_d
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

from split_picks import picked_ids

REPO = Path(__file__).resolve().parents[3]
LFS_POINTER = (b"version https://git-lfs.github.com/spec/v1\n"
               b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 85036\n")


def _wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.full(int(seconds * 16000), 0.1, dtype=np.float32), 16000)


def _fake_clone(root: Path) -> Path:
    audio = root / "CREMA-D" / "AudioWAV"
    _wav(audio / "1001_DFA_ANG_XX.wav", 0.5)
    _wav(audio / "1001_IEO_HAP_HI.wav", 0.75)
    _wav(audio / "1010_IWW_FEA_XX.wav", 1.0)
    _wav(audio / "1015_TIE_NEU_XX.wav", 0.25)
    _wav(audio / "1040_ITH_SAD_X.wav", 0.5)  # the release's one-letter level
    (audio / "1002_MTI_DIS_LO.wav").write_bytes(b"broken")
    (root / "CREMA-D" / "AudioMP3").mkdir()  # other folders of the repository are not read
    return audio


def test_crema_d_reads_names_durations_and_broken_files(tmp_path):
    _fake_clone(tmp_path)
    rows = crema_d.load(tmp_path)
    assert [r.id for r in rows] == ["1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_MTI_DIS_LO", "1010_IWW_FEA_XX",
                                    "1015_TIE_NEU_XX", "1040_ITH_SAD_X"]
    assert [r.label for r in rows] == ["angry", "happy", "disgust", "fearful", "neutral", "sad"]
    assert [r.speaker for r in rows] == ["1001", "1001", "1002", "1010", "1015", "1040"]
    assert [r.duration for r in rows] == [0.5, 0.75, 0.0, 1.0, 0.25, 0.5]
    assert {r.subset for r in rows} == {""}
    with pytest.raises(BadAudioError, match="1002_MTI_DIS_LO.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 5 and ok.skipped[0]["id"] == "1002_MTI_DIS_LO"


def test_crema_d_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"CREMA-D/AudioWAV.*--data-root"):
        crema_d.load(tmp_path)
    audio = _fake_clone(tmp_path)
    (audio / "1003_DFA_SAD_XX.wav").write_bytes(LFS_POINTER)
    with pytest.raises(FileNotFoundError, match=r"1003_DFA_SAD_XX.wav is a Git LFS pointer.*git lfs pull"):
        crema_d.load(tmp_path)
    (audio / "1003_DFA_SAD_XX.wav").unlink()
    _wav(audio / "1003_DFA_BOR_XX.wav", 0.1)
    with pytest.raises(ManifestError, match=r"1003_DFA_BOR_XX.wav: unexpected emotion 'BOR'"):
        crema_d.load(tmp_path)
    (audio / "1003_DFA_BOR_XX.wav").unlink()
    _wav(audio / "1092_DFA_SAD_XX.wav", 0.1)
    with pytest.raises(ManifestError, match="actor '1092'"):
        crema_d.load(tmp_path)
    (audio / "1092_DFA_SAD_XX.wav").unlink()
    _wav(audio / "1003-DFA-SAD.wav", 0.1)
    with pytest.raises(ManifestError, match="1003-DFA-SAD.wav: not a CREMA-D file name"):
        crema_d.load(tmp_path)


def test_er_crema_d_actor_lists_are_the_tfds_split(tmp_path):
    """The committed lists are TFDS crema_d's rule: sorted ids shuffled by RandomState(0), 70/10/20 %."""
    task = load_task_file(REPO / "tasks" / "er-crema-d.yaml")
    lists = {s: task.split_rule(s).speakers for s in ("train", "dev", "test")}
    ids = [str(i) for i in range(1001, 1092)]
    np.random.RandomState(0).shuffle(ids)
    assert [sorted(ids[:63]), sorted(ids[63:72]), sorted(ids[72:])] == [lists["train"], lists["dev"], lists["test"]]
    assert sorted(lists["train"] + lists["dev"] + lists["test"]) == [str(i) for i in range(1001, 1092)]
    assert make_kind(task).labels == sorted(crema_d.EMOTIONS.values())

    _fake_clone(tmp_path)
    rows = crema_d.load(tmp_path)
    picked = picked_ids(task, rows)
    assert picked == {"train": ["1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_MTI_DIS_LO"],
                      "dev": ["1015_TIE_NEU_XX"], "test": ["1010_IWW_FEA_XX", "1040_ITH_SAD_X"]}
