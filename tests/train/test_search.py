"""The learning-rate search and the run identity, end to end on the toy suite with a tiny backbone."""

import json
from pathlib import Path

import pytest

from sure_bench.cli.main import main
from sure_bench.results.schema import ExploredPoint, LRPoint
from sure_bench.results.store import read_result
from sure_bench.run.search import SearchError, choose


def run_cli(toy_suite, out: Path, *extra: str, method: str = "linear") -> int:
    data, tasks = toy_suite
    return main(["run", "--method", method, "--backbone", "tiny-whisper", "--tasks-dir", str(tasks),
                 "--data-root", str(data), "--output", str(out), "--no-progress", "--tasks", "toy-cls", *extra])


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def test_search_explores_every_point_trains_seeds_at_the_choice_and_reruns_nothing(toy_suite, tmp_path, cache_dir,
                                                                                  capsys):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--seeds", "0", "1", "--lr-grid", "1e-2", "1e-4") == 0
    cell = out / "tiny-whisper" / "linear" / "toy-cls"
    points = {p.name: ExploredPoint.model_validate_json(p.read_text()) for p in (cell / "lr-search").iterdir()}
    assert sorted(points) == ["lr0.0001.json", "lr0.01.json"]
    for record in points.values():  # explored on the first seed for round(6 * 0.25) = 2 epochs
        assert record.seed == 0 and record.epochs == 2 and record.point.status == "ok"
        assert record.point.steps > 0 and record.point.wall_s > 0 and record.point.dev is not None
    results = [read_result(cell / f"seed{s}.json") for s in (0, 1)]
    best = choose([r.point for r in points.values()], True, "toy-cls")
    for r in results:
        assert r.run.lr_search.grid == [1e-4, 1e-2] and r.run.lr_search.chosen == best == r.train.lr
        assert r.run.lr_search.explore_fraction == 0.25 and len(r.run.lr_search.points) == 2
        assert r.train.head_lr == r.train.lr  # the head trains at the searched rate beside linear
        assert r.run.label == "linear" and r.run.config["lr_grid"] == [1e-4, 1e-2]
        assert r.train.epochs > 2  # the seeds train on the full budget, not the explore one
    assert results[0].run.hash == results[1].run.hash
    before = _mtimes(cell)
    capsys.readouterr()
    assert run_cli(toy_suite, out, "--seeds", "0", "1", "--lr-grid", "1e-2", "1e-4") == 0
    assert _mtimes(cell) == before  # nothing explored or trained again
    said = capsys.readouterr().out
    assert "skip toy-cls seed 0: done" in said and "skip toy-cls seed 1: done" in said


def test_a_diverging_point_is_recorded_as_failed_and_the_run_goes_on(toy_suite, tmp_path, cache_dir):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--lr-grid", "1e-2", "1e30") == 0
    r = read_result(out / "tiny-whisper" / "linear" / "toy-cls" / "seed0.json")
    failed = [p for p in r.run.lr_search.points if p.lr == 1e30][0]
    assert failed.status == "failed" and "nan" in failed.reason.lower() and failed.dev is None
    assert r.run.lr_search.chosen == r.train.lr == 1e-2


def test_every_point_failing_is_a_clear_error(toy_suite, tmp_path, cache_dir, capsys):
    assert run_cli(toy_suite, tmp_path / "results", "--lr-grid", "1e30", "1e31") == 2
    err = capsys.readouterr().err
    assert "toy-cls: every explored learning rate failed" in err and "--lr-grid" in err


def test_another_head_lands_in_its_own_folder_with_its_own_run_hash(toy_suite, tmp_path, cache_dir):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out) == 0
    assert run_cli(toy_suite, out, "--layer-weights") == 0
    assert run_cli(toy_suite, out, "--head", "last") == 0
    base = out / "tiny-whisper"
    plain, weighted, last = (read_result(base / f / "toy-cls" / "seed0.json")
                             for f in ("linear", "linear+weighted", "linear+last"))
    assert (plain.run.head, weighted.run.head, last.run.head) == ("layers", "weighted", "last")
    assert len({plain.run.hash, weighted.run.hash, last.run.hash}) == 3
    assert weighted.params.layer_weights == 3 and plain.params.layer_weights == 0  # tiny-whisper: 2 layers + input
    assert plain.params.head > last.params.head  # every layer concatenated feeds the projection


def test_a_fixed_rate_records_no_search(toy_suite, tmp_path, cache_dir):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--lr", "3e-3") == 0
    r = read_result(out / "tiny-whisper" / "linear" / "toy-cls" / "seed0.json")
    assert r.run.lr_search is None and r.train.lr == 3e-3 and r.run.config["lr_grid"] == [3e-3]
    assert not (out / "tiny-whisper" / "linear" / "toy-cls" / "lr-search").exists()


@pytest.mark.parametrize("args, message", [
    (["--head", "nope"], "unknown head recipe 'nope'"),
    (["--lr", "-1"], "learning rates must be > 0"),
    (["--head", "last", "--layer-weights"], "--layer-weights means --head weighted"),
])
def test_bad_run_options_are_named(toy_suite, tmp_path, capsys, args, message):
    assert run_cli(toy_suite, tmp_path / "results", *args) == 2
    assert message in capsys.readouterr().err


def test_choose_prefers_best_dev_then_smaller_rate_and_never_a_failed_point():
    pts = [LRPoint(lr=1e-3, status="ok", dev=0.5), LRPoint(lr=1e-2, status="ok", dev=0.7),
           LRPoint(lr=3e-3, status="ok", dev=0.7), LRPoint(lr=1e-1, status="failed", reason="nan")]
    assert choose(pts, True, "t") == 3e-3
    assert choose(pts, False, "t") == 1e-3  # error rates: lower is better
    with pytest.raises(SearchError, match="t: every explored learning rate failed"):
        choose([LRPoint(lr=1.0, status="failed", reason="nan")], True, "t")
