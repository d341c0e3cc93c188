"""Shared fixtures: a toy task suite of synthetic tones, built in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from sure_bench.data.manifest import Utterance, write_manifest, write_split

REPO = Path(__file__).resolve().parents[1]
FSDD = REPO.parent / "shared" / "data" / "fsdd"

TONES = {"low": 220.0, "mid": 440.0, "high": 880.0}
WORDS = {"ab": [330.0, 660.0], "ba": [660.0, 330.0], "aa": [330.0, 330.0]}


def _tone(freqs: list[float], seconds: float, rng: np.random.Generator) -> np.ndarray:
    parts = []
    for f in freqs:
        t = np.arange(int(16000 * seconds / len(freqs))) / 16000
        parts.append(0.5 * np.sin(2 * np.pi * f * t))
    wave = np.concatenate(parts) + 0.05 * rng.standard_normal(sum(len(p) for p in parts))
    return wave.astype(np.float32)


def make_toy_suite(root: Path, n_per_class: int = 12) -> tuple[Path, Path]:
    """Write audio + manifest under root/data and task YAMLs + splits under root/tasks."""
    data, tasks = root / "data", root / "tasks"
    rng = np.random.default_rng(0)
    rows: dict[str, list[Utterance]] = {"cls": [], "ctc": [], "slots": []}
    for i in range(n_per_class):
        for label, f in TONES.items():
            dur = 0.5 + 0.1 * (i % 4)
            p = data / "audio" / f"cls_{label}_{i}.wav"
            p.parent.mkdir(parents=True, exist_ok=True)
            sf.write(p, _tone([f * (1 + 0.01 * i)], dur, rng), 16000)
            rows["cls"].append(Utterance(p.stem, str(p), dur, label, f"spk{i % 3}"))
        for label, fs in WORDS.items():
            p = data / "audio" / f"ctc_{label}_{i}.wav"
            sf.write(p, _tone(fs, 0.6 + 0.1 * (i % 3), rng), 16000)
            rows["ctc"].append(Utterance(p.stem, str(p), 0.6, label, f"spk{i % 3}"))
            slot_label = f"{'on' if label[0] == 'a' else 'off'}|{'lamp' if label[1] == 'b' else 'fan'}"
            rows["slots"].append(Utterance(f"slots_{label}_{i}", str(p), 0.6, slot_label, f"spk{i % 3}"))
    all_rows = [Utterance(r.id, str(Path(r.path).relative_to(data)), r.duration, r.label, r.speaker)
                for r in rows["cls"] + rows["ctc"] + rows["slots"]]
    write_manifest(all_rows, data / "manifest.csv")  # relative paths: the folder can move
    base = {
        "version": 1, "dataset": {"loader": "manifest"},
        "audio": {"max_seconds": 2.0},
        "budget": {"epochs": 6, "batch_size": 4, "patience": 2, "lr": {"finetune": 1e-3, "default": 1e-2},
                   "lr_grid": {"finetune": [1e-3], "default": [1e-2]}},  # one point: no search unless asked
    }
    specs = {
        "toy-cls": {"kind": "utterance_classification", "labels": list(TONES),
                    "metrics": {"primary": "accuracy", "also": ["macro_f1"], "higher_is_better": True}},
        "toy-ctc": {"kind": "ctc_asr", "vocab": "vocab/toy-ctc.txt",
                    "metrics": {"primary": "cer", "also": ["wer"], "higher_is_better": False}},
        "toy-slots": {"kind": "multi_slot_classification", "slots": {"power": ["on", "off"], "device": ["lamp", "fan"]},
                      "metrics": {"primary": "accuracy", "also": ["slot_accuracy"], "higher_is_better": True}},
    }
    (tasks / "vocab").mkdir(parents=True, exist_ok=True)
    (tasks / "vocab" / "toy-ctc.txt").write_text("a\nb\n|\n")
    for name, extra in specs.items():
        r = rows[name.split("-")[1]]  # ordered by take i, then label: 3 labels per take
        take = [j // 3 for j in range(len(r))]
        splits = {"train": [x for x, i in zip(r, take) if i < n_per_class - 4],
                  "dev": [x for x, i in zip(r, take) if n_per_class - 4 <= i < n_per_class - 2],
                  "test": [x for x, i in zip(r, take) if i >= n_per_class - 2]}
        for s, sel in splits.items():
            write_split(sel, tasks / "splits" / name / f"{s}.csv")
        spec = {**base, **extra, "task": name,
                "splits": {s: f"splits/{name}/{s}.csv" for s in ("train", "dev", "test")}}
        (tasks / f"{name}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    (tasks / "suites").mkdir(exist_ok=True)
    (tasks / "suites" / "toy.yaml").write_text(yaml.safe_dump({"tasks": list(specs)}))
    return data, tasks


@pytest.fixture(scope="session")
def toy_suite(tmp_path_factory) -> tuple[Path, Path]:
    """(data_root, tasks_dir) of a three-task toy suite: tones, tone 'words' for CTC, two slots."""
    return make_toy_suite(tmp_path_factory.mktemp("toy"))


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SURE_BENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"
