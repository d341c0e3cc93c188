"""L2-ARCTIC v5.0 loader on a fake copy of the unpacked release: <SPEAKER>/wav/ + <SPEAKER>/transcript/,
the crc32 adapt/dev/test rule, phonemes (espeak-ng) and the tts-l2arctic task."""

import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import l2_arctic
from sure_bench.data.manifest import ManifestError
from sure_bench.kinds import make_kind
from sure_bench.tasks.registry import load_task_file

from split_picks import picked_ids

TASKS = Path(__file__).resolve().parents[3] / "tasks"
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

# (speaker, file stem, seconds, transcript); seconds 0 = a broken file, transcript None = none.
# crc32(id) % 10: ABA_arctic_a0006, TLV_arctic_a0009 -> 0 (test); ABA_arctic_a0016, TLV_arctic_b0005 -> 1
# (dev); the others adapt.
FAKE = [
    ("ABA", "arctic_a0001", 0.5, "The river ran fast after the storm."),
    ("ABA", "arctic_a0002", 0.0, "A broken recording."),
    ("ABA", "arctic_a0003", 0.25, None),
    ("ABA", "arctic_a0006", 1.0, "Will we ever forget it"),
    ("ABA", "arctic_a0016", 0.75, "Yes, he said, we will go home."),
    ("TLV", "arctic_a0001", 0.5, "The river ran fast after the storm."),
    ("TLV", "arctic_a0009", 0.5, "She kept the letter for many years."),
    ("TLV", "arctic_b0005", 0.25, "Nobody answered the door."),
]


def make_l2_arctic(root: Path) -> Path:
    top = root / "l2arctic_release_v5.0"
    top.mkdir(parents=True)
    (top / "README.md").write_text("# L2-ARCTIC (fake)\n")
    for spk, stem, seconds, text in FAKE:
        for sub in ("wav", "transcript", "annotation", "textgrid"):
            (top / spk / sub).mkdir(parents=True, exist_ok=True)
        wav = top / spk / "wav" / f"{stem}.wav"
        if seconds:
            sf.write(wav, np.full(int(44100 * seconds), 0.1, dtype=np.float32), 44100, subtype="PCM_16")
        else:
            wav.write_bytes(b"RIFF broken")
        if text is not None:
            (top / spk / "transcript" / f"{stem}.txt").write_text(text)
    suitcase = top / "suitcase_corpus"  # spontaneous speech in another layout: not read
    (suitcase / "wav").mkdir(parents=True)
    sf.write(suitcase / "wav" / "aba.wav", np.zeros(4410, dtype=np.float32), 44100)
    return top


def test_l2_arctic_reads_every_speaker_with_the_crc32_rule(tmp_path):
    top = make_l2_arctic(tmp_path)
    rows = l2_arctic.load(tmp_path)
    ids = [f"{spk}_{stem}" for spk, stem, _, _ in FAKE]
    assert [r.id for r in rows] == ids
    assert [r.speaker for r in rows] == [spk for spk, _, _, _ in FAKE]
    assert [r.label for r in rows] == [text or "" for _, _, _, text in FAKE]
    assert [r.duration for r in rows] == [seconds for _, _, seconds, _ in FAKE]
    assert [r.subset for r in rows] == ["adapt", "adapt", "adapt", "test", "dev", "adapt", "test", "dev"]
    assert all(r.subset == {0: "test", 1: "dev"}.get(zlib.crc32(r.id.encode()) % 10, "adapt") for r in rows)
    assert rows[0].path == str(top / "ABA" / "wav" / "arctic_a0001.wav")

    with pytest.raises(BadAudioError, match=r"ABA/wav/arctic_a0002\.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 7 and [s["id"] for s in ok.skipped] == ["ABA_arctic_a0002"]
    assert ok.dataset[0]["length"] == 8000  # 0.5 s of 44.1 kHz audio resampled to 16 kHz

    assert [r.id for r in l2_arctic.load(tmp_path, speakers="TLV")] == ids[5:]


def test_l2_arctic_lists_the_24_published_speakers():
    assert len(l2_arctic.SPEAKERS) == 24
    by_l1: dict[str, list[str]] = {}
    for spk, (l1, _) in l2_arctic.SPEAKERS.items():
        by_l1.setdefault(l1, []).append(spk)
    assert {l1: len(s) for l1, s in by_l1.items()} == dict.fromkeys(
        ["Arabic", "Mandarin", "Hindi", "Korean", "Spanish", "Vietnamese"], 4)
    assert sorted(g for _, g in l2_arctic.SPEAKERS.values()).count("F") == 12
    info = l2_arctic.INFO
    assert info.license == "CC BY-NC 4.0" and not info.fetchable and "request form" in info.notes


def test_l2_arctic_errors_name_the_path_and_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"l2arctic_release_v5\.0 does not exist.*--data-root.*request form"):
        l2_arctic.load(tmp_path)
    top = make_l2_arctic(tmp_path)
    with pytest.raises(ValueError, match=r"unknown speaker\(s\) \['XYZ'\]; L2-ARCTIC's speakers: \['ABA'"):
        l2_arctic.load(tmp_path, speakers="ABA,XYZ")
    with pytest.raises(FileNotFoundError, match=r"l2arctic_release_v5\.0/SKA/wav'\]; the copy .* lacks speaker\(s\) \['SKA'\]"):
        l2_arctic.load(tmp_path, speakers="SKA")
    (top / "SKA.zip").write_bytes(b"PK")
    with pytest.raises(FileNotFoundError, match=r"\['SKA\.zip'\] not unpacked; unzip each speaker's archive"):
        l2_arctic.load(tmp_path)
    (top / "SKA.zip").unlink()
    (top / "ABA" / "wav" / "arctic_a1.wav").write_bytes(b"")
    with pytest.raises(ManifestError, match=r"arctic_a1\.wav: not an L2-ARCTIC file name"):
        l2_arctic.load(tmp_path)


@needs_espeak
def test_tts_l2arctic_task_phonemizes_only_its_speaker(tmp_path, cache_dir):
    make_l2_arctic(tmp_path)
    task = load_task_file(TASKS / "tts-l2arctic.yaml")
    assert task.spec.kind == "tts" and task.spec.speaker == "ABA"
    args = task.spec.dataset.args
    ipa = l2_arctic.phonemes(tmp_path, **args, progress=False)
    assert set(ipa) == {"ABA_arctic_a0001", "ABA_arctic_a0002", "ABA_arctic_a0006", "ABA_arctic_a0016"}
    assert all(v.strip() and "ˈ" in v for v in ipa.values()), ipa
    rows = l2_arctic.load(tmp_path, **args)
    picked = picked_ids(task, rows)
    assert picked == {"train": ["ABA_arctic_a0001", "ABA_arctic_a0002", "ABA_arctic_a0003"],
                      "dev": ["ABA_arctic_a0016"], "test": ["ABA_arctic_a0006"]}
    kind = make_kind(task, tmp_path)
    assert [kind.unusable(r) for r in rows] == [None, None, "no phonemes", None, None]
    # the same sentence read by another speaker comes from the cache
    assert l2_arctic.phonemes(tmp_path, speakers="TLV")["TLV_arctic_a0001"] == ipa["ABA_arctic_a0001"]
