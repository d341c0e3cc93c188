"""docs/datasets.md covers every dataset loader and every real-data task."""

from pathlib import Path

from sure_bench.data.catalog import all_datasets
from sure_bench.tasks.registry import all_tasks

DOC = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"


def test_every_dataset_and_task_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for name, info in all_datasets().items():
        if info.folder and name != "sure_mini":
            assert f"`{name}` (`{info.folder}/`)" in text, f"{name} missing from the table in {DOC}"
            assert info.homepage.split("//")[-1].split("/")[0] in text or not info.homepage, name
    for name, task in all_tasks().items():
        if task.spec.dataset.loader != "sure_mini":
            assert f"`{name}`" in text, f"task {name} is not mentioned in {DOC}"
