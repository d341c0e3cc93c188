"""tts-asterisk: the installed Asterisk prompts as a TTS adaptation target, split as sure-mini's asterisk."""

import shutil
from pathlib import Path

import pytest

from sure_bench.data.loaders import tts_asterisk
from sure_bench.data.sure_mini.asterisk import DEFAULT_SOUNDS_DIR, plan_prompts
from sure_bench.kinds import make_kind
from sure_bench.tasks.registry import load_task_file

TASKS = Path(__file__).resolve().parents[3] / "tasks"

pytestmark = pytest.mark.skipif(not DEFAULT_SOUNDS_DIR.is_dir(), reason="asterisk-core-sounds-en-wav not installed")


def test_adapt_dev_test_follow_the_asr_split_and_the_budget(tmp_path):
    rows = tts_asterisk.load(tmp_path)
    by = {s: [r for r in rows if r.subset == s] for s in ("adapt", "dev", "test")}
    assert len(by["dev"]) == 20 and len(by["test"]) == 30 and sum(len(v) for v in by.values()) == len(rows)
    minutes = sum(r.duration for r in by["adapt"]) / 60
    assert 3.0 <= minutes < 3.3  # prompts are taken until 3 minutes of speech
    split = {p.id: p.split for p in plan_prompts()}
    assert {split[r.id] for r in by["adapt"]} == {"train"} and {split[r.id] for r in by["test"]} == {"test"}
    assert {r.speaker for r in rows} == {"asterisk-en"} and all(r.label for r in rows)
    assert tts_asterisk.load(tmp_path) == rows  # deterministic
    smaller = tts_asterisk.load(tmp_path, adapt_minutes=1.0, dev=5, test=5)
    assert len(smaller) < len(rows) and {r.id for r in smaller} <= {r.id for r in rows}


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_phonemes_of_every_prompt(tmp_path, cache_dir):
    ipa = tts_asterisk.phonemes(tmp_path, adapt_minutes=0.2, dev=2, test=2)
    rows = tts_asterisk.load(tmp_path, adapt_minutes=0.2, dev=2, test=2)
    assert set(ipa) == {r.id for r in rows} and all(v.strip() for v in ipa.values())


def test_the_task_leaves_out_the_one_prompt_over_max_seconds(tmp_path):
    """A sentence's recording is never cropped: the tts kind leaves out the 31 s dev prompt (max_seconds 20)."""
    task = load_task_file(TASKS / "tts-asterisk.yaml")
    rows = tts_asterisk.load(tmp_path, **task.spec.dataset.args)
    long = [r for r in rows if r.duration > task.spec.audio.max_seconds]
    assert [(r.id, r.subset) for r in long] == [("asterisk-priv-callee-options", "dev")]
    assert make_kind(task, tmp_path).unusable(long[0]) == "longer than 20.0 s"
