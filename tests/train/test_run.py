"""End to end on the toy suite with tiny backbones: results, predictions, skip-if-done, resume after kill -9."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from sure_bench.cli.main import main
from sure_bench.results.store import ResultError, existing_result, read_result


def run_cli(toy_suite, out: Path, *extra: str, method: str = "finetune", backbone: str = "tiny-whisper") -> int:
    data, tasks = toy_suite
    return main(["run", "--method", method, "--backbone", backbone, "--tasks-dir", str(tasks),
                 "--data-root", str(data), "--output", str(out), "--no-progress", *extra])


def test_linear_probe_on_real_whisper_learns_every_head(toy_suite, tmp_path, cache_dir):
    """The embedded whisper-tiny.en weights separate the toy tones: scores prove predictions line up. The
    toy budget's rate (1e-2) is too high for the default head on toy-slots; the search finds a better one."""
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--tasks", "toy-cls", "toy-slots", "toy-ctc", "--lr-grid", "1e-3", "1e-2",
                   method="linear", backbone="whisper-tiny.en") == 0
    expect = {"toy-cls": ("accuracy", 0.8), "toy-slots": ("accuracy", 0.8), "toy-ctc": ("cer", 0.5)}
    for task, (metric, bound) in expect.items():
        path = out / "whisper-tiny.en" / "linear" / task / "seed0.json"
        result = read_result(path)
        assert result.task.name == task and result.seed == 0 and len(result.task.spec_hash) == 16
        score = result.scores.test[metric]
        assert (score >= bound) if result.scores.higher_is_better else (score <= bound), (task, score)
        assert result.params.method_unfrozen == 0 and result.params.percent == 0 and result.params.head > 0
        assert result.backbone.params == 8208384 and len(result.backbone.weights_sha256) == 64
        assert result.train.steps > 0 and result.train.wall_s > 0
        assert result.run.lr_search.grid == [1e-3, 1e-2] and result.train.lr == result.run.lr_search.chosen
        assert sorted(p.name for p in (path.parent / "lr-search").iterdir()) == ["lr0.001.json", "lr0.01.json"]
        assert result.provenance.torch and result.provenance.device == "cpu"
        assert result.provenance.threads == torch.get_num_threads()
        preds = [json.loads(l) for l in (path.parent / result.predictions).read_text().splitlines()]
        assert len(preds) == result.data.sizes["test"] and {"id", "reference", "prediction"} <= set(preds[0])
        if metric == "accuracy":  # the saved predictions give the reported score
            assert sum(p["reference"] == p["prediction"] for p in preds) / len(preds) == score
    assert not (out / ".work" / "whisper-tiny.en" / "linear" / "toy-cls" / "seed0" / "checkpoints").exists()


def test_finetune_trains_backbone_and_counts_it(toy_suite, tmp_path, cache_dir):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--tasks", "toy-slots") == 0
    result = read_result(out / "tiny-whisper" / "finetune" / "toy-slots" / "seed0.json")
    assert result.params.method_unfrozen > 0 and 0 < result.params.percent < 100


def test_skip_if_done_and_overwrite(toy_suite, tmp_path, cache_dir, capsys):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--tasks", "toy-cls") == 0
    path = out / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json"
    first = path.stat().st_mtime_ns
    assert run_cli(toy_suite, out, "--tasks", "toy-cls") == 0
    assert path.stat().st_mtime_ns == first and "skip toy-cls seed 0: done" in capsys.readouterr().out
    assert run_cli(toy_suite, out, "--tasks", "toy-cls", "--overwrite") == 0
    assert path.stat().st_mtime_ns != first


def test_result_for_another_config_is_not_silently_skipped(toy_suite, tmp_path, cache_dir):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--tasks", "toy-cls") == 0
    path = out / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json"
    with pytest.raises(ResultError, match="pass --overwrite"):
        existing_result(path, "0" * 16, read_result(path).run.hash)
    with pytest.raises(ResultError, match="run configuration"):
        existing_result(path, read_result(path).task.spec_hash, "f" * 16)


def test_malformed_result_file_is_named(tmp_path):
    bad = tmp_path / "seed0.json"
    bad.write_text(json.dumps({"schema": 1, "seed": "zero"}))
    with pytest.raises(ResultError, match=r"seed0\.json: does not match the result schema: field 'task'"):
        read_result(bad)


