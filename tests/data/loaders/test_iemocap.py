"""IEMOCAP loader on a fake IEMOCAP_full_release with EmoEvaluation files in the release's format."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import iemocap
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

from split_picks import picked_rows

TASKS = Path(__file__).resolve().parents[3] / "tasks"
EVALUATORS = ("C-E2:\tNeutral;\t()\nC-E3:\tNeutral;\t()\nC-F1:\tNeutral;\t(curious)\n"
              "A-E3:\tval 3; act 2; dom  2;\t()\nA-F1:\tval 3; act 2; dom  1;\t()\n")
# (turn suffix, label): fru and xxx are not among the four classes and are left out
TURNS = (("F000", "neu"), ("M000", "exc"), ("F001", "ang"), ("M001", "sad"), ("F002", "fru"), ("M002", "xxx"),
         ("F003", "hap"))


def _emo_file(path: Path, dialog: str, turns) -> None:
    lines = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]\n\n"]
    for n, (suffix, label) in enumerate(turns):
        lines.append(f"[{6.2901 + 5 * n:.4f} - {8.2357 + 5 * n:.4f}]\t{dialog}_{suffix}\t{label}\t"
                     "[2.5000, 2.5000, 2.5000]\n" + EVALUATORS + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines))


def _fake_iemocap(root: Path) -> Path:
    """Per session one improvised dialog with TURNS; Session1 also a scripted one. One broken WAV (Session2)."""
    base = root / "IEMOCAP_full_release"
    for k in range(1, 6):
        sess = base / f"Session{k}"
        dialogs = [(f"Ses0{k}F_impro01", TURNS)] + ([("Ses01M_script01_1", (("F000", "sad"),))] if k == 1 else [])
        for dialog, turns in dialogs:
            _emo_file(sess / "dialog" / "EmoEvaluation" / f"{dialog}.txt", dialog, turns)
            for suffix, _ in turns:
                wav = sess / "sentences" / "wav" / dialog / f"{dialog}_{suffix}.wav"
                wav.parent.mkdir(parents=True, exist_ok=True)
                sf.write(wav, np.zeros(3200 if suffix == "M000" else 1600, dtype=np.float32), 16000)
        # the release's side folders and macOS resource forks are not label files
        (sess / "dialog" / "EmoEvaluation" / "Categorical").mkdir()
        (sess / "dialog" / "EmoEvaluation" / "Categorical" / f"Ses0{k}F_impro01_e2_cat.txt").write_text(
            f"Ses0{k}F_impro01_F000 :Neutral state; ()\n")
        (sess / "dialog" / "EmoEvaluation" / f"._Ses0{k}F_impro01.txt").write_bytes(b"\x00\x05\x16\x07junk")
    (base / "Session2" / "sentences" / "wav" / "Ses02F_impro01" / "Ses02F_impro01_M001.wav").write_bytes(b"bad")
    return root


def test_iemocap_reads_four_classes_per_session(tmp_path):
    rows = iemocap.load(_fake_iemocap(tmp_path))
    assert len(rows) == 5 * 5 + 1
    s1 = [r for r in rows if r.subset == "Session1"]
    assert [r.id for r in s1] == ["Ses01F_impro01_F000", "Ses01F_impro01_M000", "Ses01F_impro01_F001",
                                  "Ses01F_impro01_M001", "Ses01F_impro01_F003", "Ses01M_script01_1_F000"]
    assert [r.label for r in s1] == ["neutral", "happy", "angry", "sad", "happy", "sad"]
    assert [r.speaker for r in s1] == ["Ses01F", "Ses01M", "Ses01F", "Ses01M", "Ses01F", "Ses01F"]
    assert s1[0].path.endswith("Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav")
    assert s1[0].duration == pytest.approx(0.1) and s1[1].duration == pytest.approx(0.2)
    assert Counter(r.subset for r in rows) == {"Session1": 6, "Session2": 5, "Session3": 5, "Session4": 5,
                                                "Session5": 5}
    assert {r.speaker for r in rows if r.subset == "Session4"} == {"Ses04F", "Ses04M"}
    bad = next(r for r in rows if r.id == "Ses02F_impro01_M001")
    assert bad.duration == 0.0


def test_iemocap_broken_audio_is_named_at_decode(tmp_path):
    rows = iemocap.load(_fake_iemocap(tmp_path))
    with pytest.raises(BadAudioError, match="Ses02F_impro01_M001.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 25 and ok.skipped[0]["id"] == "Ses02F_impro01_M001"


def test_iemocap_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(FileNotFoundError, match="--data-root"):
        iemocap.load(tmp_path)
    root = _fake_iemocap(tmp_path)
    emo = root / "IEMOCAP_full_release" / "Session3" / "dialog" / "EmoEvaluation" / "Ses03F_impro01.txt"
    good = emo.read_text()
    emo.write_text(good.replace("[16.2901 - 18.2357]\tSes03F_impro01_F001\tang",
                                "[16.2901 - 18.2357] Ses03F_impro01_F001 ang"))
    with pytest.raises(ManifestError, match=r"Ses03F_impro01\.txt:17: expected"):
        iemocap.load(root)
    emo.write_text(good.replace("Ses03F_impro01_F001", "Ses01F_impro01_F001"))
    with pytest.raises(ManifestError, match="is not a Session3 id"):
        iemocap.load(root)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_iemocap_fold_yamls_leave_one_session_out(tmp_path, k):
    rows = iemocap.load(_fake_iemocap(tmp_path))
    task = load_task_file(TASKS / f"er-iemocap-fold{k}.yaml")
    assert make_kind(task).labels == ["neutral", "happy", "angry", "sad"]
    picked = picked_rows(task, rows)
    dev = k % 5 + 1
    assert {r.subset for r in picked["test"]} == {f"Session{k}"}
    assert {r.subset for r in picked["dev"]} == {f"Session{dev}"}
    assert {r.subset for r in picked["train"]} == {f"Session{s}" for s in range(1, 6) if s not in (k, dev)}
    speakers = [{r.speaker for r in picked[s]} for s in ("train", "dev", "test")]
    assert not (speakers[0] & speakers[1] or speakers[0] & speakers[2] or speakers[1] & speakers[2])
    assert sum(task.split_sizes().values()) == 5531
