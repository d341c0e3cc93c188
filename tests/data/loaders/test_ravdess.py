"""RAVDESS loader on a fake copy of Audio_Speech_Actors_01-24.zip unpacked: Actor_XX/03-01-*.wav."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import ravdess, select_split
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

REPO = Path(__file__).resolve().parents[3]


def _wav(path: Path, seconds: float = 0.25, rate: int = 16000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.full(int(seconds * rate), 0.1, dtype=np.float32), rate)


def _full_release(root: Path) -> None:
    """All 1,440 speech file names (60 per actor), tiny audio."""
    for actor in range(1, 25):
        for emotion in range(1, 9):
            for intensity in ((1,) if emotion == 1 else (1, 2)):
                for statement in (1, 2):
                    for rep in (1, 2):
                        name = f"03-01-{emotion:02d}-{intensity:02d}-{statement:02d}-{rep:02d}-{actor:02d}.wav"
                        _wav(root / f"Actor_{actor:02d}" / name, seconds=0.01)


def test_ravdess_parses_names_durations_and_broken_files(tmp_path):
    root = tmp_path / "ravdess"
    _wav(root / "Actor_01" / "03-01-05-02-01-01-01.wav", 0.5)
    _wav(root / "Actor_01" / "03-02-03-01-01-01-01.wav", 0.25)  # a song file: other channel
    _wav(root / "Actor_24" / "03-01-01-01-02-02-24.wav", 1.0)
    (root / "Actor_02").mkdir()
    (root / "Actor_02" / "03-01-08-02-02-02-02.wav").write_bytes(b"broken")
    rows = ravdess.load(tmp_path)
    assert [r.id for r in rows] == ["03-01-05-02-01-01-01", "03-01-08-02-02-02-02", "03-01-01-01-02-02-24"]
    assert [r.label for r in rows] == ["angry", "surprised", "neutral"]
    assert [r.speaker for r in rows] == ["Actor_01", "Actor_02", "Actor_24"]
    assert {r.subset for r in rows} == {"speech"}
    assert [r.duration for r in rows] == [0.5, 0.0, 1.0]
    song = ravdess.load(tmp_path, channel="song")
    assert [(r.id, r.label, r.subset) for r in song] == [("03-02-03-01-01-01-01", "happy", "song")]
    assert len(ravdess.load(tmp_path, channel="all")) == 4
    with pytest.raises(BadAudioError, match="03-01-08-02-02-02-02.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 2 and ok.skipped[0]["id"] == "03-01-08-02-02-02-02"


def test_ravdess_finds_actor_folders_one_level_down(tmp_path):
    _wav(tmp_path / "ravdess" / "Audio_Speech_Actors_01-24" / "Actor_07" / "03-01-04-01-01-01-07.wav")
    rows = ravdess.load(tmp_path)
    assert [(r.id, r.label, r.speaker) for r in rows] == [("03-01-04-01-01-01-07", "sad", "Actor_07")]


def test_ravdess_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no Actor_XX folders.*--data-root"):
        ravdess.load(tmp_path)
    with pytest.raises(ValueError, match="channel must be"):
        ravdess.load(tmp_path, channel="video")
    _wav(tmp_path / "ravdess" / "Actor_03" / "03-01-09-01-01-01-03.wav")
    with pytest.raises(ManifestError, match=r"03-01-09-01-01-01-03.wav: unexpected emotion '09'"):
        ravdess.load(tmp_path)
    (tmp_path / "ravdess" / "Actor_03" / "03-01-09-01-01-01-03.wav").unlink()
    _wav(tmp_path / "ravdess" / "Actor_03" / "03-01-02-01-01-01-04.wav")  # actor field != folder
    with pytest.raises(ManifestError, match="actor '04'"):
        ravdess.load(tmp_path)
    (tmp_path / "ravdess" / "Actor_03" / "03-01-02-01-01-01-04.wav").unlink()
    _wav(tmp_path / "ravdess" / "Actor_03" / "kids.wav")
    with pytest.raises(ManifestError, match="kids.wav: not a RAVDESS audio file name"):
        ravdess.load(tmp_path)


def test_er_ravdess_splits_are_speaker_disjoint_and_match_the_published_counts(tmp_path):
    _full_release(tmp_path / "ravdess")
    _wav(tmp_path / "ravdess" / "Actor_21" / "03-02-02-01-01-01-21.wav", 0.01)  # song: never selected
    rows = ravdess.load(tmp_path, channel="all")
    task = load_task_file(REPO / "tasks" / "er-ravdess.yaml")
    assert make_kind(task).labels == list(ravdess.EMOTIONS)
    picked = {}
    for split in ("train", "dev", "test"):
        rule = task.split_selection(split)
        picked[split] = select_split(rows, rule, split)  # size included: 960 / 240 / 240 must hold
        assert {r.subset for r in picked[split]} == {"speech"}
    speakers = {s: {r.speaker for r in picked[s]} for s in picked}
    assert speakers["test"] == {"Actor_21", "Actor_22", "Actor_23", "Actor_24"}
    assert speakers["dev"] == {"Actor_17", "Actor_18", "Actor_19", "Actor_20"}
    assert len(speakers["train"]) == 16 and not speakers["train"] & (speakers["dev"] | speakers["test"])
    for s in speakers.values():  # odd actors male, even female: every split balanced
        assert sum(int(a[-2:]) % 2 for a in s) * 2 == len(s)
    small = [r for r in rows if r.speaker in ("Actor_01", "Actor_22")]
    chosen = select_split(small, task.split_selection("test", check_size=False))
    assert {r.speaker for r in chosen} == {"Actor_22"} and len(chosen) == 60
