"""VCTK 0.92 loader on a fake copy of the release: wav48_silence_trimmed/<spk>/<spk>_<NNN>_<mic>.flac + txt/."""

import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import vctk
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

from split_picks import picked_ids

REPO = Path(__file__).resolve().parents[3]

# utterance -> seconds of mic1 audio; crc32(id) % 10: p225_002, p315_001, s5_001 -> 1 (dev);
# p225_007, p315_004, s5_024 -> 0 (test); the others train.
MIC1 = {"p225_001": 0.5, "p225_002": 0.25, "p225_007": 0.75, "p315_001": 1.0, "p315_003": 0.5,
        "p315_004": 0.25, "s5_001": 0.5, "s5_002": 1.5}
BROKEN = "s5_024"


def _fake_release(root: Path) -> Path:
    base = root / "VCTK-Corpus-0.92"
    audio = base / "wav48_silence_trimmed"
    for uid, seconds in MIC1.items():
        spk = uid.split("_")[0]
        (audio / spk).mkdir(parents=True, exist_ok=True)
        wave = np.full(int(48000 * seconds), 0.1, dtype=np.float32)
        sf.write(audio / spk / f"{uid}_mic1.flac", wave, 48000)
        if spk != "p315":  # p315 (like p280) has no mic2 audio
            sf.write(audio / spk / f"{uid}_mic2.flac", wave[: len(wave) // 2], 48000)
        if spk != "p315":  # ... and no transcripts
            (base / "txt" / spk).mkdir(parents=True, exist_ok=True)
            (base / "txt" / spk / f"{uid}.txt").write_text("Please call Stella.\n")
    (audio / "s5" / f"{BROKEN}_mic1.flac").write_bytes(b"fLaC broken")
    (audio / "log.txt").write_text("not audio\n")
    (base / "speaker-info.txt").write_text("ID  AGE  GENDER  ACCENTS  REGION COMMENTS \np225  23  F    English    Southern  England\n")
    return base


def test_vctk_reads_every_mic1_recording_with_the_crc32_split(tmp_path):
    base = _fake_release(tmp_path)
    rows = vctk.load(tmp_path)
    assert [r.id for r in rows] == ["p225_001", "p225_002", "p225_007", "p315_001", "p315_003", "p315_004",
                                    "s5_001", "s5_002", "s5_024"]
    assert [r.label for r in rows] == [r.speaker for r in rows] == ["p225"] * 3 + ["p315"] * 3 + ["s5"] * 3
    assert [r.subset for r in rows] == ["train", "dev", "test", "dev", "train", "test", "dev", "train", "test"]
    assert [r.subset for r in rows] == [
        {0: "test", 1: "dev"}.get(zlib.crc32(r.id.encode()) % 10, "train") for r in rows]
    assert [r.duration for r in rows] == [*MIC1.values(), 0.0]
    assert rows[0].path == str(base / "wav48_silence_trimmed" / "p225" / "p225_001_mic1.flac")

    with pytest.raises(BadAudioError, match=r"s5_024_mic1\.flac: unreadable audio"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 8 and [s["id"] for s in ok.skipped] == ["s5_024"]
    assert ok.dataset[0]["length"] == 8000  # 0.5 s resampled from 48 kHz to 16 kHz


def test_vctk_mic2_has_the_same_split_and_skips_speakers_without_mic2(tmp_path):
    _fake_release(tmp_path)
    mic1 = {r.id: r.subset for r in vctk.load(tmp_path, mic="mic1")}
    rows = vctk.load(tmp_path, folder="VCTK-Corpus-0.92", mic="mic2")
    assert [r.id for r in rows] == ["p225_001", "p225_002", "p225_007", "s5_001", "s5_002"]
    assert all(r.path.endswith(f"{r.id}_mic2.flac") and r.subset == mic1[r.id] for r in rows)
    assert rows[0].duration == 0.25


def test_vctk_errors_name_the_folder_and_allowed_values(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"VCTK-Corpus-0\.92/wav48_silence_trimmed does not exist.*--data-root"):
        vctk.load(tmp_path)
    base = _fake_release(tmp_path)
    with pytest.raises(ValueError, match=r"mic must be one of \['mic1', 'mic2'\], got 'mic3'"):
        vctk.load(tmp_path, mic="mic3")
    bad = base / "wav48_silence_trimmed" / "p225" / "p226_010_mic1.flac"
    bad.write_bytes(b"")
    with pytest.raises(ManifestError, match=r"p226_010_mic1\.flac: not a VCTK 0\.92 file name"):
        vctk.load(tmp_path)
    bad.unlink()
    (base / "wav48_silence_trimmed" / "p225" / "p225_010.flac").write_bytes(b"")
    with pytest.raises(ManifestError, match=r"p225_010\.flac: not a VCTK 0\.92 file name"):
        vctk.load(tmp_path)


def test_vctk_download_and_task(tmp_path):
    (item,) = vctk.INFO.downloads
    assert item.filename == "VCTK-Corpus-0.92.zip" and item.extract_to == vctk.INFO.folder
    assert item.checksum == "sha256:f96258be9fdc2cbff6559541aae7ea4f59df3fcaf5cf963aae5ca647357e359c"

    _fake_release(tmp_path)
    task = load_task_file(REPO / "tasks" / "sid-vctk.yaml")
    rows = vctk.load(tmp_path, **task.spec.dataset.args)
    labels = make_kind(task).labels
    assert len(labels) == 110 and {"p315", "s5", "p280"} <= set(labels)
    assert {r.label for r in rows} <= set(labels)
    picked = picked_ids(task, rows)
    assert picked == {"train": ["p225_001", "p315_003", "s5_002"], "dev": ["p225_002", "p315_001", "s5_001"],
                      "test": ["p225_007", "p315_004", "s5_024"]}


def test_vctk_text_labels_and_speakers_leave_the_default_as_it_was(tmp_path):
    _fake_release(tmp_path)
    default = vctk.load(tmp_path)
    assert vctk.load(tmp_path, label="speaker", progress=False) == default
    rows = vctk.load(tmp_path, label="text", speakers="p225,p315")
    assert [r.id for r in rows] == ["p225_001", "p225_002", "p225_007", "p315_001", "p315_003", "p315_004"]
    assert [r.label for r in rows] == ["Please call Stella."] * 3 + [""] * 3  # p315 has no transcripts
    assert [(r.speaker, r.subset, r.duration) for r in rows] == [(r.speaker, r.subset, r.duration)
                                                                 for r in default[:6]]
    with pytest.raises(ValueError, match=r"label must be one of \['speaker', 'text'\], got 'transcript'"):
        vctk.load(tmp_path, label="transcript")
    with pytest.raises(FileNotFoundError, match=r"wav48_silence_trimmed/p999'\]; speaker\(s\) \['p999'\] are not"):
        vctk.load(tmp_path, speakers="p225,p999")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_vctk_phonemes_and_the_tts_task(tmp_path, cache_dir):
    _fake_release(tmp_path)
    ipa = vctk.phonemes(tmp_path, speakers="p225,p315")
    assert set(ipa) == {"p225_001", "p225_002", "p225_007"}  # p315: no transcripts, no phonemes
    assert len(set(ipa.values())) == 1 and "stˈɛlə." in ipa["p225_001"]

    task = load_task_file(REPO / "tasks" / "tts-vctk.yaml")
    assert task.spec.kind == "tts" and task.spec.speaker == "p225"
    assert task.spec.dataset.args["label"] == "text" and task.spec.dataset.args["mic"] == "mic1"
    rows = vctk.load(tmp_path, **task.spec.dataset.args)
    assert {r.speaker for r in rows} == {"p225"} and {r.label for r in rows} == {"Please call Stella."}
    picked = picked_ids(task, rows)
    assert picked == {"train": ["p225_001"], "dev": ["p225_002"], "test": ["p225_007"]}
    kind = make_kind(task, tmp_path)
    assert [kind.unusable(r) for r in rows] == [None, None, None]
    assert kind.phonemes == vctk.phonemes(tmp_path, **task.spec.dataset.args)

