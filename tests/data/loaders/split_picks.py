"""What each split of a task selects from a loader's rows on a fake corpus (sizes unchecked: fakes are small),
and the shared check of an ASR task over a corpus's release splits."""

from sure_bench.data.loaders import select_split
from sure_bench.data.manifest import Utterance
from sure_bench.kinds import make_kind
from sure_bench.metrics.text import normalize_text
from sure_bench.tasks.registry import Task

SPLITS = ("train", "dev", "test")


def picked_rows(task: Task, rows: list[Utterance]) -> dict[str, list[Utterance]]:
    return {split: select_split(rows, task.split_selection(split, check_size=False)) for split in SPLITS}


def picked_ids(task: Task, rows: list[Utterance]) -> dict[str, list[str]]:
    return {split: [r.id for r in picked] for split, picked in picked_rows(task, rows).items()}


def check_release_asr_task(task: Task, rows: list[Utterance], sizes: dict[str, int]) -> None:
    """An ASR task over a corpus's own release splits: CTC kind scored by WER, every transcript in the
    kind's vocabulary once normalised, and each split picking exactly its release subset."""
    assert task.spec.kind == "ctc_asr" and task.spec.metrics.primary == "wer"
    vocab = set(make_kind(task).vocab)
    assert all(set(normalize_text(r.label)) <= vocab for r in rows)
    for split, picked in picked_rows(task, rows).items():
        assert len(picked) == sizes[split] and {r.subset for r in picked} == {split}, split
