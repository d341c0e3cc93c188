"""The tts kind end to end on a tiny espeak-ng tts-mini: pretrain the tiny model a few steps, adapt it to
the held-out voice with lora and with the speaker row alone, synthesize and score the test sentences; and
the floor: a method at its identity (lr 0) speaks exactly as the pretrained model in the initial voice."""

import copy
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
import yaml

from sure_bench.backbones.registry import load_backbone
from sure_bench.cli.main import main
from sure_bench.data.tts_corpus.build import build
from sure_bench.kinds import make_kind
from sure_bench.metrics.registry import compute
from sure_bench.methods.registry import load_method
from sure_bench.results.store import read_result
from sure_bench.run.runner import prepare_model
from sure_bench.submissions import check_result
from sure_bench.tasks.registry import all_tasks, load_task_file
from sure_bench.tts.pretrain import main as pretrain

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")

TARGET = "espeak-en-gb-x-rp-m7"  # a pretraining voice of the full corpus stands in for Piper joe
ARGS = {"max_per_voice": 2, "target": TARGET}
METRICS = {"mcd", "speaker_similarity", "speaker_id_accuracy", "tts_cer"}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """(data root, tasks folder, checkpoint): the corpus, a toy task over it, the tiny model pretrained."""
    root = tmp_path_factory.mktemp("tts-kind")
    manifest = build(root / "data", progress=False, workers=2, **ARGS)
    rows = list(csv.DictReader(manifest.open(newline="", encoding="utf-8")))
    pre = root / "pre" / "tts-mini"
    pre.mkdir(parents=True)
    with (pre / "manifest.csv").open("w", newline="", encoding="utf-8") as f:  # pretraining voices, split train
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "path": str(manifest.parent / r["path"]), "split": "train"}
                         for r in rows if r["split"] == "pretrain")
    ckpt = root / "tts.safetensors"
    assert pretrain(["--data-root", str(root / "pre"), "--out", str(ckpt), "--tiny", "--max-steps", "3",
                     "--batch-size", "2", "--seed", "0"]) == 0
    tasks = root / "tasks"
    tasks.mkdir()
    (tasks / "toy-tts.yaml").write_text(yaml.safe_dump({
        "task": "toy-tts", "version": 1, "kind": "tts", "description": "toy speaker adaptation",
        "dataset": {"loader": "tts_mini", "args": ARGS},
        "splits": {"train": {"subset": "adapt"}, "dev": {"subset": "dev"}, "test": {"subset": "test"}},
        "audio": {"sample_rate": 16000, "max_seconds": 20.0}, "speaker": TARGET,
        "budget": {"epochs": 1, "batch_size": 3, "patience": 0, "lr": {"finetune": 1e-4, "default": 1e-3},
                   "lr_grid": {"default": [1e-3], "finetune": [1e-4]}},
        "metrics": {"primary": "mcd", "also": ["speaker_similarity", "speaker_id_accuracy", "tts_cer"]}}))
    return root / "data", tasks, ckpt


@pytest.mark.parametrize("method", ["lora", "speaker_embedding"])
def test_tts_runs_end_to_end(setup, method, tmp_path, cache_dir):
    data, tasks, ckpt = setup
    out = tmp_path / "results"
    assert main(["run", "--method", method, "--backbone", str(ckpt), "--tasks-dir", str(tasks), "--data-root",
                 str(data), "--output", str(out), "--tasks", "toy-tts", "--seeds", "0", "--no-progress"]) == 0
    path = next(out.rglob("seed0.json"))
    result = read_result(path)
    assert result.task.kind == "tts" and result.scores.primary == "mcd" and not result.scores.higher_is_better
    assert set(result.scores.test) == METRICS and set(result.scores.dev) == METRICS
    assert result.scores.test["mcd"] > 0 and -1 <= result.scores.test["speaker_similarity"] <= 1
    preds = [json.loads(x) for x in path.with_name("seed0.predictions.jsonl").read_text().splitlines()]
    test_ids = {r["id"] for r in csv.DictReader((data / "tts-mini" / "manifest.csv").open()) if r["split"] == "test"}
    assert {p["id"] for p in preds} == test_ids
    for p in preds:
        wav = Path(p["prediction"])
        assert wav.parent == path.parent / "seed0.audio" and wav.name == f"{p['id']}.wav"
        audio, rate = sf.read(wav)
        assert rate == 16000 and len(audio) > 0 and np.isfinite(audio).all()
        assert Path(p["reference"]["audio"]).is_file() and p["reference"]["text"]
        assert p["utterance"]["mcd"] > 0 and isinstance(p["utterance"]["transcript"], str)
    mean_mcd = float(np.mean([p["utterance"]["mcd"] for p in preds]))
    assert mean_mcd == pytest.approx(result.scores.test["mcd"], abs=1e-3)  # the sentences' own scores add up
    assert set(result.scores.anchors) == {"floor", "ceiling"}  # the task's anchors, in every result
    assert check_result(path, all_tasks(tasks), result.method.config_hash, method) == []  # re-scored


