"""LibriTTS loader on a fake copy of the unpacked OpenSLR 60 archives: the release's subsets, the crc32
adaptation rule, phonemes (espeak-ng, cached) and the tts-libritts task."""

import dataclasses
import json
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data import loaders
from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import _tts_text, libritts
from sure_bench.data.manifest import ManifestError
from sure_bench.kinds import make_kind
from sure_bench.tasks.registry import load_task_file

from split_picks import picked_ids

TASKS = Path(__file__).resolve().parents[3] / "tasks"
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

# (subset, id, seconds, normalized text); seconds 0 = a broken file, text None = no .normalized.txt.
# crc32(id) % 10: 19_198_000003_000000 -> 0 (test), 19_227_000001_000001 -> 1 (dev), the others adapt.
FAKE = [
    ("train-clean-100", "19_198_000000_000000", 0.5, "Northanger Abbey, by Jane Austen."),
    ("train-clean-100", "19_198_000002_000000", 0.0, "It was a broken file."),
    ("train-clean-100", "19_198_000003_000000", 1.0, "The king's son rode over the hills."),
    ("train-clean-100", "19_227_000000_000000", 0.25, None),
    ("train-clean-100", "19_227_000001_000001", 0.75, "Go, do you hear?"),
    ("train-clean-100", "26_495_000004_000000", 0.5, "He hoped there would be stew for dinner."),
    ("dev-clean", "84_121123_000000_000000", 0.5, "Stuff it into you, his belly counselled him."),
]


def make_libritts(root: Path) -> Path:
    top = root / "LibriTTS"
    top.mkdir(parents=True)
    (top / "speakers.tsv").write_text("READER\tGENDER\tSUBSET\tNAME\n19\tF\ttrain-clean-100\tKara Shallenberg\n")
    for subset, uid, seconds, text in FAKE:
        spk, chapter = uid.split("_")[:2]
        folder = top / subset / spk / chapter
        folder.mkdir(parents=True, exist_ok=True)
        wav = folder / f"{uid}.wav"
        if seconds:
            sf.write(wav, np.full(int(24000 * seconds), 0.1, dtype=np.float32), 24000, subtype="PCM_16")
        else:
            wav.write_bytes(b"RIFF not really")
        if text is not None:
            (folder / f"{uid}.normalized.txt").write_text(text)
            (folder / f"{uid}.original.txt").write_text(text.upper())
        (folder / f"{spk}_{chapter}.trans.tsv").write_text(f"{uid}\t{text}\t{text}\n")
    return top


def test_libritts_reads_the_release_subsets_and_names_broken_files(tmp_path):
    top = make_libritts(tmp_path)
    rows = libritts.load(tmp_path)
    assert [r.id for r in rows] == ["84_121123_000000_000000", "19_198_000000_000000", "19_198_000002_000000",
                                    "19_198_000003_000000", "19_227_000000_000000", "19_227_000001_000001",
                                    "26_495_000004_000000"]
    by_id = {r.id: r for r in rows}
    assert [by_id[uid].subset for _, uid, _, _ in FAKE] == [subset for subset, _, _, _ in FAKE]
    assert [by_id[uid].label for _, uid, _, _ in FAKE] == [text or "" for _, _, _, text in FAKE]
    assert [by_id[uid].duration for _, uid, _, _ in FAKE] == [seconds for _, _, seconds, _ in FAKE]
    assert [r.speaker for r in rows] == ["84", "19", "19", "19", "19", "19", "26"]
    assert by_id["19_198_000000_000000"].path == str(top / "train-clean-100/19/198/19_198_000000_000000.wav")

    with pytest.raises(BadAudioError, match=r"19_198_000002_000000\.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 6 and [s["id"] for s in ok.skipped] == ["19_198_000002_000000"]
    assert ok.dataset[0]["length"] == 8000  # 0.5 s of 24 kHz audio resampled to 16 kHz

    only = libritts.load(tmp_path, subsets="dev-clean")
    assert [r.id for r in only] == ["84_121123_000000_000000"]


def test_libritts_crc32_rule_keeps_the_chosen_speakers(tmp_path):
    make_libritts(tmp_path)
    rows = libritts.load(tmp_path, subsets="train-clean-100", speakers="19", split_rule="crc32")
    assert {r.speaker for r in rows} == {"19"} and len(rows) == 5
    assert {r.id: r.subset for r in rows} == {
        "19_198_000000_000000": "adapt", "19_198_000002_000000": "adapt", "19_198_000003_000000": "test",
        "19_227_000000_000000": "adapt", "19_227_000001_000001": "dev"}
    assert all(r.subset == {0: "test", 1: "dev"}.get(zlib.crc32(r.id.encode()) % 10, "adapt") for r in rows)
    assert [r.id for r in libritts.load(tmp_path, speakers=19)] == [r.id for r in rows]  # YAML's unquoted 19
    both = libritts.load(tmp_path, speakers="26,84", split_rule="crc32")
    assert [r.speaker for r in both] == ["84", "26"] and {r.subset for r in both} == {"adapt"}


def test_libritts_errors_name_the_path_and_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"LibriTTS not found at .*LibriTTS: pass --data-root.*data fetch libritts"):
        libritts.load(tmp_path)
    top = make_libritts(tmp_path)
    with pytest.raises(ValueError, match=r"unknown subset\(s\) \['train-clean-1000'\]; allowed"):
        libritts.load(tmp_path, subsets="train-clean-1000")
    with pytest.raises(FileNotFoundError, match=r"LibriTTS/test-clean'\] not found: unpack \['test-clean'\]"):
        libritts.load(tmp_path, subsets="test-clean")
    with pytest.raises(FileNotFoundError, match=r"no recordings of speaker\(s\) \['1088'\].*speakers\.tsv"):
        libritts.load(tmp_path, speakers="19,1088")
    with pytest.raises(ValueError, match=r"split_rule must be one of \['release', 'crc32'\], got 'random'"):
        libritts.load(tmp_path, split_rule="random")
    with pytest.raises(ValueError, match=r"names a speaker twice"):
        libritts.load(tmp_path, speakers="19,19")
    (top / "dev-clean/84/121123/84_999_000000_000000.wav").write_bytes(b"")
    with pytest.raises(ManifestError, match=r"84_999_000000_000000\.wav: not a LibriTTS file name"):
        libritts.load(tmp_path)


