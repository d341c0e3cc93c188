from pathlib import Path

import pytest
import yaml

from sure_bench.kinds import make_kind
from sure_bench.kinds import make_kind
from sure_bench.tasks.registry import SpecError, all_tasks, default_tasks_dir, load_task_file, suite_tasks

GOOD = {
    "task": "demo", "version": 1, "kind": "utterance_classification",
    "dataset": {"loader": "manifest"},
    "splits": {"train": "s/train.csv", "dev": "s/dev.csv", "test": "s/test.csv"},
    "audio": {"max_seconds": 3.0}, "labels": ["a", "b"],
    "metrics": {"primary": "accuracy", "higher_is_better": True},
    "budget": {"epochs": 1, "batch_size": 2, "patience": 0, "lr": {"finetune": 1e-4, "default": 1e-3}},
}


def write(tmp_path: Path, name: str, data: dict) -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def test_valid_spec_loads(tmp_path):
    task = load_task_file(write(tmp_path, "demo.yaml", GOOD))
    assert task.name == "demo" and task.spec.labels == ["a", "b"]


@pytest.mark.parametrize(
    "change, field, reason",
    [
        ({"kind": "regression"}, "kind", "does not match any of the expected tags"),
        ({"labels": None}, "labels", "needs a non-empty 'labels'"),
        ({"labels": ["a", "a"]}, "labels", "duplicates"),
        ({"vocab": "v.txt"}, "vocab", "Extra inputs are not permitted"),
        ({"audio": {"max_seconds": -1}}, "audio.max_seconds", "greater than 0"),
        ({"metrics": {"primary": "wer", "higher_is_better": False}}, "metrics", "metric 'wer' is not available"),
        ({"metrics": {"primary": "accuracy", "higher_is_better": False}}, "metrics", "contradicts metric 'accuracy'"),
        ({"metrics": {"primary": "bleu"}}, "metrics", "unknown metric 'bleu'"),
        ({"budget": {"epochs": 1}}, "budget.batch_size", "Field required"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_bad_spec_names_file_field_and_reason(tmp_path, change, field, reason):
    path = write(tmp_path, "bad.yaml", {**GOOD, **change})
    with pytest.raises(SpecError) as e:
        load_task_file(path)
    msg = str(e.value)
    assert str(path) in msg and f"field '{field}'" in msg and reason in msg


def test_balanced_classes_only_where_the_kind_has_classes(tmp_path):
    spec = {k: v for k, v in GOOD.items() if k != "labels"}
    spec.update(kind="multi_slot_classification", slots={"action": ["on", "off"]},
                budget={**GOOD["budget"], "balanced_classes": True})
    with pytest.raises(SpecError, match="field 'budget.balanced_classes': not available for kind multi_slot"):
        load_task_file(write(tmp_path, "x.yaml", spec))


def test_include_merges_and_overrides(tmp_path):
    base = {k: v for k, v in GOOD.items() if k not in ("task", "labels")}
    write(tmp_path, "_base.yaml", base)
    child = write(tmp_path, "child.yaml", {"include": "_base.yaml", "task": "child", "labels": ["x", "y", "z"],
                                           "budget": {"epochs": 7}})
    task = load_task_file(child)
    assert task.spec.labels == ["x", "y", "z"]
    assert task.spec.budget.epochs == 7 and task.spec.budget.batch_size == 2  # deep merge keeps siblings


def test_include_cycle_is_reported(tmp_path):
    write(tmp_path, "a.yaml", {"include": "b.yaml"})
    write(tmp_path, "b.yaml", {"include": "a.yaml"})
    with pytest.raises(SpecError, match="include cycle"):
        load_task_file(tmp_path / "a.yaml")


def test_not_yaml_mapping(tmp_path):
    (tmp_path / "x.yaml").write_text("- just\n- a list\n")
    with pytest.raises(SpecError, match="expected a mapping"):
        load_task_file(tmp_path / "x.yaml")


def test_spec_hash_covers_split_files(toy_suite, tmp_path):
    _, tasks_dir = toy_suite
    import shutil

    copy = tmp_path / "tasks"
    shutil.copytree(tasks_dir, copy)
    before = all_tasks(copy)["toy-cls"].spec_hash
    assert before == all_tasks(copy)["toy-cls"].spec_hash
    split = copy / "splits" / "toy-cls" / "test.csv"
    split.write_text(split.read_text() + "extra_id,low,spk0\n")
    assert all_tasks(copy)["toy-cls"].spec_hash != before


def test_suites_and_unknown_suite(toy_suite):
    _, tasks_dir = toy_suite
    assert suite_tasks("toy", tasks_dir) == ["toy-cls", "toy-ctc", "toy-slots"]
    with pytest.raises(SpecError, match="unknown suite 'nope'.*known suites: \\['toy'\\]"):
        suite_tasks("nope", tasks_dir)


def test_committed_tasks_all_validate():
    tasks = all_tasks(default_tasks_dir())
    assert {"ks-fsdd", "sid-fsdd"} <= set(tasks)
    for task in tasks.values():
        assert len(task.spec_hash) == 16
        sizes = task.split_sizes()  # None: a selector rule whose size the release does not publish
        assert all(n is None or n > 0 for n in sizes.values()), (task.name, sizes)
        make_kind(task)  # its label set, vocabulary and lexicon files exist and parse
