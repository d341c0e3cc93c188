"""VoxPopuli loader on fake copies of both published layouts (hub repository, official get_asr_data.py)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import voxpopuli
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file

from split_picks import check_release_asr_task

TASKS = Path(__file__).resolve().parents[3] / "tasks"
HEADER = ["id", "raw_text", "normalized_text", "speaker_id", "split", "gender", "is_gold_transcript", "accent"]

# split -> (id, raw_text, normalized_text, speaker, seconds); seconds 0 = a broken file. The third train
# row has an empty normalized_text, as a few real rows do: it is left out.
FAKE = {
    "train": [
        ("20180206-0900-PLENARY-15-en_20180206-19:31:56_3", 'Madam President, "thank you".',
         "madam president thank you", "124737", 1.0),
        ("20120613-0900-PLENARY-8-en_20120613-13:47:03_2", "The 2 reports.", "the two reports", "96718", 0.5),
        ("20150909-0900-PLENARY-11-en_20150909-16:55:12_0", "(inaudible)", "", "28244", 0.5),
    ],
    "dev": [("20161025-0900-PLENARY-3-en_20161025-09:12:00_5", "I agree.", "i agree", "4542", 0.75)],
    "test": [
        ("20170116-0900-PLENARY-14-en_20170116-20:50:31_1", "We can't wait.", "we can't wait", "1185", 1.25),
        ("20170117-0900-PLENARY-2-en_20170117-10:00:01_7", "Broken.", "broken", "1185", 0.0),
    ],
}
BROKEN = "20170117-0900-PLENARY-2-en_20170117-10:00:01_7"


def _write_audio(path: Path, seconds: float, ogg: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not seconds:
        path.write_bytes(b"not audio")
    elif ogg:
        sf.write(path, np.full(int(16000 * seconds), 0.1, dtype=np.float32), 16000, format="OGG", subtype="VORBIS")
    else:
        sf.write(path, np.full(int(16000 * seconds), 0.1, dtype=np.float32), 16000)


def make_voxpopuli(root: Path, layout: str = "hub") -> Path:
    """The hub layout (data/en, audio parts unpacked in place) or the official one (transcribed_data/en)."""
    base = root / "voxpopuli" / ("data" if layout == "hub" else "transcribed_data") / "en"
    base.mkdir(parents=True)
    for split, rows in FAKE.items():
        lines = ["\t".join(HEADER)]
        for n, (utt, raw, norm, spk, seconds) in enumerate(rows):
            lines.append("\t".join([utt, raw, norm, spk, split, "female", "True", "None"]))
            if layout == "hub":
                part = base / split / f"{split}_part_{n % 2}"
                _write_audio(part / f"{utt}.wav", seconds, ogg=False)
                part.with_name(part.name + ".tar.gz").write_bytes(b"")  # the archive stays beside its folder
            else:
                _write_audio(base / utt[:4] / f"{utt}.ogg", seconds, ogg=True)
        (base / f"asr_{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return base


@pytest.mark.parametrize("layout", ["hub", "official"])
def test_voxpopuli_reads_both_layouts_and_names_broken_files(tmp_path, layout):
    base = make_voxpopuli(tmp_path, layout)
    rows = voxpopuli.load(tmp_path)
    assert [r.id for r in rows] == [u[0] for s in FAKE.values() for u in s if u[2]]
    assert [r.subset for r in rows] == ["train", "train", "dev", "test", "test"]
    assert [r.label for r in rows][:2] == ["madam president thank you", "the two reports"]
    assert [r.speaker for r in rows] == ["124737", "96718", "4542", "1185", "1185"]
    assert [round(r.duration, 3) for r in rows] == [1.0, 0.5, 0.75, 1.25, 0.0]
    suffix = ".wav" if layout == "hub" else ".ogg"
    assert all(r.path.endswith(suffix) and Path(r.path).is_relative_to(base) for r in rows)
    raw = voxpopuli.load(tmp_path, text="raw_text")
    assert len(raw) == 6 and raw[0].label == 'Madam President, "thank you".'
    with pytest.raises(BadAudioError, match=BROKEN):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 4 and ok.skipped[0]["id"] == BROKEN


def test_voxpopuli_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="--data-root"):
        voxpopuli.load(tmp_path)
    base = make_voxpopuli(tmp_path)
    with pytest.raises(ValueError, match="text must be one of"):
        voxpopuli.load(tmp_path, text="text")
    tsv = base / "asr_dev.tsv"
    good = tsv.read_text()
    tsv.write_text(good.replace("normalized_text", "norm_text"))
    with pytest.raises(ManifestError, match=r"asr_dev.tsv:1: missing column\(s\) \['normalized_text'\]"):
        voxpopuli.load(tmp_path)
    tsv.write_text(good + "only\ttwo fields\n")
    with pytest.raises(ManifestError, match=r"asr_dev.tsv:3: 2 tab-separated fields, the header has 8"):
        voxpopuli.load(tmp_path)
    tsv.write_text(good)
    for wav in (base / "dev").rglob("*.wav"):
        wav.unlink()
    with pytest.raises(FileNotFoundError, match=r"unpack .*dev_part_<N>.tar.gz in place"):
        voxpopuli.load(tmp_path)


def test_voxpopuli_task_picks_the_release_splits(tmp_path):
    make_voxpopuli(tmp_path)
    task = load_task_file(TASKS / "asr-voxpopuli-en.yaml")
    assert task.name == "asr-voxpopuli-en"
    check_release_asr_task(task, voxpopuli.load(tmp_path, **task.spec.dataset.args), {"train": 2, "dev": 1, "test": 2})
