"""The leaderboard on hand-made result files: normalisation, error rates, ranks and ties, incomplete
methods, malformed files and stale spec hashes."""

import json
import math
from pathlib import Path

import pytest

from sure_bench.cli.main import main
from sure_bench.report.collect import collect
from sure_bench.metrics.registry import Metric, get_metric
from sure_bench.report.leaderboard import build_boards, normalised, pareto, rank_with_ties
from sure_bench.results.schema import (BackboneInfo, DataInfo, MethodInfo, Params, Provenance, Result, RunInfo,
                                       Scores, TaskInfo, TrainSummary)
from sure_bench.results.store import method_label, result_path, write_result

TASKS = {"acc-task": ("accuracy", True), "wer-task": ("wer", False), "fold-a": ("accuracy", True),
         "fold-b": ("accuracy", True), "tts-task": ("mcd", False)}


def make(root: Path, method: str, task: str, seed: int, score: float, percent: float = 1.0,
         spec_hash: str = "a" * 16, date: str = "2026-11-27T00:00:00+00:00", preset: str = "default",
         run_hash: str | None = "r" * 16, label: str | None = None, also: dict | None = None,
         anchors: dict | None = None) -> Path:
    """A result file; `run_hash=None` writes a schema-1 result (no run block, from before the protocol)."""
    metric, hib = TASKS[task]
    run = None if run_hash is None else RunInfo(hash=run_hash, label=label or method_label(method, preset),
                                                head="linear", config={}, lr_search=None)
    r = Result(
        schema_=1 if run is None else 2, run=run,
        task=TaskInfo(name=task, version=1, spec_hash=spec_hash, kind="x", dataset="toy"),
        method=MethodInfo(name=method, preset=preset, config={}, config_hash="c" * 16),
        backbone=BackboneInfo(name="bb", weights_sha256="0" * 64, params=1000),
        params=Params(backbone_total=1000, method_added=int(percent * 10), method_unfrozen=0, head=5,
                      layer_weights=0, percent=percent),
        seed=seed,
        scores=Scores(dev={metric: score}, test={metric: score, **(also or {})}, primary=metric,
                      higher_is_better=hib, anchors=anchors),
        train=TrainSummary(epochs=1, steps=1, best_step=1, lr=1e-3, head_lr=1e-3, batch_size=1, wall_s=1,
                           peak_rss_mb=1, samples_per_s=1),
        data=DataInfo(sizes={"train": 10, "dev": 2, "test": 4}),
        provenance=Provenance(sure_bench="0", git_commit="x", torch="x", transformers="x", python="x",
                              platform="x", device="cpu", date=date),
        predictions=f"seed{seed}.predictions.jsonl",
    )
    path = result_path(root, "bb", method, preset, task, seed)
    write_result(path, r)
    return path


def board(root: Path | list[Path], current=None):
    (b,) = build_boards(collect(root).frame, current)
    return b


def test_normalisation_and_error_rates():
    assert normalised(0.5, 0.8, get_metric("accuracy")) == pytest.approx(62.5)
    assert normalised(0.4, 0.2, get_metric("wer")) == pytest.approx(100 * 0.6 / 0.8)  # WER turned around as 1 - WER
    assert math.isnan(normalised(0.4, None, get_metric("accuracy")))
    db = Metric("mcd", lambda r, h: 0.0, higher_is_better=False, upper=None)  # unbounded, lower better (dB)
    assert normalised(8.0, 6.0, db) == pytest.approx(75.0)  # 6 dB reference / 8 dB: never 1 - x
    assert normalised(0.1, 0.2, get_metric("eer")) == pytest.approx(100 * 0.9 / 0.8)


def test_table_scores_ranks_and_normalised_average(tmp_path):
    for seed, (ft, lin) in enumerate([(0.90, 0.60), (0.80, 0.62), (0.85, 0.61)]):
        make(tmp_path, "finetune", "acc-task", seed, ft, percent=100)
        make(tmp_path, "linear", "acc-task", seed, lin, percent=0)
        make(tmp_path, "finetune", "wer-task", seed, 0.20, percent=100)
        make(tmp_path, "linear", "wer-task", seed, 0.60, percent=0)
    b = board(tmp_path)
    assert b.cells[("finetune", "acc-task")]["mean"] == pytest.approx(0.85)
    assert b.cells[("finetune", "acc-task")]["std"] == pytest.approx(0.05)
    assert b.cells[("linear", "wer-task")]["rank"] == 2  # higher WER ranks lower
    lin = b.rows.loc["linear"]
    assert lin.norm == pytest.approx((100 * 0.61 / 0.85 + 100 * 0.4 / 0.8) / 2)
    assert b.rows.loc["finetune"].norm == pytest.approx(100)
    assert b.rows.loc["finetune"].avg_rank == 1 and lin.avg_rank == 2
    assert b.rows.loc["finetune"].per_percent == pytest.approx(1.0)


