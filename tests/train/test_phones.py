"""Phone recognition: transcripts become phones through the committed lexicon; PER; unknown words left out."""

import gzip
import json
import shutil

import pytest
import yaml

from sure_bench.cli.main import main
from sure_bench.kinds.lexicon import LexiconError, load_lexicon, to_phones
from sure_bench.metrics.speech_recognition import per
from sure_bench.results.store import read_result
from sure_bench.tasks.registry import SpecError, default_tasks_dir, load_task_file
from sure_bench.kinds import make_kind


def _phone_task(tasks, name="toy-phones"):
    spec = yaml.safe_load((tasks / "toy-ctc.yaml").read_text())
    spec.update(task=name, units="phones", lexicon="lexicons/toy.txt.gz", vocab="vocab/toy-phones.txt",
                metrics={"primary": "per", "higher_is_better": False})
    (tasks / "lexicons").mkdir(exist_ok=True)
    with gzip.open(tasks / "lexicons" / "toy.txt.gz", "wt") as f:
        f.write("ab AA B\nba B AA\nab AA AA\n")  # a second 'ab' entry: the first one wins
    (tasks / "vocab" / "toy-phones.txt").write_text("AA\nB\n")
    path = tasks / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_committed_lexicon_and_phone_set_cover_each_other():
    lex = load_lexicon(default_tasks_dir() / "lexicons" / "cmudict-nostress.txt.gz")
    phones = (default_tasks_dir() / "vocab" / "arpabet-39.txt").read_text().split()
    assert len(lex) > 120_000 and len(phones) == 39
    assert {p for pron in lex.values() for p in pron} == set(phones)
    assert to_phones("Hello, WORLD!", lex) == ["hh", "ah", "l", "ow", "w", "er", "l", "d"]
    with pytest.raises(LexiconError, match="zzyzxqq"):
        to_phones("hello zzyzxqq", lex)


def test_per_counts_phone_edits():
    assert per(["a b c", "d e"], ["a c", "d e"]) == pytest.approx(1 / 5)


def test_phone_spec_needs_lexicon_and_per(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text(yaml.safe_dump({
        "task": "x", "version": 1, "kind": "ctc_asr", "vocab": "v.txt", "units": "phones",
        "dataset": {"loader": "manifest"}, "splits": {"train": "a", "dev": "b", "test": "c"},
        "audio": {"max_seconds": 2}, "metrics": {"primary": "wer", "higher_is_better": False},
        "budget": {"epochs": 1, "batch_size": 1, "patience": 0, "lr": {"finetune": 1e-4, "default": 1e-3}}}))
    with pytest.raises(SpecError, match="needs 'lexicon'"):
        load_task_file(bad)


def test_phone_task_trains_scores_per_and_records_unknown_words(toy_suite, tmp_path, cache_dir):
    data, shared_tasks = toy_suite
    tasks = tmp_path / "tasks"  # a copy: the session's toy suite stays as other tests expect it
    shutil.copytree(shared_tasks, tasks)
    codec = make_kind(load_task_file(_phone_task(tasks)))
    assert codec.encode("ab") == [1, 2] and codec.reference("ba") == "B AA" and codec.decode([2, 2, 0, 1]) == "B AA"
    assert codec.units.unusable("aa") == "words not in the lexicon: ['aa']"
    out = tmp_path / "results"
    assert main(["run", "--method", "linear", "--backbone", "tiny-whisper", "--tasks-dir", str(tasks),
                 "--data-root", str(data), "--output", str(out), "--no-progress", "--tasks", "toy-phones"]) == 0
    result = read_result(out / "tiny-whisper" / "linear" / "toy-phones" / "seed0.json")
    assert set(result.scores.test) == {"per"} and 0 <= result.scores.test["per"]
    skipped = result.data.skipped
    assert skipped and all(s["reason"] == "words not in the lexicon: ['aa']" for s in skipped)
    assert result.data.sizes["test"] == 4  # 2 of 3 words per take are in the lexicon, 2 test takes
    preds = [json.loads(line) for line in (out / "tiny-whisper" / "linear" / "toy-phones" /
                                           "seed0.predictions.jsonl").read_text().splitlines()]
    assert {p["reference"] for p in preds} == {"AA B", "B AA"}


def test_librispeech_phone_task_encodes_a_transcript():
    codec = make_kind(load_task_file(default_tasks_dir() / "pr-librispeech.yaml"))
    assert codec.reference("HE HOPED THERE WOULD BE STEW FOR DINNER") == (
        "hh iy hh ow p t dh eh r w uh d b iy s t uw f ao r d ih n er")
    assert len(codec.encode("HELLO WORLD")) == 8 and codec.units.unusable("HELLO XQZWV") is not None
