"""The pretraining script's smoke run: a few steps on 6 espeak-ng utterances write a checkpoint that loads,
synthesizes, and resumes."""

import json
import shutil

import pytest
import torch
from tts_helpers import SENTENCES, write_espeak_corpus

from sure_bench.backbones.families.fastspeech import load_tts_backbone
from sure_bench.tts.checkpoint import load_checkpoint
from sure_bench.tts.data import bucketed_batches
from sure_bench.tts.pretrain import main

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_espeak_corpus(tmp_path_factory.mktemp("tts"), SENTENCES[:3], ["en-us", "en-gb"], heldout_every=3)


def _args(corpus, out, steps):
    return ["--data-root", str(corpus), "--out", str(out), "--tiny", "--max-steps", str(steps), "--batch-size", "2",
            "--log-every", "2", "--save-every", "2", "--seed", "3"]


def test_smoke_run_writes_a_checkpoint_that_loads_and_synthesizes(corpus, tmp_path):
    out = tmp_path / "tts.safetensors"
    assert main(_args(corpus, out, 4)) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["steps"] == 4 and card["seed"] == 3 and card["speakers"] == ["en-gb", "en-us"]
    assert len(card["data_manifest_sha256"]) == 64 and card["command"].endswith("--seed 3")
    assert set(card["final_losses"]["heldout"]) == {"loss", "mel_l1", "prior_nll", "duration"}
    assert out.stat().st_size < 10_000_000
    model, loaded_card = load_checkpoint(out)
    assert loaded_card == card and next(model.parameters()).dtype == torch.float32
    wave = model.synthesize("ðə kwˈɪk bɹˈaʊn fˈɑːks", "en-us", iterations=4)
    assert wave.ndim == 1 and wave.numel() > 0 and torch.isfinite(wave).all()
    backbone = load_tts_backbone(str(out), "decoder")
    assert backbone.placement == "decoder" and backbone.weights_sha256 == card["weights_sha256"]

    # resumed from step 4 to step 6 = 6 steps at once
    assert main(_args(corpus, out, 6)) == 0
    once = tmp_path / "once.safetensors"
    assert main(_args(corpus, once, 6)) == 0
    resumed, straight = load_checkpoint(out)[0], load_checkpoint(once)[0]
    for (name, a), b in zip(resumed.state_dict().items(), straight.state_dict().values()):
        assert torch.equal(a, b), name


def test_batches_are_length_bucketed_and_seeded():
    lengths = list(range(100))
    a = bucketed_batches(lengths, 4, seed=0, epoch=0, window=5)
    assert a == bucketed_batches(lengths, 4, seed=0, epoch=0, window=5) != bucketed_batches(lengths, 4, 0, 1, 5)
    assert sorted(i for b in a for i in b) == lengths
    assert max(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in a) < 40


def test_pretraining_uses_the_pretraining_voices_only():
    """tts-mini's dev and test rows are the held-out target's: never trained on, never a held-out loss."""
    import torch

    from sure_bench.tts.data import Item
    from sure_bench.tts.pretrain import _split

    def item(i: int, speaker: str, split: str) -> Item:
        return Item(f"{speaker}-{i}", torch.zeros(3, dtype=torch.long), speaker, torch.zeros(5, 80), split)

    items = [item(i, f"v{i % 3}", "pretrain") for i in range(300)] + [item(i, "target", s) for i in range(9)
                                                                      for s in ("adapt", "dev", "test")]
    train, held = _split(items)
    assert {it.speaker for it in train + held} == {"v0", "v1", "v2"}
    assert 0 < len(held) < 20 and len(train) + len(held) == 300 and not {it.id for it in held} & {it.id for it in train}
    plain = [item(i, "a", "train") for i in range(10)] + [item(i, "a", "dev") for i in range(10, 12)]
    assert [it.id for it in _split(plain)[1]] == ["a-10", "a-11"]  # a corpus's own dev rows, when its voices have them


def test_the_packaged_checkpoint_is_what_its_card_says():
    """fastspeech-tts-mini: fp16 weights under 10 MB whose sha256 the card records, with the command, seed
    and corpus that made them; it loads by name and speaks."""
    from sure_bench.backbones.families.fastspeech import EMBEDDED
    from sure_bench.backbones.registry import known_backbones, load_backbone
    from sure_bench.files import file_digest

    path = EMBEDDED["fastspeech-tts-mini"]
    card = json.loads(path.with_suffix(".json").read_text())
    assert path.stat().st_size < 10_000_000 and file_digest(path) == card["weights_sha256"]
    assert card["command"].startswith("python -m sure_bench.tts.pretrain") and card["seed"] == 0
    assert len(card["speakers"]) == 12 and card["steps"] > 1000 and len(card["data_manifest_sha256"]) == 64
    assert "fastspeech-tts-mini" in known_backbones()
    backbone = load_backbone("fastspeech-tts-mini")
    assert backbone.weights_sha256 == card["weights_sha256"] and backbone.model.config.speakers == card["speakers"]
    wave = backbone.synthesize("ðə kwˈɪk bɹˈaʊn fˈɑːks", card["speakers"][0], iterations=4)
    assert wave.ndim == 1 and wave.numel() > 8000 and torch.isfinite(wave).all()
