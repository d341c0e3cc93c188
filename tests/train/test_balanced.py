"""Class-balanced sampling (SUPERB keyword spotting): each class drawn about equally often."""

from collections import Counter

import pytest
import torch

from sure_bench.tasks.registry import SpecError, default_tasks_dir, load_task_file
from sure_bench.train.loop import balanced_sampler


def test_balanced_sampler_evens_out_a_skewed_split():
    labels = ["_unknown_"] * 900 + ["yes"] * 90 + ["_silence_"] * 10
    torch.manual_seed(0)
    drawn = Counter(labels[i] for _ in range(20) for i in balanced_sampler(labels))
    assert sum(drawn.values()) == 20 * len(labels)
    shares = {k: v / sum(drawn.values()) for k, v in drawn.items()}
    assert all(abs(share - 1 / 3) < 0.02 for share in shares.values()), shares


def test_superb_keyword_tasks_train_balanced_and_others_do_not():
    tasks = default_tasks_dir()
    assert load_task_file(tasks / "ks-speechcommands-v1.yaml").spec.budget.balanced_classes
    assert not load_task_file(tasks / "ks-speechcommands-sure.yaml").spec.budget.balanced_classes


def test_balanced_classes_only_for_classification(tmp_path):
    text = (default_tasks_dir() / "asr-librispeech.yaml").read_text()
    (tmp_path / "x.yaml").write_text(text.replace("include: _librispeech.yaml", f"include: {default_tasks_dir()}/_librispeech.yaml")
                                     + "budget: {epochs: 1, batch_size: 1, patience: 0, balanced_classes: true, "
                                       "lr: {finetune: 1.0e-4, default: 1.0e-3}}\n")
    with pytest.raises(SpecError, match="balanced_classes': not available for kind ctc_asr, only for utterance_classification"):
        load_task_file(tmp_path / "x.yaml")