def test_libritts_downloads_are_the_official_archives():
    files = {d.filename: d for d in libritts.INFO.downloads}
    assert set(files) == {"train-clean-100.tar.gz", "dev-clean.tar.gz", "test-clean.tar.gz"}
    for d in files.values():
        assert d.url.startswith("https://www.openslr.org/resources/60/") and d.extract_to == ""
        assert d.checksum.startswith("sha256:") and len(d.checksum) == len("sha256:") + 64
    assert libritts.INFO.license == "CC BY 4.0" and "libritts" in loaders.loader_names()
    assert "_tts_text" not in loaders.loader_names()


@needs_espeak
def test_libritts_phonemes_of_the_chosen_speaker_are_cached(tmp_path, cache_dir, monkeypatch):
    make_libritts(tmp_path / "data")
    args = {"subsets": "train-clean-100", "speakers": "19", "split_rule": "crc32"}
    ipa = libritts.phonemes(tmp_path / "data", **args, progress=False)
    # every recording of speaker 19 that has a transcript; none of 26's or 84's
    assert set(ipa) == {"19_198_000000_000000", "19_198_000002_000000", "19_198_000003_000000",
                        "19_227_000001_000001"}
    assert all(v.strip() and "ˈ" in v for v in ipa.values()), ipa
    assert ipa["19_227_000001_000001"].endswith("?") and "," in ipa["19_227_000001_000001"]

    cached = json.loads(_tts_text.cache_file("en-us").read_text(encoding="utf-8"))
    assert cache_dir in _tts_text.cache_file("en-us").parents and len(cached) == 4
    assert cached[_tts_text.text_key("Go, do you hear?")] == ipa["19_227_000001_000001"]

    def no_espeak(*a, **k):
        raise AssertionError("phonemized again")

    monkeypatch.setattr("sure_bench.data.tts_corpus.phonemes.phonemize_many", no_espeak)
    assert libritts.phonemes(tmp_path / "data", **args) == ipa  # read from the cache


@needs_espeak
def test_tts_libritts_task_picks_the_target_speakers_adapt_dev_test(tmp_path, cache_dir):
    make_libritts(tmp_path)
    task = load_task_file(TASKS / "tts-libritts.yaml")
    assert task.spec.kind == "tts" and task.spec.speaker == "19" and task.spec.metrics.primary == "mcd"
    rows = libritts.load(tmp_path, **task.spec.dataset.args)
    picked = picked_ids(task, rows)
    assert picked == {"train": ["19_198_000000_000000", "19_198_000002_000000", "19_227_000000_000000"],
                      "dev": ["19_227_000001_000001"], "test": ["19_198_000003_000000"]}
    kind = make_kind(task, tmp_path)
    why = {r.id: kind.unusable(r) for r in rows}
    assert why == {"19_198_000000_000000": None, "19_198_000002_000000": None, "19_198_000003_000000": None,
                   "19_227_000000_000000": "no phonemes", "19_227_000001_000001": None}
    long = dataclasses.replace(rows[0], duration=task.spec.audio.max_seconds + 0.5)
    assert kind.unusable(long) == f"longer than {task.spec.audio.max_seconds} s"  # kept whole or left out
