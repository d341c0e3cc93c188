"""MELD loader on a fake MELD.Raw (CSVs in the release's format, clips as wav/flac/mp4) and the ffmpeg path."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError, read_audio
from sure_bench.data.cache import decode_manifest
from sure_bench.data.ffmpeg_audio import FFmpegNotFoundError, read_with_ffmpeg
from sure_bench.data.loaders import meld, select_split
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

REPO = Path(__file__).resolve().parents[3]
HEADER = "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\n"
TRAIN = HEADER + (
    '1,"Oh my God, he’s lost it. He’s totally lost it.",Phoebe,sadness,negative,0,0,4,7,'
    '"00:20:57,256","00:21:00,049"\n'
    "2,What?,Monica,surprise,negative,0,1,4,7,\"00:21:01,927\",\"00:21:03,261\"\n"
    '3,"Or! Or, we could go to the bank.",Ross,neutral,neutral,125,3,4,4,"0:12:24,660","0:12:30,915"\n')
DEV = HEADER + (
    "1,Hey.,Phoebe,neutral,neutral,0,0,4,4,\"0:12:43,012\",\"0:12:44,074\"\n"
    "2,Hey!,All,joy,positive,110,7,4,4,\"0:12:44,074\",\"0:12:45,189\"\n")
TEST = HEADER + ('1,"Why do all you’re coffee mugs have numbers on the bottom?",Mark,surprise,positive,0,0,3,19,'
                 '"00:14:38,127","00:14:40,378"\n')


def _wav(path: Path, seconds: float, suffix_format: str = "WAV") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.full(int(seconds * 16000), 0.1, dtype=np.float32), 16000, format=suffix_format)


def _fake_raw(root: Path) -> Path:
    """MELD.Raw with train.tar.gz unpacked into train/ and the dev/test folders at the top."""
    raw = root / "MELD.Raw"
    (raw / "train" / "train_splits").mkdir(parents=True)
    (raw / "dev_splits_complete").mkdir()
    (raw / "output_repeated_splits_test").mkdir()
    (raw / "train" / "train_sent_emo.csv").write_text(TRAIN, encoding="utf-8")
    (raw / "dev_sent_emo.csv").write_text(DEV, encoding="utf-8")
    (raw / "test_sent_emo.csv").write_text(TEST, encoding="utf-8")
    _wav(raw / "train" / "train_splits" / "dia0_utt0.wav", 0.5)
    (raw / "train" / "train_splits" / "dia0_utt0.mp4").write_bytes(b"not read: the wav wins")
    _wav(raw / "train" / "train_splits" / "dia0_utt1.flac", 0.25, "FLAC")
    (raw / "train" / "train_splits" / "dia125_utt3.wav").write_bytes(b"broken")
    (raw / "dev_splits_complete" / "dia0_utt0.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # dev dia110_utt7: none
    _wav(raw / "output_repeated_splits_test" / "dia0_utt0.wav", 1.0)
    _wav(raw / "output_repeated_splits_test" / "final_videos_testdia0_utt0.wav", 2.0)  # ignored
    return raw


def test_meld_rows_ids_labels_durations(tmp_path):
    raw = _fake_raw(tmp_path)
    rows = meld.load(tmp_path)
    assert [r.id for r in rows] == ["train_dia0_utt0", "train_dia0_utt1", "train_dia125_utt3", "dev_dia0_utt0",
                                    "dev_dia110_utt7", "test_dia0_utt0"]
    assert [r.label for r in rows] == ["sadness", "surprise", "neutral", "neutral", "joy", "surprise"]
    assert [r.speaker for r in rows] == ["Phoebe", "Monica", "Ross", "Phoebe", "All", "Mark"]
    assert [r.subset for r in rows] == ["train", "train", "train", "dev", "dev", "test"]
    assert [Path(r.path).name for r in rows] == ["dia0_utt0.wav", "dia0_utt1.flac", "dia125_utt3.wav",
                                                 "dia0_utt0.mp4", "dia110_utt7.mp4", "dia0_utt0.wav"]
    assert rows[3].path == str(raw / "dev_splits_complete" / "dia0_utt0.mp4")
    # wav/flac: from the header; mp4: EndTime - StartTime of the CSV; broken wav: 0
    assert [round(r.duration, 3) for r in rows] == [0.5, 0.25, 0.0, 1.062, 1.115, 1.0]
    train = [r for r in rows if r.subset == "train"]
    with pytest.raises(BadAudioError, match="dia125_utt3.wav"):
        decode_manifest(train, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(train, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 2 and ok.skipped[0]["id"] == "train_dia125_utt3"


def test_meld_reads_the_flat_layout_too(tmp_path):
    raw = _fake_raw(tmp_path)
    (raw / "train" / "train_sent_emo.csv").rename(raw / "train_sent_emo.csv")
    (raw / "train" / "train_splits").rename(raw / "train_splits")
    rows = meld.load(tmp_path)
    assert rows[0].path == str(raw / "train_splits" / "dia0_utt0.wav") and len(rows) == 6


def test_meld_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train_sent_emo.csv not found.*--data-root"):
        meld.load(tmp_path)
    raw = _fake_raw(tmp_path)
    shutil.rmtree(raw / "output_repeated_splits_test")
    with pytest.raises(FileNotFoundError, match="output_repeated_splits_test not found"):
        meld.load(tmp_path)
    (raw / "output_repeated_splits_test").mkdir()
    (raw / "dev_sent_emo.csv").write_text(DEV.replace(",joy,", ",happy,"), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"dev_sent_emo.csv:3: Emotion 'happy' is not one of"):
        meld.load(tmp_path)
    (raw / "dev_sent_emo.csv").write_text(DEV.replace(",110,7,", ",x,7,"), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"dev_sent_emo.csv:3: Dialogue_ID 'x'"):
        meld.load(tmp_path)
    (raw / "dev_sent_emo.csv").write_text(DEV.replace("Emotion,", "Feeling,", 1), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"dev_sent_emo.csv: missing column\(s\) \['Emotion'\]"):
        meld.load(tmp_path)


def test_er_meld_selects_the_official_splits(tmp_path):
    _fake_raw(tmp_path)
    rows = meld.load(tmp_path)
    task = load_task_file(REPO / "tasks" / "er-meld.yaml")
    assert make_kind(task).labels == list(meld.EMOTIONS) and task.split_sizes() == {"train": 9989, "dev": 1109, "test": 2610}
    chosen = select_split(rows, task.split_selection("test", check_size=False))
    assert [r.id for r in chosen] == ["test_dia0_utt0"]
    with pytest.raises(ManifestError, match="has 1 utterances.*the release has 2610"):
        select_split(rows, task.split_selection("test"))


def test_mp4_without_ffmpeg_is_a_clear_unskippable_error(tmp_path, monkeypatch):
    raw = _fake_raw(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    clip = raw / "dev_splits_complete" / "dia0_utt0.mp4"
    with pytest.raises(FFmpegNotFoundError, match=r"dia0_utt0.mp4: ffmpeg not found on PATH: install ffmpeg"):
        read_with_ffmpeg(clip)
    with pytest.raises(FileNotFoundError, match=r"dia0_utt0.mp4: .*apt install ffmpeg\) to read .mp4 audio"):
        read_audio(clip)
    dev = [r for r in meld.load(tmp_path) if r.subset == "dev"]
    with pytest.raises(FFmpegNotFoundError, match="dia0_utt0.mp4"):  # not skipped as bad audio
        decode_manifest(dev, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert not issubclass(FFmpegNotFoundError, BadAudioError)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not on PATH")
def test_mp4_decodes_with_ffmpeg(tmp_path):
    src, mp4 = tmp_path / "tone.wav", tmp_path / "tone.mp4"
    t = np.arange(44100) / 44100
    sf.write(src, np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2, axis=1).astype(np.float32), 44100)
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(src), "-c:a", "aac", str(mp4)], check=True)
    wave, rate = read_with_ffmpeg(mp4)
    assert rate == 16000 and wave.dtype == np.float32 and abs(len(wave) - 16000) < 1600
    assert read_audio(mp4).shape == wave.shape
    assert abs(len(read_audio(mp4, start=0.25, stop=0.75)) - 8000) <= 1
    (tmp_path / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 broken")
    with pytest.raises(BadAudioError, match="bad.mp4: unreadable audio"):
        read_audio(tmp_path / "bad.mp4")
    silent = tmp_path / "video-only.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5",
                    "-t", "0.4", str(silent)], check=True)
    with pytest.raises(BadAudioError, match="no audio stream"):
        read_audio(silent)