def test_overlapping_intervals_share_a_rank():
    cells = {"a": {"mean": 0.80, "n": 3, "scores": [0.70, 0.80, 0.90]},
             "b": {"mean": 0.78, "n": 3, "scores": [0.75, 0.78, 0.81]},
             "c": {"mean": 0.30, "n": 3, "scores": [0.29, 0.30, 0.31]}}
    assert rank_with_ties(cells, True) == {"a": 1, "b": 1, "c": 3}
    two_seeds = {k: {**v, "n": 2, "scores": v["scores"][:2]} for k, v in cells.items()}
    assert rank_with_ties(two_seeds, True)["b"] == 2  # fewer than 3 seeds: a plain order


def test_incomplete_method_is_never_averaged(tmp_path):
    make(tmp_path, "finetune", "acc-task", 0, 0.9)
    make(tmp_path, "finetune", "wer-task", 0, 0.2)
    make(tmp_path, "lora", "acc-task", 0, 0.95)
    b = board(tmp_path)
    row = b.rows.loc["lora"]
    assert not row.complete and row.missing == ["wer-task"] and math.isnan(row.norm)
    md_path = tmp_path / "lb.md"
    assert main(["report", str(tmp_path), "--out", str(md_path), "--tables", str(tmp_path / "t")]) == 0
    text = md_path.read_text()
    assert "missing" in text and "incomplete" in text


def test_tables_go_beside_the_markdown_named_after_it(tmp_path, monkeypatch):
    make(tmp_path / "results", "finetune", "acc-task", 0, 0.9)
    monkeypatch.chdir(tmp_path)  # a `leaderboard/` here would be the old, wrong place
    out = tmp_path / "boards" / "x.md"
    assert main(["report", str(tmp_path / "results"), "--out", str(out)]) == 0
    assert out.is_file() and sorted(p.name for p in (out.parent / "x").iterdir()) == ["leaderboard.csv",
                                                                                        "leaderboard.json"]
    assert not (tmp_path / "leaderboard").exists()
    assert main(["report", str(tmp_path / "results")]) == 0  # the default: leaderboard.md + leaderboard/
    assert (tmp_path / "leaderboard.md").is_file() and (tmp_path / "leaderboard" / "leaderboard.csv").is_file()


def test_malformed_files_are_reported_and_skipped(tmp_path, capsys):
    make(tmp_path, "finetune", "acc-task", 0, 0.9)
    bad = tmp_path / "bb" / "broken" / "acc-task" / "seed0.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    wrong = tmp_path / "bb" / "wrong" / "acc-task" / "seed0.json"
    wrong.parent.mkdir(parents=True)
    wrong.write_text(json.dumps({"schema": 1, "seed": 0}))
    c = collect(tmp_path)
    assert len(c.results) == 1 and len(c.malformed) == 2
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "lb.md"), "--tables", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "skipped" in out and "broken" in out and "wrong" in out


def test_stale_spec_hashes_are_listed_not_mixed(tmp_path):
    make(tmp_path, "finetune", "acc-task", 0, 0.5, spec_hash="old" + "0" * 13, date="2026-01-01T00:00:00+00:00")
    make(tmp_path, "finetune", "acc-task", 1, 0.9, spec_hash="new" + "0" * 13, date="2026-02-01T00:00:00+00:00")
    b = board(tmp_path)
    assert b.cells[("finetune", "acc-task")]["n"] == 1 and b.cells[("finetune", "acc-task")]["mean"] == 0.9
    assert list(b.stale["seed"]) == [0]
    b2 = board(tmp_path, current={"acc-task": "old" + "0" * 13})  # the task files decide what is current
    assert b2.cells[("finetune", "acc-task")]["mean"] == 0.5


def test_pareto_frontier():
    assert pareto({"a": (100, 100), "b": (90, 1), "c": (80, 2), "d": (50, 0)}) == {"a", "b", "d"}