def test_identity_adaptation_reproduces_the_pretrained_voice(setup, cache_dir):
    """lr 0: lora at its identity and the new row at its initial voice give the unadapted model's
    mels, hence its metrics, exactly."""
    data, tasks, ckpt = setup
    kind = make_kind(load_task_file(tasks / "toy-tts.yaml"), data)
    pristine = load_backbone(str(ckpt))
    method = load_method("lora")
    model, _ = prepare_model(copy.deepcopy(pristine), method, method.make_config(), kind, "default")
    assert kind.init_voice in pristine.model.config.speakers
    rows = [{"id": r.id, "audio": sf.read(r.path, dtype="float32")[0], "label": r.label}
            for r in kind._corpus() if r.speaker == TARGET and r.subset == "test"]
    batch = kind.collator()(rows)
    with torch.no_grad():
        adapted = model.eval()(**batch)["preds"]
        idx = torch.full((len(rows),), pristine.model.config.speakers.index(kind.init_voice))
        mel, lengths = pristine.model.eval().infer(batch["tokens"], batch["token_lengths"], idx)
    frames = torch.arange(mel.shape[1])[None, :] < lengths[:, None]
    assert torch.equal(adapted, mel.masked_fill(~frames[..., None], -100.0))
    ids, labels = [r["id"] for r in rows], [r["label"] for r in rows]

    def scores(mels):
        records = kind.predictions("test", ids, labels, mels.numpy())
        return compute(sorted(METRICS), [r["reference"] for r in records], [r["prediction"] for r in records])

    assert scores(adapted) == scores(mel.masked_fill(~frames[..., None], -100.0))


def test_results_carry_the_anchors_and_lr_zero_is_the_floor(setup, tmp_path, cache_dir):
    """Every result carries the task's floor (the unadapted model in the init voice) and ceiling (the
    target's recordings re-vocoded), computed once; training at lr 0 scores exactly the floor."""
    from rich.console import Console

    from sure_bench.run.anchors import anchors_path, task_anchors
    from sure_bench.run.cells import CellSpec, _options, resolve
    from sure_bench.run.runner import Cell, load_splits

    data, tasks, ckpt = setup
    spec = CellSpec(method="speaker_embedding", task="toy-tts", phase="train", seed=0, backbone=str(ckpt),
                    output=tmp_path / "results", tasks_dir=tasks, data_root=data, cache_dir=cache_dir,
                    show_progress=False)
    method, config, task, pristine, run = resolve(spec)
    opts = _options(spec, Console(quiet=True))
    kind = make_kind(task, data)
    splits, _ = load_splits(task, opts, kind)
    cell = Cell(run, method, config, task, kind, splits, pristine, opts)
    anchors = task_anchors(cell)
    assert set(anchors) == {"floor", "ceiling"} and all(set(a) == METRICS for a in anchors.values())
    # the real recordings through the mel -> Griffin-Lim path are far closer to themselves than a
    # 3-step model's speech is
    assert anchors["ceiling"]["mcd"] < anchors["floor"]["mcd"]
    assert anchors["ceiling"]["speaker_similarity"] > anchors["floor"]["speaker_similarity"]
    assert anchors_path(cell).is_file() and task_anchors(cell) == anchors  # computed once, then read
    outcome, _ = cell.train(0, 0.0, tmp_path / "work", "lr 0")
    assert outcome.test == anchors["floor"]
