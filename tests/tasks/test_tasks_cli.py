"""`sure-bench tasks` and `sure-bench data list` over the committed catalog."""

from sure_bench.cli.main import main
from sure_bench.tasks.registry import all_tasks, default_tasks_dir, suite_groups, suite_tasks


def test_tasks_lists_dataset_license_sizes_and_metric(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in out.splitlines() if line.startswith("│") and line.split("│")[1].strip()}
    assert rows["asr-librispeech"][1:] == ["librispeech", "28,539", "2,703", "2,620", "wer ↓",
                                           "CC BY 4.0 (LibriSpeech, OpenSLR 12)"]
    assert rows["sf-snips"][2:5] == ["?", "?", "?"] and rows["sf-snips"][5] == "slot_type_f1 ↑"
    assert rows["ks-fsdd"][2:5] == ["2,400", "300", "300"]
    assert set(rows) == set(all_tasks()), "every task is listed"
    assert all(r[-1] for r in rows.values()), "every task has a license note"
    assert "suite superb-peft: pr-librispeech, ks-speechcommands-v1" in out


def test_suites_name_only_known_tasks():
    known = set(all_tasks())
    for suite in (default_tasks_dir() / "suites").glob("*.yaml"):
        assert set(suite_tasks(suite.stem)) <= known, suite
    assert len(suite_tasks("sure")) == 10 and "er-iemocap-fold5" in suite_tasks("superb-peft")
    assert suite_groups("superb-peft") == {"er-iemocap": [f"er-iemocap-fold{k}" for k in range(1, 6)]}


def test_data_list_shows_every_dataset(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("librispeech", "iemocap", "speech_commands", "voxceleb1", "snips", "audiofolder"):
        assert f"│ {name} " in out, name
