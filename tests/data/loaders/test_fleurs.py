"""FLEURS loader on a fake copy of the google/fleurs repository layout (audio archives unpacked)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import fleurs
from sure_bench.data.manifest import ManifestError
from sure_bench.metrics.text import normalize_text
from sure_bench.tasks.registry import load_task_file

from split_picks import check_release_asr_task

TASKS = Path(__file__).resolve().parents[3] / "tasks"

# split -> rows (sentence id, file name, raw transcription, transcription, samples; 0 samples = broken file).
# Two train rows share sentence id 1 (one sentence read by two speakers), as in the release.
FAKE = {
    "train": [
        ("1", "10004088536354799741.wav", 'The "Mona Lisa" hangs in Paris.', "the mona lisa hangs in paris", 16000),
        ("1", "1000474599856829178.wav", 'The "Mona Lisa" hangs in Paris.', "the mona lisa hangs in paris", 8000),
        ("7", "10011247856813218557.wav", "It's 5 km long.", "it's 5 km long", 12000),
    ],
    "dev": [("1502", "1001593318306829226.wav", "Rain fell, mostly.", "rain fell mostly", 4000)],
    "test": [
        ("1675", "10021208958216434486.wav", "Go north.", "go north", 20000),
        ("1676", "10022437195862066385.wav", "Stop here.", "stop here", 32000),
    ],
}
BROKEN = "10022437195862066385"


def _chars(text: str) -> str:
    return " ".join("|" if c == " " else c for c in text) + " |"


def make_fleurs(root: Path) -> Path:
    base = root / "fleurs" / "data" / "en_us"
    for split, rows in FAKE.items():
        (base / "audio" / split).mkdir(parents=True)
        (base / "audio" / f"{split}.tar.gz").write_bytes(b"")  # the archive stays next to its unpacked folder
        lines = []
        for sid, name, raw, norm, samples in rows:
            wav = base / "audio" / split / name
            if name.startswith(BROKEN):
                wav.write_bytes(b"RIFF broken")
            else:
                sf.write(wav, np.full(samples, 0.1, dtype=np.float32), 16000)
            gender = "FEMALE" if samples % 3 else "MALE"
            lines.append("\t".join([sid, name, raw, norm, _chars(norm), str(samples), gender]) + "\n")
        (base / f"{split}.tsv").write_text("".join(lines), encoding="utf-8")
    return base


def test_fleurs_reads_tsvs_with_unique_ids_and_names_broken_files(tmp_path):
    make_fleurs(tmp_path)
    rows = fleurs.load(tmp_path)
    assert [r.id for r in rows] == ["10004088536354799741", "1000474599856829178", "10011247856813218557",
                                    "1001593318306829226", "10021208958216434486", BROKEN]
    assert [r.subset for r in rows] == ["train", "train", "train", "dev", "test", "test"]
    assert rows[0].label == rows[1].label == "the mona lisa hangs in paris"
    assert [r.duration for r in rows] == [1.0, 0.5, 0.75, 0.25, 1.25, 2.0]
    assert all(r.speaker == "" for r in rows)
    assert Path(rows[3].path) == tmp_path / "fleurs/data/en_us/audio/dev/1001593318306829226.wav"
    raw = fleurs.load(tmp_path, text="raw_transcription")
    assert raw[0].label == 'The "Mona Lisa" hangs in Paris.'
    assert normalize_text(raw[2].label) == "it's five km long"
    with pytest.raises(BadAudioError, match=f"{BROKEN}.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 5 and ok.skipped[0]["id"] == BROKEN


def test_fleurs_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="--data-root"):
        fleurs.load(tmp_path)
    base = make_fleurs(tmp_path)
    with pytest.raises(ValueError, match="text must be one of"):
        fleurs.load(tmp_path, text="phonemes")
    tsv = base / "dev.tsv"
    good = tsv.read_text()
    tsv.write_text(good + "1503\t1.wav\tRaw.\traw\t160\tMALE\n")
    with pytest.raises(ManifestError, match=r"dev.tsv:2: expected 7 tab-separated fields"):
        fleurs.load(tmp_path)
    tsv.write_text(good.replace("\t4000\t", "\tmany\t"))
    with pytest.raises(ManifestError, match=r"dev.tsv:1: num_samples 'many'"):
        fleurs.load(tmp_path)
    tsv.write_text(good)
    (base / "test.tsv").write_text((base / "test.tsv").read_text() + good)
    with pytest.raises(ManifestError, match="1001593318306829226 is listed twice"):
        fleurs.load(tmp_path)
    (base / "test.tsv").unlink()
    (base / "audio" / "dev" / "1001593318306829226.wav").unlink()
    (base / "audio" / "dev").rmdir()
    with pytest.raises(FileNotFoundError, match=r"unpack .*dev.tar.gz"):
        fleurs.load(tmp_path)


def test_fleurs_task_picks_the_release_splits(tmp_path):
    make_fleurs(tmp_path)
    task = load_task_file(TASKS / "asr-fleurs-en.yaml")
    assert task.name == "asr-fleurs-en"
    check_release_asr_task(task, fleurs.load(tmp_path, **task.spec.dataset.args), {"train": 3, "dev": 1, "test": 2})
