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
