"""Run identity (one row per run hash, schema-1 results unranked), the below-probe marker, and the validity
figures on hand-made results with known numbers."""

import json
import math

import pandas as pd
import pytest

from sure_bench.cli.main import main
from sure_bench.report.collect import COLUMNS, collect
from sure_bench.report.leaderboard import build_boards
from sure_bench.report.render import display_table, markdown
from sure_bench.report.validity import NARROW, SATURATES, TIED, validity, validity_table

from test_report import board, make

H1, H2 = "1" * 8 + "a" * 8, "2" * 8 + "b" * 8


def test_two_run_hashes_of_one_label_are_two_rows_never_averaged(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for seed, (x, y) in enumerate([(0.60, 0.80), (0.70, 0.90)]):
        make(a, "finetune", "acc-task", seed, 0.95, percent=100)
        make(a, "linear", "acc-task", seed, x, percent=0, run_hash=H1)
        make(b, "linear", "acc-task", seed, y, percent=0, run_hash=H2)
    make(a, "linear", "wer-task", 0, 0.5, run_hash=H1, label="linear+weighted")  # hashes differ on other tasks
    make(tmp_path / "c", "linear", "acc-task", 0, 0.4, run_hash=H2, label="linear+weighted")
    bd = board([a, b, tmp_path / "c"])
    assert sorted(bd.rows.index) == ["finetune", "linear (run 11111111)", "linear (run 22222222)",
                                     "linear+weighted (run 11111111)", "linear+weighted (run 22222222)"]
    assert bd.cells[("linear (run 11111111)", "acc-task")]["mean"] == pytest.approx(0.65)
    assert bd.cells[("linear (run 22222222)", "acc-task")]["mean"] == pytest.approx(0.85)
    assert bd.cells[("linear (run 11111111)", "acc-task")]["n"] == 2
    assert ("linear+weighted (run 22222222)", "wer-task") not in bd.cells
    assert bd.cells[("linear+weighted (run 11111111)", "wer-task")]["mean"] == pytest.approx(0.5)
    assert bd.rows.loc["linear (run 22222222)", "run_hash"] == H2
    assert bd.stale.empty


def test_one_run_hash_keeps_the_plain_label(tmp_path):
    make(tmp_path, "lora", "acc-task", 0, 0.7, preset="houlsby", run_hash=H1)
    make(tmp_path, "linear", "acc-task", 0, 0.6, run_hash=H2, label="linear+weighted")
    assert sorted(board(tmp_path).rows.index) == ["linear+weighted", "lora@houlsby"]


def test_schema1_results_are_stale_not_ranked(tmp_path):
    new, old = tmp_path / "new", tmp_path / "old"
    make(new, "finetune", "acc-task", 0, 0.9, run_hash=H1)
    make(old, "finetune", "acc-task", 0, 0.1, run_hash=None, date="2027-01-01T00:00:00+00:00")  # newer, still out
    old_linear = make(old, "linear", "acc-task", 0, 0.5, run_hash=None)
    c = collect([new, old])
    assert c.frame["run_hash"].isna().sum() == 2 and (c.frame["label"] == "linear").sum() == 1
    (bd,) = build_boards(c.frame)
    assert list(bd.rows.index) == ["finetune"]
    assert bd.cells[("finetune", "acc-task")]["mean"] == 0.9 and bd.cells[("finetune", "acc-task")]["n"] == 1
    assert sorted(bd.stale["seed"]) == [0, 0] and str(old_linear) in set(bd.stale["path"])
    text = markdown(c, [bd], "sure-bench report", "0")
    section = text.split("### Results from before the fair protocol (fixed learning rate, earlier head; not ranked)")
    assert len(section) == 2 and f"- `{old_linear.parent}/`: seeds 0" in section[1]
    assert "### Stale results (older task spec" not in text
    assert "| linear" not in text


def test_backbone_with_only_schema1_results_still_lists_them(tmp_path):
    old = make(tmp_path, "linear", "acc-task", 0, 0.5, run_hash=None)
    (bd,) = build_boards(collect(tmp_path).frame)
    assert bd.rows.empty and list(bd.stale["path"]) == [str(old)]
    out = tmp_path / "out"
    assert main(["report", str(tmp_path), "--out", str(out / "lb.md"), "--tables", str(out),
                 "--plots", str(out / "plots")]) == 0
    text = (out / "lb.md").read_text()
    assert "No results under the fair protocol yet" in text and f"- `{old.parent}/`: seeds 0" in text.split("before the fair")[1]


def test_below_probe_marker_exactly_on_cells_below_the_probe(tmp_path):
    for seed in range(3):
        make(tmp_path, "probe", "acc-task", seed, 0.70, percent=0)
        make(tmp_path, "probe", "wer-task", seed, 0.40, percent=0)
        make(tmp_path, "finetune", "acc-task", seed, 0.90, percent=100)
        make(tmp_path, "finetune", "wer-task", seed, 0.20, percent=100)
        make(tmp_path, "linear", "acc-task", seed, 0.60, percent=0)
        make(tmp_path, "linear", "wer-task", seed, 0.50, percent=0)  # higher WER: below the probe
        make(tmp_path, "lora", "acc-task", seed, 0.75, percent=1)
        make(tmp_path, "lora", "wer-task", seed, 0.45, percent=1)
    make(tmp_path, "finetune", "fold-a", 0, 0.5, percent=100)  # no probe on this task
    bd = board(tmp_path)
    expected = {("linear", "acc-task"), ("linear", "wer-task"), ("lora", "wer-task")}
    for (row, task), cell in bd.cells.items():
        assert cell["below_probe"] is (None if task == "fold-a" else (row, task) in expected), (row, task)
    shown = display_table(bd).set_index("method")
    shown.index = [m.removesuffix(" ★") for m in shown.index]
    marked = {(m, t) for m in shown.index for t in bd.tasks if shown.loc[m, t].endswith(" ▽")}
    assert marked == expected
    assert shown.loc["probe", "acc-task"] == "0.700 ± 0.000 (3) #3"  # the probe is shown like any method

    out = tmp_path / "out"
    assert main(["report", str(tmp_path), "--out", str(out / "lb.md"), "--tables", str(out)]) == 0
    text = (out / "lb.md").read_text()
    assert "▽: below the frozen reference probe (`probe`: logistic regression on the frozen encoder's pooled " \
           "layers)" in text
    assert text.count(" ▽ |") == 3
    assert text.index("### Tasks") < text.index("### Validity")
    validity_section = text.split("### Validity")[1]
    assert "| acc-task " in validity_section and " 0.700 " in validity_section  # trailing zeros kept
    records = {(r["method"], r["task"]): r for r in json.loads((out / "leaderboard.json").read_text())}
    assert {k for k, r in records.items() if r["below_probe"]} == expected
    assert records[("finetune", "fold-a")]["below_probe"] is None
    assert records[("probe", "acc-task")]["below_probe"] is False
    csv = pd.read_csv(out / "leaderboard.csv")
    assert "below_probe" in csv.columns and "run_hash" in csv.columns


def frame_of(rows: list[tuple[str, str, bool, list[float]]]) -> pd.DataFrame:
    """A hand-made collect() frame: (method, task, higher_is_better, seed scores) per method and task."""
    records = []
    for method, task, hib, scores in rows:
        for seed, score in enumerate(scores):
            records.append({"path": f"{method}/{task}/seed{seed}.json", "backbone": "bb", "task": task,
                            "spec_hash": "s" * 16, "method": method, "label": method, "run_hash": "r" * 16,
                            "config_hash": "r" * 16, "seed": seed, "metric": "m", "higher_is_better": hib,
                            "score": score, "percent": 0.0, "trainable": 0, "date": "2026", "dataset": "toy",
                            "sizes": {}, "device": "cpu"})
    return pd.DataFrame(records, columns=COLUMNS)


def test_validity_figures_and_flags_on_known_numbers():
    frame = frame_of([
        ("probe", "sat", True, [0.99, 0.99, 0.99]),  # saturates; its std 0 is not seed noise
        ("a", "sat", True, [0.70, 0.80, 0.90]),
        ("b", "sat", True, [0.50, 0.52, 0.54]),
        ("a", "tied", False, [0.30, 0.40, 0.50]),  # overlapping intervals: both rank 1
        ("b", "tied", False, [0.37, 0.43, 0.49]),
        ("probe", "wer-sat", False, [0.01, 0.01]),  # an error rate near 0 saturates too
        ("a", "wer-sat", False, [0.20, 0.30]),
        ("probe", "plain", True, [0.97, 0.97]),  # under the threshold; no method with 2+ seeds besides it
        ("a", "plain", True, [0.50]),
    ])
    (bd,) = build_boards(frame)
    v = validity(bd).set_index("task")
    assert list(v.index) == ["plain", "sat", "tied", "wer-sat"]
    assert v.loc["sat", "methods"] == 3
    assert v.loc["sat", "spread"] == pytest.approx(0.47)
    assert v.loc["sat", "median_std"] == pytest.approx(0.06)  # median of 0.10 and 0.02, the probe left out
    assert v.loc["sat", "ratio"] == pytest.approx(0.47 / 0.06)
    assert v.loc["sat", "probe"] == pytest.approx(0.99) and v.loc["sat", "flags"] == [SATURATES]
    assert {bd.cells[(m, "tied")]["rank"] for m in "ab"} == {1}
    assert v.loc["tied", "spread"] == pytest.approx(0.03) and v.loc["tied", "median_std"] == pytest.approx(0.08)
    assert v.loc["tied", "ratio"] == pytest.approx(0.375) and math.isnan(v.loc["tied", "probe"])
    assert v.loc["tied", "flags"] == [TIED, NARROW]
    assert v.loc["wer-sat", "spread"] == pytest.approx(0.24)
    assert v.loc["wer-sat", "ratio"] == pytest.approx(0.24 / (0.1 / math.sqrt(2)))
    assert v.loc["wer-sat", "flags"] == [SATURATES]
    assert math.isnan(v.loc["plain", "median_std"]) and math.isnan(v.loc["plain", "ratio"])
    assert v.loc["plain", "flags"] == [] and v.loc["plain", "methods"] == 2
    shown = validity_table(bd).set_index("task")
    assert shown.loc["sat"].tolist() == ["3", "0.470", "0.060", "7.8", "0.990", "probe saturates"]
    assert shown.loc["tied"].tolist() == ["2", "0.030", "0.080", "0.4", "–",
                                          "no two methods separated, spread < 2 std"]
    assert shown.loc["plain"].tolist() == ["2", "0.470", "–", "–", "0.970", "–"]


def test_validity_ratio_is_infinite_when_seeds_agree_but_means_differ():
    (bd,) = build_boards(frame_of([("a", "t", True, [0.6, 0.6]), ("b", "t", True, [0.5, 0.5])]))
    (row,) = validity(bd).to_dict("records")
    assert row["median_std"] == 0 and math.isinf(row["ratio"]) and row["flags"] == []
    assert validity_table(bd)["spread / std"].tolist() == ["∞"]


def test_learning_rate_table_shows_each_rows_trained_rate_and_none_for_the_probe(tmp_path):
    from sure_bench.report.render import lr_table

    make(tmp_path, "linear", "acc-task", 0, 0.6, run_hash=H1)
    make(tmp_path, "linear", "acc-task", 1, 0.7, run_hash=H1)
    probe = make(tmp_path, "probe", "acc-task", 0, 0.65, run_hash=H2)
    data = json.loads(probe.read_text())
    data["train"]["lr"] = 0.0  # the closed-form probe has no learning rate
    probe.write_text(json.dumps(data))
    (bd,) = build_boards(collect(tmp_path).frame)
    table = lr_table(bd).set_index("method")
    assert table.loc["linear", "acc-task"] == "1e-03 (1)" and table.loc["probe", "acc-task"] == "–"


@pytest.mark.parametrize("chosen, mark", [(1e-2, "↑"), (1e-4, "↓"), (1e-3, "")])
def test_learning_rate_table_marks_a_rate_chosen_at_the_edge_of_its_grid(tmp_path, chosen, mark):
    from sure_bench.report.render import lr_table

    path = make(tmp_path, "lora", "acc-task", 0, 0.6, run_hash=H1)
    data = json.loads(path.read_text())
    points = [{"lr": lr, "status": "ok", "dev": 0.5, "reason": "", "steps": 1, "wall_s": 1.0} for lr in (1e-4, 1e-3, 1e-2)]
    data["run"]["lr_search"] = {"grid": [1e-4, 1e-3, 1e-2], "explore_fraction": 0.25, "explore_seed": 0,
                                "chosen": chosen, "points": points}
    data["train"]["lr"] = chosen
    path.write_text(json.dumps(data))
    table = lr_table(board(tmp_path)).set_index("method")
    assert table.loc["lora", "acc-task"] == f"{chosen:.0e} (3){mark}"
