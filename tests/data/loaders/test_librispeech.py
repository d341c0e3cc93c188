"""LibriSpeech loader on a fake copy of the unpacked OpenSLR archives; the task YAMLs' selector rules."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import librispeech, select_split
from sure_bench.data.manifest import ManifestError
from sure_bench.metrics.text import normalize_text
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

TASKS = Path(__file__).resolve().parents[3] / "tasks"

# subset -> (speaker, chapter, [(utterance number, seconds, transcript)]); seconds 0 = a broken file
FAKE = {
    "train-clean-100": ("19", "198", [(0, 1.0, "NORTHANGER ABBEY"), (1, 0.5, "THE KING'S SON O'ER THE HILLS")]),
    "dev-clean": ("84", "121123", [(0, 0.75, "GO DO YOU HEAR")]),
    "test-clean": ("1089", "134686", [(0, 1.25, "HE HOPED THERE WOULD BE STEW FOR DINNER"),
                                      (1, 0.0, "STUFF IT INTO YOU")]),
    "test-other": ("1688", "142285", [(0, 0.5, "THERE'S IRON THEY SAY IN ALL OUR BLOOD")]),
}


def make_librispeech(root: Path) -> Path:
    top = root / "LibriSpeech"
    top.mkdir(parents=True)
    for name in ("README.TXT", "SPEAKERS.TXT", "CHAPTERS.TXT", "BOOKS.TXT", "LICENSE.TXT"):
        (top / name).write_text(";; fake\n")
    for subset, (spk, chap, utts) in FAKE.items():
        folder = top / subset / spk / chap
        folder.mkdir(parents=True)
        lines = []
        for n, seconds, text in utts:
            utt = f"{spk}-{chap}-{n:04d}"
            flac = folder / f"{utt}.flac"
            if seconds:
                sf.write(flac, np.full(int(16000 * seconds), 0.1, dtype=np.float32), 16000)
            else:
                flac.write_bytes(b"fLaC not really")
            lines.append(f"{utt} {text}\n")
        (folder / f"{spk}-{chap}.trans.txt").write_text("".join(lines))
    return top


def test_librispeech_reads_subsets_transcripts_and_names_broken_files(tmp_path):
    make_librispeech(tmp_path)
    rows = librispeech.load(tmp_path)
    assert [r.id for r in rows] == ["84-121123-0000", "1089-134686-0000", "1089-134686-0001", "1688-142285-0000",
                                    "19-198-0000", "19-198-0001"]
    by_id = {r.id: r for r in rows}
    assert by_id["19-198-0001"].label == "THE KING'S SON O'ER THE HILLS"
    assert by_id["19-198-0001"].speaker == "19" and by_id["19-198-0001"].subset == "train-clean-100"
    assert by_id["1688-142285-0000"].subset == "test-other"
    assert by_id["19-198-0000"].duration == 1.0 and by_id["84-121123-0000"].duration == 0.75
    assert by_id["1089-134686-0001"].duration == 0.0
    assert Path(by_id["84-121123-0000"].path) == tmp_path / "LibriSpeech/dev-clean/84/121123/84-121123-0000.flac"
    with pytest.raises(BadAudioError, match="1089-134686-0001.flac"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 5 and ok.skipped[0]["id"] == "1089-134686-0001"

    only = librispeech.load(tmp_path, subsets="dev-clean, test-other")
    assert {r.subset for r in only} == {"dev-clean", "test-other"}


def test_librispeech_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="--data-root"):
        librispeech.load(tmp_path)
    top = make_librispeech(tmp_path)
    with pytest.raises(ValueError, match="unknown subset.*'train-clean-1000'.*allowed"):
        librispeech.load(tmp_path, subsets="train-clean-1000")
    with pytest.raises(FileNotFoundError, match="dev-other"):
        librispeech.load(tmp_path, subsets="dev-other")
    trans = top / "dev-clean/84/121123/84-121123.trans.txt"
    trans.write_text("84-121123-0000 GO DO YOU HEAR\n84-121124-0001 WRONG CHAPTER\n")
    with pytest.raises(ManifestError, match=r"84-121123.trans.txt:2: .*84-121124-0001"):
        librispeech.load(tmp_path)
    trans.write_text("84-121123-0000\n")
    with pytest.raises(ManifestError, match=r"84-121123.trans.txt:1:"):
        librispeech.load(tmp_path)


def test_librispeech_tasks_pick_their_subsets(tmp_path):
    make_librispeech(tmp_path)
    expected = {
        "asr-librispeech": {"train": "train-clean-100", "dev": "dev-clean", "test": "test-clean"},
        "asr-librispeech-other": {"train": "train-clean-100", "dev": "dev-clean", "test": "test-other"},
    }
    for name, splits in expected.items():
        task = load_task_file(TASKS / f"{name}.yaml")
        assert task.name == name and task.spec.kind == "ctc_asr" and task.spec.metrics.primary == "wer"
        rows = librispeech.load(tmp_path, **task.spec.dataset.args)
        for split, subset in splits.items():
            picked = select_split(rows, task.split_selection(split, check_size=False))
            assert picked and {r.subset for r in picked} == {subset}
        vocab = set(make_kind(task).vocab)
        for r in rows:
            assert set(normalize_text(r.label)) <= vocab, r.label
    assert load_task_file(TASKS / "asr-librispeech.yaml").split_sizes() == {"train": 28539, "dev": 2703, "test": 2620}
    assert load_task_file(TASKS / "asr-librispeech-other.yaml").split_sizes()["test"] == 2939


def test_librispeech_downloads_are_the_official_archives():
    files = {d.filename: d for d in librispeech.INFO.downloads}
    assert set(files) == {f"{s}.tar.gz" for s in ("train-clean-100", "dev-clean", "dev-other", "test-clean",
                                                  "test-other")}
    for d in files.values():
        assert d.url.startswith("https://www.openslr.org/resources/12/") and d.extract_to == ""
        assert d.checksum.startswith("sha256:") and len(d.checksum) == len("sha256:") + 64


def test_run_on_a_partial_copy_stops_before_training_and_says_what_to_do(tmp_path, capsys):
    from sure_bench.cli.main import main

    make_librispeech(tmp_path / "data")
    code = main(["run", "--method", "linear", "--backbone", "tiny-whisper", "--tasks", "asr-librispeech",
                 "--data-root", str(tmp_path / "data"), "--output", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "asr-librispeech.yaml split 'train'" in err
    assert "has 2 utterances" in err and "the release has 28539" in err and "sure-bench data verify" in err
    assert not (tmp_path / "out" / "tiny-whisper").exists()
