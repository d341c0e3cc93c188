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
