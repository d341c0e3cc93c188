"""The SpeechT5 TTS family on its tiny random config: forward/backward, every built-in method through the
view, placements, the frame mask, the routed self-attention, and one generated utterance."""

import pytest
import torch

from sure_bench.backbones.families.speecht5 import PLACEMENTS, load_speecht5_backbone
from sure_bench.methods.apply import apply_and_count
from sure_bench.methods.registry import load_method

METHODS = ["finetune", "bottleneck", "conv_adapter", "prefix", "lora", "peft:LORA", "peft:IA3"]
IDENTITY_AT_INIT = ["bottleneck", "lora", "peft:LORA"]
PAD = 1  # the tiny config's pad_token_id


def _batch(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(input ids (3, 10), x-vectors (3, 512), log-mel labels (3, 16, 80)): one padded to each length."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, 32, (3, 10), generator=g)
    ids[1, 7:], ids[2, 4:] = PAD, PAD
    labels = torch.randn(3, 16, 80, generator=g) - 4.0
    labels[1, 12:], labels[2, 6:] = -100.0, -100.0
    return ids, torch.randn(3, 512, generator=g), labels


def _mel(backbone) -> torch.Tensor:
    ids, xvectors, labels = _batch()
    torch.manual_seed(1)  # the speech decoder prenet's dropout is on even in eval mode (Tacotron 2, §2.2)
    with torch.no_grad():
        return backbone.eval()(ids, xvectors, labels)["mel"]


def _applied(spec: str, placement: str = "decoder"):
    backbone = load_speecht5_backbone("tiny-speecht5", placement)
    method = load_method(spec)
    declared = method.declared_params(backbone.view, method.make_config()) if method.declared_params else None
    _, params = apply_and_count(backbone, method, method.make_config())
    return backbone, declared, params


def test_forward_backward_and_the_loss_of_the_plain_model():
    backbone = load_speecht5_backbone("tiny-speecht5").train()
    ids, xvectors, labels = _batch()
    torch.manual_seed(0)
    out = backbone(ids, xvectors, labels)
    assert out["mel"].shape == labels.shape and torch.isfinite(out["loss"])
    out["loss"].backward()
    assert backbone.view.layers[0].q.weight.grad is not None and backbone.view.layers[-1].ffn_down.weight.grad.any()
    torch.manual_seed(0)  # the masks the wrapper derives (pad token, -100 frames) change no number
    plain = backbone.model(input_ids=ids, attention_mask=(ids != PAD).long(), speaker_embeddings=xvectors,
                           labels=labels).loss
    torch.testing.assert_close(out["loss"], plain)


@pytest.mark.parametrize("spec", METHODS)
def test_method_trains_only_its_parameters_and_changes_the_output(spec):
    torch.manual_seed(0)
    backbone, declared, params = _applied(spec)
    reference = _mel(load_speecht5_backbone("tiny-speecht5"))
    trainable = [p for p in backbone.parameters() if p.requires_grad]
    assert 0 < sum(p.numel() for p in trainable) == params.method_added + params.method_unfrozen
    assert declared is None or declared == params.method_added + params.method_unfrozen
    if spec != "finetune":
        assert params.percent < 50 and params.method_unfrozen == 0
    before = {n: p.detach().clone() for n, p in backbone.named_parameters() if not p.requires_grad}
    opt = torch.optim.Adam(trainable, lr=1e-2)
    backbone.train()
    ids, xvectors, labels = _batch()
    for _ in range(2):  # a zero-initialised up-projection gives its down-projection a gradient from step 2
        opt.zero_grad()
        backbone(ids, xvectors, labels)["loss"].backward()
        opt.step()
    silent = [n for n, p in backbone.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.any())]
    assert not silent, f"no gradient: {silent[:3]}"
    leaked = [n for n, p in backbone.named_parameters() if not p.requires_grad and p.grad is not None]
    assert not leaked, f"frozen weights got gradients: {leaked[:3]}"
    changed = [n for n, p in backbone.named_parameters() if n in before and not torch.equal(p, before[n])]
    assert not changed, f"frozen weights changed: {changed[:3]}"
    assert all(not p.requires_grad for p in backbone.view.frontend.parameters())  # the text prenet stays frozen
    if spec != "finetune":  # layer-wise methods stay in the decoder
        assert not any(".wrapped_encoder." in n for n, p in backbone.named_parameters() if p.requires_grad)
    assert not torch.allclose(_mel(backbone), reference)


@pytest.mark.parametrize("spec", IDENTITY_AT_INIT)
def test_identity_at_init_leaves_output_unchanged(spec):
    torch.manual_seed(0)
    reference = _mel(load_speecht5_backbone("tiny-speecht5", "encoder+decoder"))
    torch.manual_seed(0)
    backbone, _, _ = _applied(spec, "encoder+decoder")
    torch.testing.assert_close(_mel(backbone), reference)


