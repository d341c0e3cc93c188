from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import select_split, speech_commands
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import default_tasks_dir, load_task_file
from sure_bench.kinds import make_kind

RATE = 16000


def _wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * RATE)) / RATE
    sf.write(path, (0.1 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), RATE, subtype="PCM_16")


def make_release(data_root: Path, version: str = "v0.01") -> None:
    """A tiny copy of speech_commands_<version>/ and speech_commands_test_set_<version>/ as they unpack."""
    root = data_root / f"speech_commands_{version}"
    for rel, seconds in [("yes/aaaa1111_nohash_0.wav", 1.0), ("yes/bbbb2222_nohash_0.wav", 1.0),
                         ("yes/cccc3333_nohash_0.wav", 1.0), ("no/ffff6666_nohash_0.wav", 1.0),
                         ("four/aaaa1111_nohash_1.wav", 0.8), ("bed/dddd4444_nohash_0.wav", 1.0)]:
        _wav(root / rel, seconds)
    (root / "bed" / "eeee5555_nohash_1.wav").write_bytes(b"RIFF broken")  # the broken clip (train)
    (root / "validation_list.txt").write_text("yes/bbbb2222_nohash_0.wav\nbed/dddd4444_nohash_0.wav\n")
    (root / "testing_list.txt").write_text("yes/cccc3333_nohash_0.wav\nno/ffff6666_nohash_0.wav\n")
    (root / "LICENSE").write_text("CC BY 4.0\n")
    (root / "README.md").write_text("Speech Commands\n")
    _wav(root / "_background_noise_" / "running_tap.wav", 3.5)  # -> 3 dev _silence_ segments
    _wav(root / "_background_noise_" / "white_noise.wav", 2.2)  # -> 2 train _silence_ segments
    (root / "_background_noise_" / "README.md").write_text("noise\n")
    test = data_root / f"speech_commands_test_set_{version}"
    _wav(test / "yes" / "0c40e715_nohash_0.wav", 1.0)
    _wav(test / "_unknown_" / "backward_0c540988_nohash_0.wav", 1.0)
    _wav(test / "_silence_" / "27.wav", 1.0)
    (test / "LICENSE").write_text("CC BY 4.0\n")


def test_superb12_rows_labels_subsets_and_silence_segments(tmp_path):
    make_release(tmp_path)
    rows = speech_commands.load(tmp_path)
    by_id = {r.id: r for r in rows}
    assert [r.id for r in rows] == [
        "bed/dddd4444_nohash_0", "bed/eeee5555_nohash_1", "four/aaaa1111_nohash_1", "yes/aaaa1111_nohash_0",
        "yes/bbbb2222_nohash_0",
        "_background_noise_/running_tap/000", "_background_noise_/running_tap/001",
        "_background_noise_/running_tap/002", "_background_noise_/white_noise/000",
        "_background_noise_/white_noise/001",
        "test_set/_silence_/27", "test_set/_unknown_/backward_0c540988_nohash_0", "test_set/yes/0c40e715_nohash_0",
    ]  # testing_list.txt clips are not used by SUPERB
    assert by_id["yes/aaaa1111_nohash_0"].label == "yes" and by_id["yes/aaaa1111_nohash_0"].subset == "train"
    assert by_id["yes/bbbb2222_nohash_0"].subset == "dev"
    assert (by_id["bed/dddd4444_nohash_0"].label, by_id["bed/dddd4444_nohash_0"].subset) == ("_unknown_", "dev")
    assert by_id["four/aaaa1111_nohash_1"].label == "_unknown_"
    assert by_id["four/aaaa1111_nohash_1"].speaker == "aaaa1111"
    assert by_id["four/aaaa1111_nohash_1"].duration == pytest.approx(0.8)
    assert by_id["bed/eeee5555_nohash_1"].duration == 0.0
    silence = [r for r in rows if r.label == "_silence_" and r.subset != "test"]
    assert [(r.subset, r.start, r.stop, r.duration, r.speaker) for r in silence] == [
        ("dev", 0.0, 1.0, 1.0, ""), ("dev", 1.0, 2.0, 1.0, ""), ("dev", 2.0, 3.0, 1.0, ""),
        ("train", 0.0, 1.0, 1.0, ""), ("train", 1.0, 2.0, 1.0, "")]
    test = [(r.label, r.speaker, r.subset) for r in rows if r.id.startswith("test_set/")]
    assert test == [("_silence_", "", "test"), ("_unknown_", "0c540988", "test"), ("yes", "0c40e715", "test")]