def test_bad_method_and_task_give_clear_errors(toy_suite, tmp_path, capsys):
    data, tasks = toy_suite
    assert main(["run", "--method", "nope", "--tasks-dir", str(tasks), "--tasks", "toy-cls"]) == 2
    assert "unknown method 'nope'" in capsys.readouterr().err
    assert main(["run", "--method", "linear", "--tasks-dir", str(tasks), "--tasks", "toy-zzz"]) == 2
    assert "unknown task(s) ['toy-zzz']" in capsys.readouterr().err
    for method in ("linear", "probe"):  # a text-to-speech model is no speech encoder
        assert main(["run", "--method", method, "--backbone", "tiny-fastspeech", "--tasks-dir", str(tasks),
                     "--data-root", str(data), "--output", str(tmp_path / "out"), "--tasks", "toy-cls",
                     "--no-progress"]) == 2
        assert "needs a speech encoder backbone" in capsys.readouterr().err


def _cli(toy_suite, out: Path, cache: Path, tasks: Path | None = None) -> list[str]:
    data, toy_tasks = toy_suite
    tasks = tasks or toy_tasks
    return [sys.executable, "-m", "sure_bench.cli.main", "run", "--method", "finetune", "--backbone",
            "tiny-whisper", "--tasks-dir", str(tasks), "--data-root", str(data), "--output", str(out),
            "--tasks", "toy-cls", "--no-progress"]


@pytest.mark.parametrize("balanced", [False, True], ids=["length-grouped", "class-balanced"])
def test_kill_and_resume_gives_same_scores_and_predictions(toy_suite, tmp_path, balanced):
    """kill -9 after the first epoch's checkpoint; the rerun resumes and ends exactly like an uninterrupted run
    (with either training sampler)."""
    import shutil

    import yaml

    tasks = None
    if balanced:
        tasks = tmp_path / "tasks"
        shutil.copytree(toy_suite[1], tasks)
        spec = yaml.safe_load((tasks / "toy-cls.yaml").read_text())
        spec["budget"]["balanced_classes"] = True
        (tasks / "toy-cls.yaml").write_text(yaml.safe_dump(spec))
    env = {**os.environ, "SURE_BENCH_CACHE": str(tmp_path / "cache")}
    env.pop("CUDA_VISIBLE_DEVICES", None)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    subprocess.run(_cli(toy_suite, clean, tmp_path / "cache", tasks), env=env, check=True, capture_output=True)
    proc = subprocess.Popen(_cli(toy_suite, killed, tmp_path / "cache", tasks), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt_root = killed / ".work" / "tiny-whisper" / "finetune" / "toy-cls" / "seed0" / "checkpoints"
    deadline = time.time() + 120
    while time.time() < deadline and not list(ckpt_root.glob("checkpoint-*/trainer_state.json")):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(ckpt_root.glob("checkpoint-*")), "the run was killed before its first checkpoint"
    assert not (killed / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json").exists()
    subprocess.run(_cli(toy_suite, killed, tmp_path / "cache", tasks), env=env, check=True, capture_output=True)
    a = read_result(clean / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json")
    b = read_result(killed / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json")
    assert b.train.resumed_from is not None
    assert a.scores == b.scores
    assert a.train.test_loss == b.train.test_loss  # bit-identical weights, not just the same argmax
    pa = (clean / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.predictions.jsonl").read_text()
    pb = (killed / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.predictions.jsonl").read_text()
    assert pa == pb


def test_bad_audio_stops_the_run_or_is_skipped_and_recorded(toy_suite, tmp_path, cache_dir, capsys):
    import shutil

    data, tasks = toy_suite
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    bad = copy / "audio" / "cls_low_0.wav"
    bad.write_bytes(b"RIFF broken")
    args = ["run", "--method", "linear", "--backbone", "tiny-whisper", "--tasks-dir", str(tasks), "--tasks",
            "toy-cls", "--data-root", str(copy), "--output", str(tmp_path / "results"), "--no-progress"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "unreadable audio" in err and "--skip-bad-audio" in err
    assert main([*args, "--skip-bad-audio"]) == 0
    result = read_result(tmp_path / "results" / "tiny-whisper" / "linear" / "toy-cls" / "seed0.json")
    assert [s["id"] for s in result.data.skipped] == ["cls_low_0"]
    assert result.data.skipped[0]["split"] == "train" and "unreadable" in result.data.skipped[0]["reason"]
