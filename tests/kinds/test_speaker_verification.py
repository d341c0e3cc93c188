"""Speaker verification as a kind: metrics, the trial rule, trial files, and a run end to end."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from sure_bench.cli.main import main
from sure_bench.data.manifest import Utterance, write_manifest, write_split
from sure_bench.kinds import KindError, make_kind
from sure_bench.kinds.speaker_verification import hashed_pairs
from sure_bench.metrics.verification import eer, min_dcf
from sure_bench.results.store import read_result
from sure_bench.submissions import check_result
from sure_bench.tasks.registry import all_tasks, default_tasks_dir, load_task_file

T, N = "target", "nontarget"


def test_eer_and_min_dcf():
    assert eer([T, T, N, N], [0.9, 0.8, 0.2, 0.1]) == 0.0  # perfectly separated
    assert eer([T, T, N, N], [0.1, 0.2, 0.8, 0.9]) == 1.0  # perfectly wrong
    # one target below one nontarget of four each: 1 miss and 1 false accept at the crossing
    assert eer([T] * 4 + [N] * 4, [0.9, 0.8, 0.7, 0.35, 0.4, 0.3, 0.2, 0.1]) == pytest.approx(0.25)
    assert min_dcf([T, T, N, N], [0.9, 0.8, 0.2, 0.1]) == 0.0
    # accepting everything costs 0.99 of the normalising 0.01: minDCF caps at 1 (reject everything)
    assert min_dcf([T, T, N, N], [0.1, 0.2, 0.8, 0.9]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="both target and nontarget"):
        eer([T, T], [0.1, 0.2])
    with pytest.raises(ValueError, match="must be 'target' or 'nontarget'"):
        eer(["same", N], [0.1, 0.2])


def test_hashed_pairs_rule():
    ids = [f"u{i}" for i in range(30)]
    speakers = [f"s{i % 3}" for i in range(30)]
    texts = [str(i % 2) for i in range(30)]
    trials = hashed_pairs(ids, speakers, 2, texts)
    assert trials == hashed_pairs(list(reversed(ids)), list(reversed(speakers)), 2, list(reversed(texts)))
    where = dict(zip(ids, range(30)))
    for a, b, label in trials:
        assert (label == T) == (speakers[where[a]] == speakers[where[b]]) and texts[where[a]] == texts[where[b]]
    assert len({frozenset(t[:2]) for t in trials}) == len(trials)  # no pair twice
    every = {i: {T: 0, N: 0} for i in ids}
    for a, _, label in trials:
        every[a][label] += 1
    assert all(c[T] <= 2 and c[N] <= 2 for c in every.values()) and sum(c[T] for c in every.values()) >= 30


def test_committed_sv_fsdd_trials_follow_the_rule():
    task = all_tasks()["sv-fsdd"]
    for split in ("dev", "test"):
        rows = list(csv.DictReader(task.split_file(split).open()))
        ids = [r["id"] for r in rows]
        expected = hashed_pairs(ids, [r["label"] for r in rows], 2, [i.split("_")[0] for i in ids])
        committed = [(r["enrol"], r["test"], r["label"])
                     for r in csv.DictReader((task.root / f"splits/sv-fsdd/{split}-trials.csv").open())]
        assert committed == expected
    test_speakers = {r["label"] for r in csv.DictReader(task.split_file("test").open())}
    assert test_speakers == {"theo", "yweweler"} and not test_speakers & set(task.spec.labels)


def test_corpus_trial_list_is_read_and_bad_lines_are_named(tmp_path):
    spec = yaml.safe_load((default_tasks_dir() / "sv-voxceleb1.yaml").read_text())
    assert spec["trials"]["test"] == {"data_file": "voxceleb1/veri_test2.txt"}
    task = load_task_file(default_tasks_dir() / "sv-voxceleb1.yaml")
    (tmp_path / "voxceleb1").mkdir()
    lst = tmp_path / "voxceleb1" / "veri_test2.txt"
    lst.write_text("1 id10270/x6uYqmx31kE/00001.wav id10270/8jEAjG6SegY/00008.wav\n"
                   "0 id10270/x6uYqmx31kE/00001.wav id10300/ize_eiCFEg0/00003.wav\n"
                   "0 id10270/x6uYqmx31kE/00001.wav id10309/gone/00001.wav\n")
    kind = make_kind(task, tmp_path)
    ids = ["id10270-x6uYqmx31kE-00001", "id10270-8jEAjG6SegY-00008", "id10300-ize_eiCFEg0-00003"]
    assert kind.trials("test", ids, ["id10270", "id10270", "id10300"]) == [
        (ids[0], ids[1], T), (ids[0], ids[2], N)]  # a trial of an utterance the split lacks is dropped
    assert kind.references("test", set()) is None  # the corpus's list is not committed: re-scored from predictions
    lst.write_text("1 a.wav\n")
    with pytest.raises(KindError, match=r"veri_test2.txt:1: expected"):
        kind.trials("test", ids, ["id10270"] * 3)


def _voices(root: Path) -> tuple[Path, Path]:
    """Five tone 'speakers' (a pitch each, two 'texts' each): three train, two held out for test."""
    data, tasks = root / "data", root / "tasks"
    rng = np.random.default_rng(0)
    rows = []
    for s, f0 in enumerate([200.0, 300.0, 450.0, 650.0, 900.0]):
        for i in range(10):
            t = np.arange(int(16000 * (0.5 + 0.05 * (i % 3)))) / 16000
            wave = 0.4 * np.sin(2 * np.pi * f0 * (1 + 0.5 * (i % 2)) * t) + 0.03 * rng.standard_normal(len(t))
            path = data / "audio" / f"v{s}_{i}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            sf.write(path, wave.astype(np.float32), 16000)
            rows.append(Utterance(f"v{s}_{i}", f"audio/{path.name}", len(t) / 16000, f"v{s}", f"v{s}"))
    write_manifest(rows, data / "manifest.csv")
    train = [r for r in rows if r.label in ("v0", "v1", "v2") and int(r.id.split("_")[1]) >= 3]
    dev = [r for r in rows if r.label in ("v0", "v1", "v2") and int(r.id.split("_")[1]) < 3]
    test = [r for r in rows if r.label in ("v3", "v4")]
    for name, sel in (("train", train), ("dev", dev), ("test", test)):
        write_split(sel, tasks / "splits" / f"{name}.csv")
    spec = {"task": "toy-sv", "version": 1, "kind": "speaker_verification", "dataset": {"loader": "manifest"},
            "splits": {s: f"splits/{s}.csv" for s in ("train", "dev", "test")}, "audio": {"max_seconds": 2.0},
            "labels": ["v0", "v1", "v2"], "trials": {"dev": {"per_utterance": 2}, "test": {"per_utterance": 2}},
            "metrics": {"primary": "eer", "also": ["min_dcf"]},
            "budget": {"epochs": 3, "batch_size": 8, "patience": 0, "lr": {"finetune": 1e-3, "default": 1e-2},
                       "lr_grid": {"default": [1e-2]}}}
    (tasks / "toy-sv.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return data, tasks


def _run(root: Path, method: str) -> tuple[Path, Path]:
    """`sure-bench run --method <method>` on the toy voices; (tasks folder, the seed-0 result file)."""
    data, tasks = _voices(root)
    out = root / "results"
    argv = ["run", "--method", method, "--backbone", "tiny-whisper", "--tasks-dir", str(tasks), "--data-root",
            str(data), "--output", str(out), "--tasks", "toy-sv", "--seeds", "0", "--no-progress"]
    assert main(argv) == 0
    return tasks, out / "tiny-whisper" / method / "toy-sv" / "seed0.json"


def test_speaker_verification_runs_end_to_end_and_rescored(tmp_path, cache_dir):
    tasks, path = _run(tmp_path, "linear")
    result = read_result(path)
    assert result.task.kind == "speaker_verification" and not result.scores.higher_is_better
    assert set(result.scores.test) == {"eer", "min_dcf"} and 0 <= result.scores.test["eer"] <= 1
    preds = [json.loads(x) for x in path.with_name("seed0.predictions.jsonl").read_text().splitlines()]
    rows = list(csv.DictReader((tasks / "splits" / "test.csv").open()))
    expected = hashed_pairs([r["id"] for r in rows], [r["label"] for r in rows], 2)
    assert [p["id"] for p in preds] == [f"{a} {b}" for a, b, _ in expected]  # one record per trial
    assert all(p["reference"] in (T, N) and -1 <= p["prediction"] <= 1 for p in preds)
    # a submission's claim is re-scored from the predictions against the rule's committed-split trials
    tasks_by_name = all_tasks(tasks)
    assert check_result(path, tasks_by_name, result.method.config_hash, "linear") == []
    tampered = [{**p, "prediction": -1.0 if p["reference"] == T else 1.0} for p in preds]  # every trial wrong
    path.with_name("seed0.predictions.jsonl").write_text("".join(json.dumps(p) + "\n" for p in tampered))
    problems = check_result(path, tasks_by_name, result.method.config_hash, "linear")
    assert problems and "test eer claimed" in problems[0]


def test_the_reference_probe_of_verification_is_a_cosine_of_frozen_states(tmp_path, cache_dir):
    tasks, path = _run(tmp_path, "probe")
    result = read_result(path)
    assert result.params.head == 0 and result.train.probe_c is None  # nothing trains
    preds = [json.loads(x) for x in path.with_name("seed0.predictions.jsonl").read_text().splitlines()]
    assert len(preds) == len(hashed_pairs([r["id"] for r in csv.DictReader((tasks / "splits" / "test.csv").open())],
                                          [r["label"] for r in csv.DictReader((tasks / "splits" / "test.csv").open())], 2))
    assert check_result(path, all_tasks(tasks), result.method.config_hash, "probe") == []
