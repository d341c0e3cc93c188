"""What is frozen is computed once and cached, and that changes no result: the head alone on a frozen encoder's
cached pooled states or frames; a method on its frozen front end's cached output."""

import json
from pathlib import Path

import pytest

from sure_bench.cli.main import main
from sure_bench.results.store import read_result


def _run(toy_suite, out: Path, backbone: str, task: str, *extra: str, method: str = "linear") -> int:
    data, tasks = toy_suite
    return main(["run", "--method", method, "--backbone", backbone, "--tasks-dir", str(tasks), "--data-root",
                 str(data), "--output", str(out), "--no-progress", "--tasks", task, "--lr", "3e-3", *extra])


@pytest.mark.parametrize("backbone, head, task, stored", [
    ("whisper-tiny.en", "layers", "toy-slots", "pooled"),  # intent-style: several slots, the general case
    ("tiny-wav2vec2-stable", "weighted", "toy-slots", "pooled"),
    ("whisper-tiny.en", "layers", "toy-ctc", "frames"),  # a CTC head trains on cached frames
])
def test_cached_and_uncached_give_the_same_scores_and_predictions(toy_suite, tmp_path, cache_dir, backbone, head,
                                                                  task, stored):
    """tiny-wav2vec2-stable has dropout in its frozen layers: they run in eval mode on both paths. (A
    group-normed wav2vec2 depends on padding, so its uncached scores depend on batch composition.)"""
    cached, direct = tmp_path / "cached", tmp_path / "direct"
    assert _run(toy_suite, cached, backbone, task, "--head", head) == 0
    assert list((cache_dir / "features" / stored).rglob("*.f32"))  # the cached path was taken
    assert _run(toy_suite, direct, backbone, task, "--head", head, "--no-feature-cache") == 0
    label = "linear" if head == "layers" else f"linear+{head}"
    a, b = (read_result(root / backbone / label / task / "seed0.json") for root in (cached, direct))
    assert a.run.hash == b.run.hash  # the cache is not part of what was trained
    assert a.scores.test == b.scores.test and a.train.steps == b.train.steps
    assert a.scores.dev == pytest.approx(b.scores.dev, abs=1e-9)
    assert a.train.test_loss == pytest.approx(b.train.test_loss, rel=1e-4)
    preds = [(root / backbone / label / task / "seed0.predictions.jsonl").read_text() for root in (cached, direct)]
    assert preds[0] == preds[1] and len(preds[0].splitlines()) == a.data.sizes["test"]
    assert json.loads(preds[0].splitlines()[0])["prediction"] or stored == "frames"


@pytest.mark.parametrize("method, backbone, task", [
    ("lora", "whisper-tiny.en", "toy-slots"),  # log-mel and the conv stem cached
    ("conv_adapter", "tiny-wav2vec2-stable", "toy-ctc"),  # the CNN cached; a temporal method, a CTC head
])
def test_methods_on_the_cached_front_end_give_the_same_scores_and_predictions(toy_suite, tmp_path, cache_dir,
                                                                              method, backbone, task):
    cached, direct = tmp_path / "cached", tmp_path / "direct"
    assert _run(toy_suite, cached, backbone, task, method=method) == 0
    assert list((cache_dir / "features" / "frontend").rglob("*.f32"))  # the cached path was taken
    assert _run(toy_suite, direct, backbone, task, "--no-feature-cache", method=method) == 0
    a, b = (read_result(root / backbone / method / task / "seed0.json") for root in (cached, direct))
    assert a.run.hash == b.run.hash
    assert a.scores.test == pytest.approx(b.scores.test, abs=1e-9) and a.train.steps == b.train.steps
    assert a.train.test_loss == pytest.approx(b.train.test_loss, rel=1e-3)
    preds = [(root / backbone / method / task / "seed0.predictions.jsonl").read_text() for root in (cached, direct)]
    assert preds[0] == preds[1]


@pytest.mark.parametrize("backbone, preset", [
    ("tiny-wav2vec2", "default"),  # group-normed CNN: a clip's output depends on what it is padded beside
    ("tiny-wav2vec2-stable", "with-frontend"),  # the method trains the front end
])
def test_the_front_end_is_not_cached_where_it_would_change_results(toy_suite, tmp_path, cache_dir, backbone, preset):
    assert _run(toy_suite, tmp_path / "out", backbone, "toy-slots", "--preset", preset, method="finetune") == 0
    assert not list((cache_dir / "features").rglob("*.f32"))
