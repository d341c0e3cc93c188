"""SLURP loader on a fake copy of the release layout (GitHub jsonl + Zenodo audio), and the ic-slurp task."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import slurp
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

from split_picks import picked_ids

TASKS = Path(__file__).resolve().parents[3] / "tasks"


def _entry(slurp_id: int, sentence: str, scenario: str, action: str, files: list[str], intent: str = "") -> str:
    rec = {"slurp_id": slurp_id, "sentence": sentence, "sentence_annotation": sentence,
           "intent": intent or f"{scenario}_{action}", "action": action,
           "tokens": [{"surface": w, "id": i, "lemma": w, "pos": "NN"} for i, w in enumerate(sentence.split())],
           "scenario": scenario,
           "recordings": [{"file": f, "wer": 0.0, "ent_wer": None, "status": "correct"} for f in files],
           "entities": []}
    return json.dumps(rec) + "\n"


JSONL = {
    "train": [_entry(4489, "wake me up at eight o'clock", "alarm", "set",
                     ["audio-1502099775-headset.flac", "audio-1502099775.flac"]),
              _entry(962, "increase the brightness of the lights", "iot", "hue_lightup",
                     ["audio-1490356953-headset.flac"], intent="hue_lightup")],  # intent without its scenario
    "devel": [_entry(281, "what is the exchange rate of us dollar to pound sterling", "qa", "currency",
                     ["audio-1490105767-headset.flac", "audio-1490105767.flac"])],
    "test": [_entry(6469, "anything on your mind", "general", "quirky",
                    ["audio-1497887494-headset.flac", "audio-1497887494.flac"]),
             _entry(6470, "anything on your mind", "general", "quirky",
                    ["audio-1497887494.flac"])],  # the same file listed again: kept once
    "train_synthetic": [_entry(9054, "event reminder mona tuesday", "calendar", "set", ["audio--1234567890.flac"])],
}
SECONDS = {"audio-1502099775-headset": 1.0, "audio-1502099775": 1.5, "audio-1490356953-headset": 0.5,
           "audio-1490105767-headset": 2.0, "audio-1490105767": 0.0, "audio-1497887494-headset": 0.25,
           "audio-1497887494": 0.75}
METADATA = {"4489": {"nlub_id": 5027, "recordings": {
    "audio-1502099775-headset.flac": {"ansid": 17555, "recid": 43759, "status": "correct", "usrid": "FO-460"},
    "audio-1502099775.flac": {"ansid": 17555, "recid": 43759, "status": "correct", "usrid": "FO-460"}},
    "sentence_normalised": "wake me up at eight o'clock", "status": "correct", "userid_amt": "682"}}


def make_slurp(root: Path) -> Path:
    base = root / "slurp"
    text, real, synth = base / "dataset" / "slurp", base / "audio" / "slurp_real", base / "audio" / "slurp_synth"
    for d in (text, real, synth):
        d.mkdir(parents=True)
    for subset, lines in JSONL.items():
        (text / f"{subset}.jsonl").write_text("".join(lines), encoding="utf-8")
    (text / "metadata.json").write_text(json.dumps(METADATA, indent=4), encoding="utf-8")
    for stem, seconds in SECONDS.items():
        if seconds:
            sf.write(real / f"{stem}.flac", np.zeros(int(16000 * seconds), dtype=np.float32), 16000)
        else:
            (real / f"{stem}.flac").write_bytes(b"fLaC broken")
    sf.write(synth / "audio--1234567890.flac", np.zeros(8000, dtype=np.float32), 16000)
    return base


def test_slurp_reads_every_recording(tmp_path):
    make_slurp(tmp_path)
    rows = slurp.load(tmp_path)
    assert [r.id for r in rows] == list(SECONDS)
    assert [r.subset for r in rows] == ["train", "train", "train", "devel", "devel", "test", "test"]
    assert [r.label for r in rows] == ["alarm_set", "alarm_set", "iot_hue_lightup", "qa_currency", "qa_currency",
                                       "general_quirky", "general_quirky"]
    assert [r.speaker for r in rows] == ["FO-460", "FO-460", "", "", "", "", ""]
    assert [r.duration for r in rows] == list(SECONDS.values())
    assert rows[0].path.endswith("slurp/audio/slurp_real/audio-1502099775-headset.flac")
    with pytest.raises(BadAudioError, match="audio-1490105767.flac"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 6 and ok.skipped[0]["id"] == "audio-1490105767"

    synth = slurp.load(tmp_path, synthetic=True)
    assert synth[:-1] == rows
    last = synth[-1]
    assert (last.id, last.subset, last.label, last.speaker, last.duration) == (
        "audio--1234567890", "train_synthetic", "calendar_set", "synthetic", 0.5)


def test_slurp_errors_name_the_path_and_line(tmp_path):
    with pytest.raises(FileNotFoundError, match="SLURP not found.*--data-root"):
        slurp.load(tmp_path)
    base = make_slurp(tmp_path)
    (base / "dataset" / "slurp" / "devel.jsonl").unlink()
    with pytest.raises(FileNotFoundError, match="devel.jsonl not found"):
        slurp.load(tmp_path)
    (base / "dataset" / "slurp" / "devel.jsonl").write_text(JSONL["devel"][0] + '{"slurp_id": 1, "scenario": "qa"\n')
    with pytest.raises(ManifestError, match=r"devel.jsonl:2: not a SLURP entry"):
        slurp.load(tmp_path)
    (base / "dataset" / "slurp" / "devel.jsonl").write_text(_entry(5, "x", "qa", "", ["a.flac"]))
    with pytest.raises(ManifestError, match=r"devel.jsonl:1: empty scenario"):
        slurp.load(tmp_path)
    (base / "dataset" / "slurp" / "devel.jsonl").write_text("".join(JSONL["devel"]))
    (base / "dataset" / "slurp" / "metadata.json").write_text("[1, 2]")
    with pytest.raises(ManifestError, match="metadata.json: not SLURP metadata"):
        slurp.load(tmp_path)
    (base / "dataset" / "slurp" / "metadata.json").unlink()
    assert {r.speaker for r in slurp.load(tmp_path)} == {""}  # metadata.json is optional
    (base / "audio" / "slurp_synth" / "audio--1234567890.flac").unlink()
    (base / "audio" / "slurp_synth").rmdir()
    with pytest.raises(FileNotFoundError, match="slurp_synth not found"):
        slurp.load(tmp_path, synthetic=True)


def test_ic_slurp_task_selects_the_release_lists(tmp_path):
    make_slurp(tmp_path)
    task = load_task_file(TASKS / "ic-slurp.yaml")
    rows = slurp.load(tmp_path, **task.spec.dataset.args)
    assert task.name == "ic-slurp" and task.spec.kind == "utterance_classification"
    labels = make_kind(task).labels
    assert len(labels) == 60 and {r.label for r in rows} <= set(labels)
    picked = picked_ids(task, rows)
    ids = list(SECONDS)
    assert picked == {"train": ids[:3], "dev": ids[3:5], "test": ids[5:]}
