"""Fluent Speech Commands loader on a fake copy of the release layout, and the ic-fsc task."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import fsc, select_split
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file

from split_picks import picked_ids

TASKS = Path(__file__).resolve().parents[3] / "tasks"
HEADER = ",path,speakerId,transcription,action,object,location\n"
# (csv, speaker, file stem, transcription, action, object, location, seconds)
ROWS = [
    ("train", "2BqVo8kVB2Skwgyb", "0a3129c0-4474-11e9-a9a5-5dbec3b8816a", "Change language", "change language",
     "none", "none", 1.0),
    ("train", "2BqVo8kVB2Skwgyb", "0ee42a80-4474-11e9-a9a5-5dbec3b8816a", "Turn on the lights in the kitchen",
     "activate", "lights", "kitchen", 1.5),
    ("train", "2ojo7YRL7Gck83Z3", "1d9f3920-45e8-11e9-8ec0-7bf21d1cfe30", "Switch to Korean", "change language",
     "Korean", "none", 0.5),
    ("valid", "4BrX8aDqK2cLZRYl", "cbdf5700-452c-11e9-b1e4-e5985dca719e", "Turn on the lights", "activate",
     "lights", "none", 2.0),
    ("test", "4aGjX3AG5xcxeL7a", "5f5e1a40-4531-11e9-bf1c-e9a1c5ce5f8e", "Bring me my shoes", "bring", "shoes",
     "none", 1.25),
    ("test", "4aGjX3AG5xcxeL7a", "6a1c4b10-4531-11e9-bf1c-e9a1c5ce5f8e", "Heat down in the washroom",
     "decrease", "heat", "washroom", 0.0),  # broken audio
]


def make_fsc(root: Path) -> Path:
    base = root / "fluent_speech_commands_dataset"
    (base / "data").mkdir(parents=True)
    index = {"train": 0, "valid": 0, "test": 0}
    lines = {name: [HEADER] for name in index}
    for subset, spk, stem, text, action, obj, loc, seconds in ROWS:
        rel = f"wavs/speakers/{spk}/{stem}.wav"
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        if seconds:
            sf.write(base / rel, np.zeros(int(16000 * seconds), dtype=np.float32), 16000)
        else:
            (base / rel).write_bytes(b"RIFF....not a wav")
        lines[subset].append(f"{index[subset]},{rel},{spk},{text},{action},{obj},{loc}\n")
        index[subset] += 1
    for subset, text in lines.items():
        (base / "data" / f"{subset}_data.csv").write_text("".join(text), encoding="utf-8")
    return base


def test_fsc_reads_the_official_csvs(tmp_path):
    make_fsc(tmp_path)
    rows = fsc.load(tmp_path)
    assert [r.id for r in rows] == [r[2] for r in ROWS]
    assert [r.subset for r in rows] == ["train", "train", "train", "valid", "test", "test"]
    assert [r.speaker for r in rows] == [r[1] for r in ROWS]
    assert rows[0].label == "change language|none|none"
    assert rows[1].label == "activate|lights|kitchen"
    assert rows[2].label == "change language|Korean|none"
    assert [r.duration for r in rows] == [1.0, 1.5, 0.5, 2.0, 1.25, 0.0]
    assert Path(rows[3].path).is_file() and rows[3].path.endswith("4BrX8aDqK2cLZRYl/" + ROWS[3][2] + ".wav")
    with pytest.raises(BadAudioError, match=ROWS[5][2]):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 5 and ok.skipped[0]["id"] == ROWS[5][2]


def test_fsc_errors_name_the_path_and_line(tmp_path):
    with pytest.raises(FileNotFoundError, match="fluent_speech_commands_dataset.*--data-root"):
        fsc.load(tmp_path)
    base = make_fsc(tmp_path)
    (base / "data" / "valid_data.csv").unlink()
    with pytest.raises(FileNotFoundError, match="valid_data.csv not found"):
        fsc.load(tmp_path)
    (base / "data" / "valid_data.csv").write_text(",path,speakerId,transcription,action,object\n")
    with pytest.raises(ManifestError, match=r"valid_data.csv:1: missing column\(s\) \['location'\]"):
        fsc.load(tmp_path)
    (base / "data" / "valid_data.csv").write_text(HEADER + "0,wavs/speakers/x/y.wav,x,Lights on,activate,,none\n")
    with pytest.raises(ManifestError, match=r"valid_data.csv:2: empty \['object'\]"):
        fsc.load(tmp_path)
    (base / "data" / "valid_data.csv").write_text(HEADER + f"0,wavs/speakers/{ROWS[0][1]}/{ROWS[0][2]}.wav,"
                                                  f"{ROWS[0][1]},Change language,change language,none,none\n")
    with pytest.raises(ManifestError, match="listed again"):
        fsc.load(tmp_path)


def test_ic_fsc_task_selects_the_release_csvs(tmp_path):
    make_fsc(tmp_path)
    task = load_task_file(TASKS / "ic-fsc.yaml")
    rows = fsc.load(tmp_path, **task.spec.dataset.args)
    assert task.name == "ic-fsc" and task.spec.kind == "multi_slot_classification"
    assert task.split_sizes() == {"train": 23132, "dev": 3118, "test": 3793}
    assert [len(v) for v in task.spec.slots.values()] == [6, 14, 4]
    for row in rows:  # every fake label is a combination of the spec's slot values
        assert all(v in vals for v, vals in zip(row.label.split("|"), task.spec.slots.values()))
    picked = picked_ids(task, rows)
    assert picked == {"train": [r[2] for r in ROWS[:3]], "dev": [ROWS[3][2]], "test": [ROWS[4][2], ROWS[5][2]]}
    with pytest.raises(ManifestError, match="has 3 utterances.*the release has 23132"):
        select_split(rows, task.split_selection("train"))
