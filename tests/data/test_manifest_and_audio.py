import warnings

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError, read_audio
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import get_loader, select_split
from sure_bench.data.manifest import (ManifestError, Utterance, read_manifest, read_split_ids, write_manifest,
                                     write_split)

from conftest import FSDD


def test_manifest_round_trip_resolves_relative_paths(tmp_path):
    rows = [Utterance("u1", "audio/u1.wav", 1.25, "yes", "spk")]
    write_manifest(rows, tmp_path / "m.csv")
    back = read_manifest(tmp_path / "m.csv")
    assert back[0].path == str(tmp_path / "audio" / "u1.wav")
    assert back[0].duration == 1.25 and back[0].label == "yes"


def test_manifest_and_split_bytes_and_no_temporary_left(tmp_path):
    rows = [Utterance("u1", "a/u1.wav", 1.25, "yes, no", "spk", "train", 0.5, 2.0), Utterance("u2", "u2.wav", 2, "x")]
    write_manifest(rows, tmp_path / "m.csv")
    write_split(rows, tmp_path / "splits" / "s.csv")
    assert (tmp_path / "m.csv").read_bytes() == (b"id,path,duration,label,speaker,subset,start,stop\r\n"
                                                 b'u1,a/u1.wav,1.2500,"yes, no",spk,train,0.5,2\r\nu2,u2.wav,2.0000,x,,,,\r\n')
    assert (tmp_path / "splits" / "s.csv").read_bytes() == b'id,label,speaker\nu1,"yes, no",spk\nu2,x,\n'
    assert read_split_ids(tmp_path / "splits" / "s.csv") == ["u1", "u2"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["m.csv", "s.csv", "splits"]


def test_manifest_errors_name_file_and_row(tmp_path):
    (tmp_path / "m.csv").write_text("id,path,label,duration\nu1,a.wav,x,notanumber\n")
    with pytest.raises(ManifestError, match=r"m\.csv:2: duration 'notanumber'"):
        read_manifest(tmp_path / "m.csv")
    (tmp_path / "n.csv").write_text("name,path\n")
    with pytest.raises(ManifestError, match="missing column"):
        read_manifest(tmp_path / "n.csv")


def test_split_selection_and_missing_ids(tmp_path):
    rows = [Utterance(f"u{i}", "x.wav", 1.0, "a") for i in range(3)]
    (tmp_path / "s.csv").write_text("id,label\nu2,a\nu0,a\n")
    assert [r.id for r in select_split(rows, tmp_path / "s.csv")] == ["u2", "u0"]
    (tmp_path / "t.csv").write_text("id\nu9\n")
    with pytest.raises(ManifestError, match="1 of 1 utterance ids are not in the dataset copy"):
        select_split(rows, tmp_path / "t.csv")
    (tmp_path / "d.csv").write_text("id\nu1\nu1\n")
    with pytest.raises(ManifestError, match="duplicate ids"):
        read_split_ids(tmp_path / "d.csv")


def test_unknown_loader_lists_known():
    with pytest.raises(ValueError, match="unknown dataset loader 'nope'.*fsdd"):
        get_loader("nope")


def _wav(path, data, rate=16000):
    sf.write(path, data, rate)
    return path


def test_read_audio_resamples_to_16k(tmp_path):
    p = _wav(tmp_path / "a.wav", np.sin(np.arange(8000) / 5).astype(np.float32), rate=8000)
    wave = read_audio(p)
    assert wave.dtype == np.float32 and abs(len(wave) - 16000) <= 2


@pytest.mark.parametrize("kind, reason", [
    ("missing", "file not found"),
    ("garbage", "unreadable audio"),
    ("empty", "empty audio"),
    ("nan", "NaN"),
    ("stereo", "2 channels"),
])
def test_bad_audio_errors_name_the_file(tmp_path, kind, reason):
    p = tmp_path / f"{kind}.wav"
    if kind == "garbage":
        p.write_bytes(b"RIFF not really a wav")
    elif kind == "empty":
        _wav(p, np.zeros(0, dtype=np.float32))
    elif kind == "nan":
        sf.write(p, np.array([0.1, np.nan, 0.2], dtype=np.float32), 16000, subtype="FLOAT")
    elif kind == "stereo":
        _wav(p, np.zeros((100, 2), dtype=np.float32))
    with pytest.raises(BadAudioError) as e:
        read_audio(p)
    assert str(p) in str(e.value) and reason in str(e.value) and "--skip-bad-audio" in str(e.value)


def test_wrong_rate_when_a_rate_is_expected(tmp_path):
    p = _wav(tmp_path / "r.wav", np.zeros(800, dtype=np.float32), rate=8000)
    with pytest.raises(BadAudioError, match="sampling rate 8000 Hz, expected 16000"):
        read_audio(p, expected_rate=16000)


def test_decode_cache_and_skip_bad_audio(tmp_path):
    good = _wav(tmp_path / "g.wav", np.full(1600, 0.1, dtype=np.float32))
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"junk")
    rows = [Utterance("g", str(good), 0.1, "a"), Utterance("b", str(bad), 0.1, "a")]
    with pytest.raises(BadAudioError, match="b.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    out = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert out.dataset["id"] == ["g"] and out.skipped[0]["id"] == "b"
    arrow = next((tmp_path / "cache" / "decoded").glob("*/data.arrow"))
    mtime = arrow.stat().st_mtime_ns
    again = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert arrow.stat().st_mtime_ns == mtime  # second run reads the cache, never decodes again
    assert again.skipped == out.skipped
    np.testing.assert_allclose(again.dataset[0]["audio"], np.full(1600, 0.1), atol=1e-4)


def test_by_length_is_the_stable_length_order_without_warnings(tmp_path):
    sizes = {"a": 3200, "b": 1600, "c": 4800, "d": 1600, "e": 800}
    rows = [Utterance(k, str(_wav(tmp_path / f"{k}.wav", np.zeros(n, dtype=np.float32))), n / 16000, "x")
            for k, n in sizes.items()]
    decoded = decode_manifest(rows, tmp_path / "cache", show_progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Dataset.sort("length") warned twice per task (pyarrow's null_placement)
        ordered = decoded.by_length()
    assert list(ordered["id"]) == ["e", "b", "d", "a", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert list(ordered["id"]) == list(decoded.dataset.sort("length")["id"])


@pytest.mark.skipif(not FSDD.is_dir(), reason="shared FSDD copy absent")
def test_fsdd_loader_and_committed_splits():
    from sure_bench.data.loaders import fsdd
    from sure_bench.tasks.registry import all_tasks

    rows = fsdd.load(FSDD.parent, target="speaker")
    assert len(rows) == 3000 and {r.label for r in rows} == {"george", "jackson", "lucas", "nicolas", "theo", "yweweler"}
    task = all_tasks()["sid-fsdd"]
    test = select_split(rows, task.split_file("test"))
    assert len(test) == 300 and all(int(r.id.split("_")[2]) < 5 for r in test)
    dev = select_split(rows, task.split_file("dev"))
    assert all(5 <= int(r.id.split("_")[2]) < 10 for r in dev)


def test_fsdd_missing_copy_says_what_to_do(tmp_path):
    from sure_bench.data.loaders import fsdd

    with pytest.raises(FileNotFoundError, match="pass --data-root"):
        fsdd.load(tmp_path)
