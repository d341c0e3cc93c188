"""EmoDB loader on a fake copy of download.zip unpacked into emodb/ (wav/ plus the unused side files)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import emodb
from sure_bench.data.manifest import ManifestError
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

from split_picks import picked_rows

TASKS = Path(__file__).resolve().parents[3] / "tasks"
SPEAKERS = ("03", "08", "09", "10", "11", "12", "13", "14", "15", "16")


def _fake_emodb(root: Path) -> Path:
    """Two files per actor (text a01 in anger, text b10 in a speaker-dependent emotion); 16b10Eb.wav broken."""
    base = root / "emodb"
    (base / "wav").mkdir(parents=True)
    for d in ("lablaut", "labsilb", "silb"):
        (base / d).mkdir()
    (base / "erkennung.txt").write_text("Satz\terkannt\tnat\n03a01Wa.wav\t95,0\t80,0\n", encoding="latin-1")
    letters = "WLEAFTNWLE"
    for i, spk in enumerate(SPEAKERS):
        sf.write(base / "wav" / f"{spk}a01Wa.wav", np.zeros(1600, dtype=np.float32), 16000)
        if spk != "16":
            sf.write(base / "wav" / f"{spk}b10{letters[i]}b.wav", np.zeros(4000, dtype=np.float32), 16000)
    (base / "wav" / "16b10Eb.wav").write_bytes(b"broken")
    return root


def test_emodb_reads_speaker_emotion_and_fold_from_names(tmp_path):
    rows = emodb.load(_fake_emodb(tmp_path))
    assert len(rows) == 20
    assert [r.id for r in rows[:3]] == ["03a01Wa", "03b10Wb", "08a01Wa"]
    by_id = {r.id: r for r in rows}
    labels = {spk: by_id[f"{spk}b10{'WLEAFTNWLE'[i]}b"].label for i, spk in enumerate(SPEAKERS)}
    assert labels == {"03": "anger", "08": "boredom", "09": "disgust", "10": "fear", "11": "happiness",
                      "12": "sadness", "13": "neutral", "14": "anger", "15": "boredom", "16": "disgust"}
    assert by_id["09a01Wa"].speaker == "09" and by_id["09a01Wa"].subset == "fold2"
    assert {r.subset for r in rows if r.speaker in ("12", "14")} == {"fold4"}
    assert by_id["03a01Wa"].duration == pytest.approx(0.1) and by_id["03b10Wb"].duration == pytest.approx(0.25)
    assert by_id["16b10Eb"].duration == 0.0
    assert emodb.FOLDS == {"fold1": ("03", "08"), "fold2": ("10", "09"), "fold3": ("11", "13"),
                           "fold4": ("12", "14"), "fold5": ("15", "16")}


def test_emodb_broken_audio_is_named_at_decode(tmp_path):
    rows = emodb.load(_fake_emodb(tmp_path))
    with pytest.raises(BadAudioError, match="16b10Eb.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 19 and ok.skipped[0]["id"] == "16b10Eb"


def test_emodb_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="--data-root"):
        emodb.load(tmp_path)
    root = _fake_emodb(tmp_path)
    bad = root / "emodb" / "wav" / "03a01Xa.wav"
    sf.write(bad, np.zeros(160, dtype=np.float32), 16000)
    with pytest.raises(ManifestError, match=r"03a01Xa\.wav: not an EmoDB file name"):
        emodb.load(root)
    bad.unlink()
    sf.write(root / "emodb" / "wav" / "04a01Wa.wav", np.zeros(160, dtype=np.float32), 16000)
    with pytest.raises(ManifestError, match=r"04a01Wa\.wav"):
        emodb.load(root)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_emodb_fold_yamls_are_speaker_independent(tmp_path, k):
    rows = emodb.load(_fake_emodb(tmp_path))
    task = load_task_file(TASKS / f"er-emodb-fold{k}.yaml")
    picked = picked_rows(task, rows)
    dev = k % 5 + 1
    # the committed speaker lists are the loader's folds
    assert {r.subset for r in picked["test"]} == {f"fold{k}"} and len(picked["test"]) == 4
    assert {r.subset for r in picked["dev"]} == {f"fold{dev}"}
    assert {r.subset for r in picked["train"]} == {f"fold{f}" for f in range(1, 6) if f not in (k, dev)}
    assert len(picked["train"]) + len(picked["dev"]) + len(picked["test"]) == len(rows)
    assert {r.label for r in rows} <= set(make_kind(task).labels) and len(make_kind(task).labels) == 7
