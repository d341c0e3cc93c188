import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import select_split
from sure_bench.data.loaders.snips import load, tag_slots
from sure_bench.data.manifest import ManifestError
from sure_bench.metrics.registry import compute
from sure_bench.tasks.registry import default_tasks_dir, load_task_file
from sure_bench.kinds import make_kind

LINES = [
    "Ivy-snips-train-0 BOS play some taylor swift EOS\tO O O B-artist I-artist PlayMusic",
    "Amy-snips-valid-0 BOS rate this book 5 stars , please EOS\tO O B-object_select B-object_type B-rating_value "
    "B-rating_unit O O RateBook",
    "Brian-snips-test-0 BOS what is the weather EOS\tO O O O O GetWeather",
    "Nobody-snips-test-1 BOS book a table in paris EOS\tO O O B-party_size_number O B-city BookRestaurant",
]


def _fake_snips(root):
    base = root / "SNIPS"
    for split in ("train", "valid", "test"):
        (base / split).mkdir(parents=True)
    (base / "all.iob.snips.txt").write_text("\n".join(LINES) + "\n")
    for line in LINES:
        utt = line.split()[0]
        sf.write(base / utt.split("-")[2] / f"{utt}.wav", np.zeros(1600, np.float32), 16000)
    (base / "test" / "Nobody-snips-test-1.wav").write_bytes(b"broken")
    return base


def test_snips_tags_slot_spans_and_picks_speakers(tmp_path):
    _fake_snips(tmp_path)
    rows = load(tmp_path)
    by_id = {r.id: r for r in rows}
    assert by_id["Ivy-snips-train-0"].label == "play some <artist> taylor swift </artist>"
    assert by_id["Amy-snips-valid-0"].label == ("rate <object_select> this </object_select> <object_type> book "
                                                "</object_type> <rating_value> 5 </rating_value> <rating_unit> stars "
                                                "</rating_unit> please")
    assert by_id["Brian-snips-test-0"].speaker == "Brian" and by_id["Brian-snips-test-0"].subset == "test"
    assert load(tmp_path, target="intent")[0].label == "PlayMusic"
    task = load_task_file(default_tasks_dir() / "sf-snips.yaml")
    test = select_split(rows, task.split_selection("test"))
    assert [r.id for r in test] == ["Brian-snips-test-0"]  # the fourth voice is not a SUPERB test speaker
    with pytest.raises(BadAudioError, match="Nobody-snips-test-1.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    assert by_id["Nobody-snips-test-1"].duration == 0.0


def test_snips_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="all.iob.snips.txt is missing"):
        load(tmp_path)
    base = _fake_snips(tmp_path)
    (base / "all.iob.snips.txt").write_text("Ivy-snips-train-0 BOS play EOS\tO O\n")
    with pytest.raises(ManifestError, match=r"all.iob.snips.txt:1: expected"):
        load(tmp_path)
    with pytest.raises(ValueError, match="target must be"):
        load(tmp_path, target="nope")


def test_tag_slots_closes_spans_on_a_new_b_tag():
    assert tag_slots(["a", "b", "c"], ["B-x", "B-x", "I-y"]) == "<x> a </x> <x> b </x> <y> c </y>"


def test_slot_codec_round_trip_and_metrics():
    codec = make_kind(load_task_file(default_tasks_dir() / "sf-snips.yaml"))
    label = "Play some <artist> Taylor Swift </artist>"
    ids = codec.encode(label)
    assert codec.decode(ids) == codec.reference(label) == "play some <artist> taylor swift </artist>"
    assert len(ids) == len("play some ") + 1 + len(" taylor swift ") + 1
    refs = ["play <artist> taylor swift </artist> in <playlist> chill </playlist>", "what is up"]
    hyps = ["play <artist> tailor swift </artist> in chill", "what is up"]
    scores = compute(["slot_type_f1", "slot_value_cer", "wer"], refs, hyps)
    assert scores["slot_type_f1"] == pytest.approx((2 * 1 * 0.5 / 1.5 + 1) / 2)
    assert scores["slot_value_cer"] == pytest.approx((1 + 5) / (12 + 5))  # one substitution, one value missed
    assert scores["wer"] == pytest.approx(1 / 8)  # tags are not words


def test_sf_snips_trains_end_to_end_on_a_fake_copy(tmp_path, cache_dir):
    """The slot-tagged CTC path through `sure-bench run`: targets, decoding, slot metrics in the result."""
    from sure_bench.cli.main import main
    from sure_bench.results.store import read_result

    base = tmp_path / "SNIPS"
    speakers = {"train": ["Ivy", "Joanna"], "valid": ["Aditi"], "test": ["Brian", "Emma"]}
    lines = []
    for split, names in speakers.items():
        (base / split).mkdir(parents=True)
        for who in names:
            for n in range(2):
                utt = f"{who}-snips-{split}-{n}"
                lines.append(f"{utt} BOS play some jazz EOS\tO O O B-genre PlayMusic")
                sf.write(base / split / f"{utt}.wav", 0.1 * np.sin(np.arange(8000) / 7).astype(np.float32), 16000)
    (base / "all.iob.snips.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert main(["run", "--method", "linear", "--backbone", "tiny-whisper", "--tasks", "sf-snips",
                 "--data-root", str(tmp_path), "--output", str(out), "--no-progress"]) == 0
    result = read_result(out / "tiny-whisper" / "linear" / "sf-snips" / "seed0.json")
    assert set(result.scores.test) == {"slot_type_f1", "slot_value_cer", "wer", "cer"}
    assert result.data.sizes == {"train": 4, "dev": 2, "test": 4} and result.scores.primary == "slot_type_f1"
    preds = (out / "tiny-whisper" / "linear" / "sf-snips" / "seed0.predictions.jsonl").read_text()
    assert '"reference": "play some <genre> jazz </genre>"' in preds
