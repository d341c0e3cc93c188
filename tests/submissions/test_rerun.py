"""Results committed by maintainers are verified the way submissions are: one drawn cell trained again."""

import shutil
from pathlib import Path

import pytest

from sure_bench.submissions.rerun import TOLERANCE, draw, rerun

REPO = Path(__file__).resolve().parents[2]
CLASSIFICATION = {"ser-mini", "sid-mini", "ks-mini", "ic-mini"}  # their heads train on cached states: cheap


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng builds sure-mini (bash setup.sh)")
def test_a_committed_linear_result_is_reproduced_by_training_it_again():
    files = sorted((REPO / "results" / "whisper-tiny.en" / "linear").rglob("seed*.json"))
    chosen = draw(files, REPO / "results", 1, CLASSIFICATION)
    assert len(chosen) == 1
    outcome = rerun(chosen[0], "linear")
    assert outcome.same_config, outcome.line()
    assert abs(outcome.rerun_score - outcome.claimed_score) <= TOLERANCE, outcome.line()
    assert outcome.agreement >= 0.9, outcome.line()


def test_the_draw_follows_the_claimed_bytes(tmp_path):
    """Any change to what is claimed changes the draw's seed; results without a run configuration are never drawn."""
    src = REPO / "results" / "whisper-tiny.en" / "linear"
    root = tmp_path / "results"
    shutil.copytree(src, root)
    files = sorted(root.rglob("seed*.json"))
    first = draw(files, root, len(files))
    assert sorted(first) == sorted(files) and draw(files, root, len(files)) == first
    starts = set()
    for k in range(6):  # rewriting a file's bytes (same content, other spacing) moves the start
        files[0].write_text(files[0].read_text() + " " * (k + 1))
        starts.add(draw(files, root, 1)[0])
    assert len(starts) > 1


def test_a_rerun_trains_on_the_thread_count_the_result_recorded(toy_suite, tmp_path, cache_dir):
    """CPU results depend on the thread count, so each result records it and a re-run uses it (or the
    count asked for), then gives this process its own count back."""
    import torch

    from sure_bench.cli.main import main
    from sure_bench.results.store import read_result
    from sure_bench.run.threads import torch_threads

    data, tasks = toy_suite
    out = tmp_path / "results"
    own = torch.get_num_threads()
    with torch_threads(1):
        assert main(["run", "--method", "finetune", "--backbone", "tiny-whisper", "--tasks-dir", str(tasks),
                     "--data-root", str(data), "--output", str(out), "--tasks", "toy-cls", "--no-progress"]) == 0
    assert torch.get_num_threads() == own
    claimed = out / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json"
    assert read_result(claimed).provenance.threads == 1
    outcome = rerun(claimed, "finetune", tasks, data)
    assert outcome.threads == 1 and torch.get_num_threads() == own
    assert outcome.ok and outcome.agreement == 1.0 and outcome.rerun_score == outcome.claimed_score, outcome.line()
    assert "on 1 thread(s)" in outcome.line()
    assert rerun(claimed, "finetune", tasks, data, threads=2).threads == 2
    assert torch.get_num_threads() == own
