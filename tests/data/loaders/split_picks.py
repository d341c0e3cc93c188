"""What each split of a task selects from a loader's rows on a fake corpus (sizes unchecked: fakes are small)."""

from sure_bench.data.loaders import select_split
from sure_bench.data.manifest import Utterance
from sure_bench.tasks.registry import Task

SPLITS = ("train", "dev", "test")


def picked_rows(task: Task, rows: list[Utterance]) -> dict[str, list[Utterance]]:
    return {split: select_split(rows, task.split_selection(split, check_size=False)) for split in SPLITS}


def picked_ids(task: Task, rows: list[Utterance]) -> dict[str, list[str]]:
    return {split: [r.id for r in picked] for split, picked in picked_rows(task, rows).items()}
