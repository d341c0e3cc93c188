"""A submission passes validate; a copy with one tampered score is rejected with the numbers."""

import json
import shutil
from pathlib import Path

import pytest
import yaml

from sure_bench.cli.main import main
from sure_bench.results.store import read_result
from sure_bench.methods.base import MethodError
from sure_bench.report.collect import collect
from sure_bench.report.leaderboard import verified_mark
from sure_bench.results.verification import status
from sure_bench.submissions import load_submission, validate_submission


def make_submission(toy_suite, folder, cache_dir):
    data, tasks = toy_suite
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# IA3 via peft\n")
    (folder / "peft.yaml").write_text("peft_type: IA3\ntarget_modules: [k, v, ffn_down]\nfeedforward_modules: [ffn_down]\n")
    assert main(["run", "--method", f"peft:{folder / 'peft.yaml'}", "--backbone", "tiny-whisper", "--tasks-dir",
                 str(tasks), "--tasks", "toy-cls", "toy-ctc", "--data-root", str(data), "--output",
                 str(folder / "results"), "--no-progress"]) == 0
    r = read_result(next((folder / "results").rglob("seed0.json")))
    meta = {"name": "ia3", "authors": ["A. Researcher"], "paper": "https://arxiv.org/abs/2205.05638",
            "license": "MIT", "hyperparameters": {}, "claimed_params": {"tiny-whisper": r.params.method_added}}
    (folder / "method.yaml").write_text(yaml.safe_dump(meta))
    return tasks


def test_submission_validates_and_tampering_is_caught(toy_suite, tmp_path, cache_dir, capsys):
    good = tmp_path / "submissions" / "ia3"
    tasks = make_submission(toy_suite, good, cache_dir)
    assert validate_submission(good, tasks, check_module=False) == []
    assert main(["validate", str(good), "--tasks-dir", str(tasks)]) == 0

    bad = tmp_path / "tampered" / "ia3"  # a copy keeps its folder name: a peft submission is named after it
    shutil.copytree(good, bad)
    path = next(p for p in (bad / "results").rglob("seed0.json") if "toy-cls" in str(p))
    data = json.loads(path.read_text())
    true = data["scores"]["test"]["accuracy"]
    data["scores"]["test"]["accuracy"] = 0.99
    path.write_text(json.dumps(data))
    problems = validate_submission(bad, tasks, check_module=False)
    assert len(problems) == 1
    assert str(path) in problems[0] and "test accuracy claimed 0.99" in problems[0]
    assert f"give {true:.6f}" in problems[0]
    assert main(["validate", str(bad), "--tasks-dir", str(tasks)]) == 1
    assert "INVALID" in capsys.readouterr().out


def test_incomplete_submission_folder(tmp_path):
    (tmp_path / "x").mkdir()
    problems = validate_submission(tmp_path / "x", check_module=False)
    assert any("missing README.md" in p for p in problems) and any("missing method.yaml" in p for p in problems)


def test_rerun_reproduces_a_genuine_submission_and_rejects_a_consistent_fabrication(toy_suite, tmp_path, cache_dir,
                                                                                   capsys):
    """The issue's fabricated submission: every prediction set to its reference and every claimed score
    recomputed from them. Re-scoring cannot tell; re-training can."""
    from sure_bench.metrics.registry import compute

    data, _ = toy_suite
    good = tmp_path / "submissions" / "ia3"
    tasks = make_submission(toy_suite, good, cache_dir)
    rerun = ["--tasks-dir", str(tasks), "--data-root", str(data), "--rerun", "2", "--rerun-suite", "toy"]
    assert main(["validate", str(good), *rerun]) == 0
    said = capsys.readouterr().out
    assert said.count(": reproduced") == 2 and "same prediction on 100.0%" in said
    record = json.loads((good / "verified.json").read_text())
    assert len(record["reruns"]) == 2 and all(r["rerun"] == pytest.approx(r["claimed"], abs=1e-6) for r in record["reruns"])
    assert status(good) == "verified"
    assert set(collect(good / "results").frame["verified"]) == {"verified"}  # the report's ✓

    fake = tmp_path / "fake" / "ia3"
    shutil.copytree(good, fake)
    (fake / "verified.json").unlink()
    assert status(fake) == "unverified"
    for path in (fake / "results").rglob("seed0.json"):
        data_ = json.loads(path.read_text())
        preds = path.with_name(data_["predictions"])
        rows = [json.loads(x) for x in preds.read_text().splitlines()]
        preds.write_text("".join(json.dumps({**x, "prediction": x["reference"]}) + "\n" for x in rows))
        refs = [x["reference"] for x in rows]
        data_["scores"]["test"] = compute(list(data_["scores"]["test"]), refs, refs)
        path.write_text(json.dumps(data_))
    assert validate_submission(fake, tasks, check_module=False) == []  # consistent with its own predictions
    assert main(["validate", str(fake), *rerun]) == 1
    said = capsys.readouterr().out
    assert "NOT reproduced" in said and "INVALID" in said
    assert status(fake) == "unverified"  # a failed re-run writes no record
    shutil.copy(good / "verified.json", fake / "verified.json")
    assert status(fake) == "stale"  # a record copied beside other files does not verify them


def test_verified_mark_per_row():
    assert verified_mark({""}) == "–" and verified_mark({"verified"}) == "✓"
    assert verified_mark({"verified", "unverified"}) == "✗" and verified_mark({"verified", "stale"}) == "stale"


def test_a_peft_submission_is_named_after_its_folder(tmp_path):
    folder = tmp_path / "submissions" / "my-ia3"
    folder.mkdir(parents=True)
    shutil.copy(Path(__file__).resolve().parents[2] / "submissions" / "ia3" / "peft.yaml", folder / "peft.yaml")
    (folder / "method.yaml").write_text("name: ia3\nauthors: [a]\npaper: p\nlicense: MIT\n")
    with pytest.raises(MethodError, match="name 'ia3' differs from the method's name 'my-ia3'"):
        load_submission(folder)
    (folder / "method.yaml").write_text("name: my-ia3\nauthors: [a]\npaper: p\nlicense: MIT\n")
    assert load_submission(folder)[1].name == "my-ia3"  # the name `run --method peft:<folder>/peft.yaml` records