def test_broken_clip_is_named_at_decode_and_can_be_skipped(tmp_path):
    make_release(tmp_path)
    rows = speech_commands.load(tmp_path)
    with pytest.raises(BadAudioError, match="eeee5555_nohash_1.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == len(rows) - 1 and ok.skipped[0]["id"] == "bed/eeee5555_nohash_1"
    lengths = dict(zip(ok.dataset["id"], ok.dataset["length"]))
    assert lengths["_background_noise_/running_tap/002"] == RATE  # one second cut out of the noise file


def test_sure11_keeps_the_eleven_words_and_the_release_lists(tmp_path):
    make_release(tmp_path)
    rows = speech_commands.load(tmp_path, protocol="sure11")
    assert [(r.id, r.label, r.subset) for r in rows] == [
        ("four/aaaa1111_nohash_1", "four", "train"), ("no/ffff6666_nohash_0", "no", "test"),
        ("yes/aaaa1111_nohash_0", "yes", "train"), ("yes/bbbb2222_nohash_0", "yes", "dev"),
        ("yes/cccc3333_nohash_0", "yes", "test")]


def test_a_listed_clip_missing_from_the_copy_is_kept_and_reported_at_decode(tmp_path):
    make_release(tmp_path)
    (tmp_path / "speech_commands_v0.01" / "yes" / "bbbb2222_nohash_0.wav").unlink()
    rows = {r.id: r for r in speech_commands.load(tmp_path)}
    assert rows["yes/bbbb2222_nohash_0"].duration == 0.0 and rows["yes/bbbb2222_nohash_0"].subset == "dev"


def test_errors_name_the_path_the_line_and_the_allowed_values(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"speech_commands_v0\.01 not found.*--data-root"):
        speech_commands.load(tmp_path)
    make_release(tmp_path)
    with pytest.raises(ValueError, match=r"protocol must be one of \['superb12', 'sure11'\]"):
        speech_commands.load(tmp_path, protocol="v2-35")
    with pytest.raises(FileNotFoundError, match="speech_commands_test_set_v0.02 not found"):
        speech_commands.load(tmp_path, test_folder="speech_commands_test_set_v0.02")
    (tmp_path / "speech_commands_test_set_v0.01" / "bed").mkdir()
    with pytest.raises(ManifestError, match="unexpected class folder 'bed'"):
        speech_commands.load(tmp_path)
    (tmp_path / "speech_commands_v0.01" / "validation_list.txt").write_text("yes/bbbb2222_nohash_0.wav\nyes bad\n")
    with pytest.raises(ManifestError, match=r"validation_list\.txt:2: expected '<word>/<file>\.wav', got 'yes bad'"):
        speech_commands.load(tmp_path, protocol="sure11")
    (tmp_path / "speech_commands_v0.01" / "validation_list.txt").write_text("yes/bbbb2222_nohash_0.wav\n")
    (tmp_path / "speech_commands_v0.01" / "testing_list.txt").unlink()
    with pytest.raises(FileNotFoundError, match="testing_list.txt not found"):
        speech_commands.load(tmp_path)


SUPERB_EXPECTED = {
    "train": ["bed/eeee5555_nohash_1", "four/aaaa1111_nohash_1", "yes/aaaa1111_nohash_0",
              "_background_noise_/white_noise/000", "_background_noise_/white_noise/001"],
    "dev": ["bed/dddd4444_nohash_0", "yes/bbbb2222_nohash_0", "_background_noise_/running_tap/000",
            "_background_noise_/running_tap/001", "_background_noise_/running_tap/002"],
    "test": ["test_set/_silence_/27", "test_set/_unknown_/backward_0c540988_nohash_0",
             "test_set/yes/0c40e715_nohash_0"],
}
SURE_EXPECTED = {
    "train": ["four/aaaa1111_nohash_1", "yes/aaaa1111_nohash_0"], "dev": ["yes/bbbb2222_nohash_0"],
    "test": ["no/ffff6666_nohash_0", "yes/cccc3333_nohash_0"],
}


@pytest.mark.parametrize("task_name,version,expected", [
    ("ks-speechcommands-v1", "v0.01", SUPERB_EXPECTED),
    ("ks-speechcommands-v2", "v0.02", SUPERB_EXPECTED),
    ("ks-speechcommands-sure", "v0.02", SURE_EXPECTED),
])
def test_task_yamls_load_and_their_selectors_pick_the_fake_rows(tmp_path, task_name, version, expected):
    make_release(tmp_path, version)
    task = load_task_file(default_tasks_dir() / f"{task_name}.yaml")
    assert task.spec.dataset.loader == "speech_commands" and task.spec.metrics.primary == "accuracy"
    rows = speech_commands.load(tmp_path, **task.spec.dataset.args)
    assert {r.label for r in rows} <= set(make_kind(task).labels)
    for split, ids in expected.items():
        picked = select_split(rows, task.split_selection(split, check_size=False))
        assert [r.id for r in picked] == ids, split
