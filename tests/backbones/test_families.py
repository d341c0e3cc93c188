"""Every backbone family's tiny config through every head, the view, and a frozen front end."""

import pytest
import torch

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.backbones.registry import TINY, load_backbone
from sure_bench.methods.registry import load_method
from sure_bench.run.runner import prepare_model
from sure_bench.tasks.registry import all_tasks
from sure_bench.kinds import make_kind


@pytest.fixture(scope="module")
def codecs(toy_suite):
    _, tasks_dir = toy_suite
    return {name: make_kind(t) for name, t in all_tasks(tasks_dir).items()}


def _batch(codec):
    torch.manual_seed(0)
    wave = torch.randn(2, 12000) * 0.1
    lengths = torch.tensor([12000, 7000])
    labels = {"utterance_classification": [[0], [2]], "multi_slot_classification": [[0, 1], [1, 0]],
              "ctc_asr": [[1, 2, 1], [2, 3, -100]]}[codec.NAME]
    return wave, lengths, torch.tensor(labels)


@pytest.mark.parametrize("backbone", TINY)
@pytest.mark.parametrize("task", ["toy-cls", "toy-slots", "toy-ctc"])
def test_every_family_through_every_head(backbone, task, codecs):
    method = load_method("finetune")
    model, params = prepare_model(load_backbone(backbone), method, method.make_config(), codecs[task], "layers")
    wave, lengths, labels = _batch(codecs[task])
    out = model(wave, lengths, labels)
    assert torch.isfinite(out["loss"])
    out["loss"].backward()
    view = model.encoder.view
    assert view.layers[-1].q.weight.grad is not None and view.layers[0].ffn_down.weight.grad is not None
    assert all(p.grad is None for p in view.frontend.parameters())  # front end frozen by default
    assert params.method_unfrozen > 0 and params.method_added == 0
    assert params.method_unfrozen + sum(p.numel() for p in view.frontend.parameters()) == params.backbone_total


@pytest.mark.parametrize("backbone", ["tiny-wav2vec2", "tiny-hubert", "tiny-whisper"])
def test_linear_trains_only_the_head(backbone, codecs):
    method = load_method("linear")
    model, params = prepare_model(load_backbone(backbone), method, method.make_config(), codecs["toy-cls"], "weighted")
    wave, lengths, labels = _batch(codecs["toy-cls"])
    model(wave, lengths, labels)["loss"].backward()
    assert all(p.grad is None for p in model.encoder.parameters())
    assert params.percent == 0 and params.head > 0 and params.layer_weights == model.encoder.num_layers + 1


def test_frozen_cnn_output_needs_no_grad():
    """In wav2vec2-family models the CNN output requires grad unless the feature encoder is frozen for real."""
    enc = load_backbone("tiny-hubert")
    for p in enc.parameters():
        p.requires_grad_(False)
    for p in enc.view.layers[0].q.parameters():
        p.requires_grad_(True)
    enc.freeze_frontend()
    enc.train()
    feats = enc.model.feature_extractor(torch.randn(1, 4000))
    assert not feats.requires_grad


@pytest.mark.parametrize("backbone", ["tiny-wav2vec2-stable", "tiny-whisper"])  # group-normed CNNs see padding by design
def test_padded_batch_matches_single_clip(backbone):
    enc = load_backbone(backbone).eval()
    short = torch.randn(1, 6000) * 0.1
    batch = torch.zeros(2, 16000)
    batch[0, :6000] = short[0]
    batch[1] = torch.randn(16000) * 0.1
    with torch.no_grad():
        alone, mask1 = enc(short, torch.tensor([6000]))
        padded, mask2 = enc(batch, torch.tensor([6000, 16000]))
    n = int(mask1.sum())
    assert int(mask2[0].sum()) == n
    torch.testing.assert_close(padded[-1][0, :n], alone[-1][0, :n], atol=1e-4, rtol=1e-4)


def test_view_insert_adds_residual_module():
    enc = load_backbone("tiny-whisper").eval()
    wave, lengths = torch.randn(1, 8000), torch.tensor([8000])
    with torch.no_grad():
        before = enc(wave, lengths)[0][-1]
    zero = torch.nn.Linear(enc.hidden_size, enc.hidden_size)
    torch.nn.init.zeros_(zero.weight)
    torch.nn.init.zeros_(zero.bias)
    enc.view.insert("after_ffn", 0, zero)
    with torch.no_grad():
        same = enc(wave, lengths)[0][-1]
    torch.testing.assert_close(same, before)
    torch.nn.init.normal_(zero.weight)  # (a constant shift would vanish in the next LayerNorm)
    with torch.no_grad():
        changed = enc(wave, lengths)[0][-1]
    assert not torch.allclose(changed, before)
    assert any(p is zero.weight for p in enc.parameters())  # inserted modules are part of the encoder
    with pytest.raises(ValueError, match="out of range"):
        enc.view.insert("after_attn", 9, zero)


SPEECH_TINY = [b for b in TINY if isinstance(load_backbone(b), SpeechEncoder)]


@pytest.mark.parametrize("backbone", SPEECH_TINY)
def test_forward_splits_exactly_at_the_front_end(backbone):
    """What the front-end cache relies on: the family's two halves compose to its forward, bit for bit."""
    enc = load_backbone(backbone).eval()
    fam = enc.family_spec
    assert (fam.frontend is None) == (fam.from_frontend is None)
    if fam.frontend is None:
        assert not enc.caches_frontend
        return
    torch.manual_seed(0)
    wave, lengths = torch.randn(2, 12000) * 0.1, torch.tensor([12000, 7000])
    wave[1, 7000:] = 0
    with torch.no_grad():
        states, mask = enc(wave, lengths)
        features, frame_lengths = enc.frontend(wave, lengths)
        split, split_mask = enc.from_frontend(features, frame_lengths)
    assert torch.equal(mask, split_mask) and frame_lengths.tolist() == mask.sum(1).tolist()
    assert len(states) == len(split) and all(torch.equal(a, b) for a, b in zip(states, split))
    assert enc.caches_frontend == enc.padding_invariant