def test_report_is_deterministic_and_writes_exports(tmp_path):
    for seed in range(3):
        make(tmp_path / "r", "finetune", "acc-task", seed, 0.8 + seed / 100, percent=100)
        make(tmp_path / "r", "bottleneck", "acc-task", seed, 0.7 + seed / 100, percent=1)
    args = ["report", str(tmp_path / "r"), "--out", str(tmp_path / "out" / "leaderboard.md"),
            "--tables", str(tmp_path / "out"), "--plots", str(tmp_path / "plots")]
    assert main(args) == 0
    first = (tmp_path / "out" / "leaderboard.md").read_text()
    assert main(args) == 0
    assert (tmp_path / "out" / "leaderboard.md").read_text() == first
    assert "Generated by `sure-bench report" in first.splitlines()[0]
    assert (tmp_path / "out" / "leaderboard.csv").is_file() and (tmp_path / "out" / "leaderboard.json").is_file()
    assert (tmp_path / "plots" / "bb-pareto.png").stat().st_size > 1000


def test_report_never_imports_torch():
    import subprocess
    import sys

    code = ("import sys; import sure_bench.report.collect, sure_bench.report.leaderboard, "
            "sure_bench.report.render, sure_bench.report.plots; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_suite_average_groups_report_folds_as_one_column(tmp_path):
    tasks = tmp_path / "tasks"
    (tasks / "suites").mkdir(parents=True)
    (tasks / "suites" / "cv.yaml").write_text("tasks: [fold-a, fold-b, wer-task]\naverage: {acc: [fold-a, fold-b]}\n")
    root = tmp_path / "results"
    for seed in (0, 1):
        make(root, "finetune", "fold-a", seed, 0.8 + 0.1 * seed, percent=100)
        make(root, "finetune", "fold-b", seed, 0.6, percent=100)
        make(root, "finetune", "wer-task", seed, 0.2, percent=100)
        make(root, "linear", "fold-a", seed, 0.5, percent=0)
        make(root, "linear", "wer-task", seed, 0.5, percent=0)
    make(root, "linear", "fold-b", 0, 0.3, percent=0)  # linear has fold-b for seed 0 only
    out = tmp_path / "board"
    assert main(["report", str(root), "--suite", "cv", "--tasks-dir", str(tasks), "--out", str(out / "lb.md"),
                 "--tables", str(out)]) == 0
    text = (out / "lb.md").read_text()
    assert "fold-a" not in text and "| acc " in text and "toy (mean of 2 folds)" in text
    data = json.loads((out / "leaderboard.json").read_text())
    cells = {(c["method"], c["task"]): c for c in data}
    assert cells[("finetune", "acc")]["mean"] == pytest.approx((0.7 + 0.75) / 2) and cells[("finetune", "acc")]["n"] == 2
    assert cells[("linear", "acc")]["mean"] == pytest.approx(0.4)
    assert cells[("linear", "acc")]["n"] == 1  # seed 1 lacks a fold: no group score for it


def test_anchored_tasks_show_every_metric_and_the_gain_from_floor_to_ceiling(tmp_path):
    anchors = {"floor": {"mcd": 8.0, "speaker_similarity": 0.6}, "ceiling": {"mcd": 4.0, "speaker_similarity": 0.9}}
    root = tmp_path / "r"
    for seed, (mcd, sim) in enumerate([(6.0, 0.70), (6.2, 0.72), (5.8, 0.68)]):
        make(root, "lora", "tts-task", seed, mcd, also={"speaker_similarity": sim}, anchors=anchors)
        make(root, "speaker_embedding", "tts-task", seed, 7.9, percent=0, also={"speaker_similarity": 0.61},
             anchors=anchors)
    make(root, "lora", "acc-task", 0, 0.5)  # no anchors: not in the section
    out = tmp_path / "out"
    assert main(["report", str(root), "--out", str(out / "lb.md"), "--tables", str(out)]) == 0
    text = (out / "lb.md").read_text()
    section = text.split("### Anchored tasks")[1].split("### Validity")[0]
    assert "#### tts-task" in section and "acc-task" not in section
    lines = {line.split("|")[1].strip(): line for line in section.splitlines() if line.startswith("| ")}
    # lora: mcd 6.0 is half way from 8 to 4; similarity 0.70 is a third of the way from 0.6 to 0.9
    assert "6.000 ± 0.200 (3)" in lines["lora"] and "| 50 %" in lines["lora"] and "| 33 %" in lines["lora"]
    assert "| 2 %" in lines["speaker_embedding"] and "| 3 %" in lines["speaker_embedding"]
    assert "8.000" in lines["*floor*"] and "0.900" in lines["*ceiling*"]