def test_routed_self_attention_is_the_same_attention():
    """A prefix of length 0 routes every self-attention through the family's own attention: teacher-forced
    (relative position bias in the encoder) and generated (the decoder's cache) numbers are unchanged."""
    pristine = load_speecht5_backbone("tiny-speecht5", "encoder+decoder")
    routed = load_speecht5_backbone("tiny-speecht5", "encoder+decoder")
    method = load_method("prefix")
    apply_and_count(routed, method, method.make_config(overrides={"length": 0}))
    assert all(getattr(layer.attention, "sure_attention", False) for layer in routed.view.layers)
    torch.testing.assert_close(_mel(routed), _mel(pristine))
    ids, xvectors, _ = _batch()
    mels = []
    for backbone in (pristine, routed):
        torch.manual_seed(2)
        mels.append(backbone.eval().model.generate(ids[:1], speaker_embeddings=xvectors[:1], minlenratio=1.0,
                                                   maxlenratio=2.0))
    assert mels[0].shape[0] >= 10
    torch.testing.assert_close(mels[1], mels[0])


def test_placement_picks_the_stacks():
    dec, enc, both = (load_speecht5_backbone("tiny-speecht5", p) for p in PLACEMENTS)
    assert dec.num_layers == enc.num_layers == 2 and both.num_layers == 4 and both.placement == "encoder+decoder"
    assert dec.view.layers[0].q is dec.model.speecht5.decoder.wrapped_decoder.layers[0].self_attn.q_proj
    assert enc.view.layers[0].q is enc.model.speecht5.encoder.wrapped_encoder.layers[0].attention.q_proj
    assert all(n.startswith("speecht5.decoder.wrapped_decoder.layers.") for n in dec.view.module_names("ffn_up"))
    assert all(n.startswith("speecht5.encoder.wrapped_encoder.layers.") for n in enc.view.module_names("ffn_up"))
    last = "speecht5.decoder.wrapped_decoder.layers.1.feed_forward.output_dense"
    assert both.view.module_names("ffn_down")[-1] == last
    assert both.view.module_names("attn_norm")[0] == "speecht5.encoder.wrapped_encoder.layers.0.layer_norm"
    moved = dec.with_placement("encoder")
    assert moved.model is dec.model and moved.placement == "encoder"
    assert moved.view.layers[0].q is dec.model.speecht5.encoder.wrapped_encoder.layers[0].attention.q_proj
    with pytest.raises(ValueError, match="unknown placement"):
        load_speecht5_backbone("tiny-speecht5", "postnet")


def test_lora_on_the_encoder_trains_only_encoder_layers():
    backbone, _, params = _applied("lora", "encoder")
    trained = [n for n, p in backbone.named_parameters() if p.requires_grad]
    assert trained and all(".wrapped_encoder.layers." in n for n in trained)
    ids, xvectors, labels = _batch()
    backbone.train()(ids, xvectors, labels)["loss"].backward()
    assert all(p.grad is not None for n, p in backbone.named_parameters() if "lora_a" in n)


def test_frame_mask_follows_the_running_stack():
    backbone = load_speecht5_backbone("tiny-speecht5", "encoder+decoder")
    seen = []
    backbone.view.insert("after_ffn", 0, _Probe(lambda: backbone.view.frame_mask, seen))
    backbone.view.insert("after_ffn", 2, _Probe(lambda: backbone.view.frame_mask, seen))
    ids, xvectors, labels = _batch()
    backbone(ids, xvectors, labels)
    assert torch.equal(seen[0], ids != PAD)  # valid tokens
    assert torch.equal(seen[1], labels[:, 1::2, 0] != -100.0)  # valid decoder steps (reduction factor 2)


def test_clear_errors():
    backbone = load_speecht5_backbone("tiny-speecht5")
    ids, xvectors, labels = _batch()
    with pytest.raises(ValueError, match="x-vectors"):
        backbone(ids, xvectors[:, :256], labels)
    with pytest.raises(ValueError, match="multiple of reduction_factor"):
        backbone(ids, xvectors, labels[:, :15])


@pytest.mark.parametrize("spec", ["bottleneck", "prefix"])
def test_one_generated_utterance_is_a_finite_waveform(spec):
    backbone, _, _ = _applied(spec)
    ids, xvectors, _ = _batch()
    torch.manual_seed(0)
    wave = backbone.eval().synthesize(ids[0], xvectors[0], minlenratio=1.0, maxlenratio=2.0)
    hop = 16  # the tiny HiFi-GAN upsamples 4 x 4
    assert wave.dim() == 1 and wave.numel() >= 10 * hop and wave.numel() % (2 * hop) == 0
    assert torch.isfinite(wave).all()
    assert backbone.view.frame_mask.shape == (1, 1)  # the decoder ran last, one step at a time
    assert sum(p.numel() for p in backbone.parameters()) == sum(p.numel() for p in backbone.model.parameters()) + \
        sum(p.numel() for p in backbone.inserted.parameters())  # the vocoder is not part of the backbone


class _Probe(torch.nn.Module):
    def __init__(self, mask, seen):
        super().__init__()
        self.mask, self.seen = mask, seen

    def forward(self, y):
        assert self.mask().shape == y.shape[:2]
        self.seen.append(self.mask().clone())
        return torch.zeros_like(y)
