"""`--method probe`: the closed-form reference probe on cached frozen features, written as a normal result."""

import json

from sure_bench.cli.main import main
from sure_bench.results.store import read_result


def test_probe_fits_on_cached_features_and_writes_normal_results(toy_suite, tmp_path, cache_dir, capsys):
    data, tasks = toy_suite
    out = tmp_path / "results"
    argv = ["run", "--method", "probe", "--tasks-dir", str(tasks), "--data-root", str(data), "--output", str(out),
            "--no-progress", "--tasks", "toy-cls", "toy-slots", "toy-ctc", "--seeds", "0", "1"]
    assert main(argv) == 0
    assert "skip toy-ctc: the probe is for the kinds" in capsys.readouterr().out
    assert not (out / "whisper-tiny.en" / "probe" / "toy-ctc").exists()
    for task in ("toy-cls", "toy-slots"):
        first, second = (read_result(out / "whisper-tiny.en" / "probe" / task / f"seed{s}.json") for s in (0, 1))
        assert first.scores.test["accuracy"] >= 0.8, (task, first.scores.test)
        assert first.scores.test == second.scores.test  # closed form: every seed gives the same fit
        assert first.run.label == "probe" and first.run.head == "probe" and first.run.lr_search is None
        assert first.train.probe_c in (0.01, 0.1, 1.0) and first.params.percent == 0 and first.params.head > 0
        preds = [json.loads(l) for l in (out / "whisper-tiny.en" / "probe" / task / first.predictions).open()]
        assert len(preds) == first.data.sizes["test"]
        assert sum(p["reference"] == p["prediction"] for p in preds) / len(preds) == first.scores.test["accuracy"]
    cached = sorted((cache_dir / "features" / "pooled").rglob("*.f32"))
    assert len(cached) == 6  # train, dev, test of two tasks, computed once
    stamps = [p.stat().st_mtime_ns for p in cached]
    assert main([*argv, "--overwrite"]) == 0  # refits from the cache: no feature is computed again
    assert [p.stat().st_mtime_ns for p in cached] == stamps


def test_probe_refuses_learning_rate_and_head_options(toy_suite, tmp_path, capsys):
    data, tasks = toy_suite
    assert main(["run", "--method", "probe", "--tasks-dir", str(tasks), "--data-root", str(data), "--output",
                 str(tmp_path), "--tasks", "toy-cls", "--lr", "1e-3"]) == 2
    assert "--method probe has no learning rate or head recipe" in capsys.readouterr().err
