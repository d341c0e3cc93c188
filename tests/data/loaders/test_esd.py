"""ESD loader on a fake copy of both release layouts (flat, and the first release's split folders)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import esd, select_split
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

TASKS = Path(__file__).resolve().parents[3] / "tasks"
FOLDER = "Emotion Speech Dataset"
TEXT = {1: "Dog is my pet.", 21: "The nine the eggs, I keep.", 51: "Chickens are eating."}


def _wav(path: Path, seconds: float = 0.1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(16000 * seconds), dtype=np.float32), 16000)


def _fake_esd(root: Path) -> Path:
    """0011 flat (current release), 0012 with split folders (first release), 0001 a Mandarin speaker.

    Per emotion each English speaker has sentence 1 (evaluation), 21 (test) and 51 (train) of its block.
    0011/Sad/0011_001101.wav is broken.
    """
    base = root / FOLDER
    for spk in ("0011", "0012"):
        lines = []
        for i, emotion in enumerate(esd.EMOTIONS):
            for pos, split in ((1, "evaluation"), (21, "test"), (51, "train")):
                utt = f"{spk}_{i * 350 + pos:06d}"
                sub = base / spk / emotion / (split if spk == "0012" else "")
                _wav(sub / f"{utt}.wav", 0.1 if pos != 51 else 0.25)
                lines.append(f"{utt}\t{TEXT[pos]}\t{emotion}\n")
        (base / spk / f"{spk}.txt").write_text("".join(lines), encoding="utf-8")
    (base / "0011" / "Sad" / "0011_001101.wav").write_bytes(b"broken")
    for i, emotion in enumerate(esd.EMOTIONS):
        _wav(base / "0001" / emotion / f"0001_{i * 350 + 1:06d}.wav")
    return root


def test_esd_reads_both_layouts_with_the_official_split(tmp_path):
    rows = esd.load(_fake_esd(tmp_path))
    assert len(rows) == 30 and {r.speaker for r in rows} == {"0011", "0012"}
    assert [r.id for r in rows[:4]] == ["0011_000001", "0011_000021", "0011_000051", "0011_000351"]
    assert [r.label for r in rows[:4]] == ["neutral", "neutral", "neutral", "angry"]
    assert [r.subset for r in rows[:3]] == ["evaluation", "test", "train"]
    by_id = {r.id: r for r in rows}
    assert by_id["0012_001421"].subset == "test" and by_id["0012_001421"].label == "surprise"
    assert by_id["0012_001421"].path.endswith("0012/Surprise/test/0012_001421.wav")
    assert by_id["0011_000051"].duration == pytest.approx(0.25) and by_id["0011_000001"].duration == pytest.approx(0.1)
    assert by_id["0011_001101"].duration == 0.0
    for spk in ("0011", "0012"):
        subsets = sorted(r.subset for r in rows if r.speaker == spk)
        assert subsets == ["evaluation"] * 5 + ["test"] * 5 + ["train"] * 5
    assert [r.label for r in esd.load(tmp_path, target="speaker")][:1] == ["0011"]
    assert {r.speaker for r in esd.load(tmp_path, language="all")} == {"0001", "0011", "0012"}
    assert [esd.split_of(n) for n in (1, 370, 371, 400, 401, 1750)] == [
        "evaluation", "evaluation", "test", "test", "train", "train"]


def test_esd_broken_audio_is_named_at_decode(tmp_path):
    rows = esd.load(_fake_esd(tmp_path))
    with pytest.raises(BadAudioError, match="0011_001101.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 29 and ok.skipped[0]["id"] == "0011_001101"


def test_esd_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="--data-root"):
        esd.load(tmp_path)
    root = _fake_esd(tmp_path)
    with pytest.raises(ValueError, match="target must be one of"):
        esd.load(root, target="gender")
    with pytest.raises(ValueError, match="language must be one of"):
        esd.load(root, language="german")
    misplaced = root / FOLDER / "0012" / "Angry" / "test" / "0012_000352.wav"  # sentence 2: evaluation
    _wav(misplaced)
    with pytest.raises(ManifestError, match=r"0012_000352\.wav: the release's test/ folder"):
        esd.load(root)
    misplaced.unlink()
    wrong_block = root / FOLDER / "0011" / "Angry" / "0011_000002.wav"  # a Neutral number
    _wav(wrong_block)
    with pytest.raises(ManifestError, match=r"0011_000002\.wav: sentence number 000002 is not in the Angry block"):
        esd.load(root)


def test_esd_task_yamls_pick_the_official_split(tmp_path):
    emotion_rows = esd.load(_fake_esd(tmp_path), target="emotion")
    speaker_rows = esd.load(tmp_path, target="speaker")
    for name, rows in (("er-esd", emotion_rows), ("sid-esd", speaker_rows)):
        task = load_task_file(TASKS / f"{name}.yaml")
        assert task.spec.dataset.args["language"] == "english"
        assert task.split_sizes() == {"train": 15000, "dev": 1000, "test": 1500}
        for split, subset in (("train", "train"), ("dev", "evaluation"), ("test", "test")):
            chosen = select_split(rows, task.split_selection(split, check_size=False))
            assert len(chosen) == 10 and {r.subset for r in chosen} == {subset}
        assert {r.label for r in rows} <= set(make_kind(task).labels)
    assert make_kind(load_task_file(TASKS / "sid-esd.yaml")).labels == [f"{i:04d}" for i in range(11, 21)]
