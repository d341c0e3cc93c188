"""Every method on every backbone family's tiny config: gradients reach all it adds, frozen stays frozen."""

import pytest
import torch

from sure_bench.backbones.registry import TINY, load_backbone
from sure_bench.methods.registry import load_method
from sure_bench.run.runner import prepare_model
from sure_bench.tasks.registry import all_tasks
from sure_bench.kinds import make_kind

METHODS = ["bottleneck", "bottleneck@houlsby", "bottleneck@seed", "conv_adapter", "conv_adapter@seed", "prefix",
           "prefix@mlp", "lora", "lora@seed", "peft:LORA", "peft:IA3", "peft:LOHA", "peft:DORA"]


@pytest.fixture(scope="module")
def codec(toy_suite):
    return make_kind(all_tasks(toy_suite[1])["toy-cls"])


def build(backbone: str, spec: str, codec):
    name, _, preset = spec.partition("@")
    method = load_method(name)
    torch.manual_seed(0)
    encoder = load_backbone(backbone)
    frozen = {n: p.detach().clone() for n, p in encoder.named_parameters()}
    model, params = prepare_model(encoder, method, method.make_config(preset or "default"), codec, "layers")
    return model, params, frozen


def batch():
    g = torch.Generator().manual_seed(1)
    return torch.randn(2, 9000, generator=g) * 0.1, torch.tensor([9000, 6000]), torch.tensor([[0], [2]])


@pytest.mark.parametrize("backbone", TINY)
@pytest.mark.parametrize("spec", METHODS)
def test_method_trains_what_it_adds_and_nothing_frozen(backbone, spec, codec):
    model, params, frozen = build(backbone, spec, codec)
    added = {n: p for n, p in model.encoder.named_parameters() if p.requires_grad}
    assert added and params.method_added == sum(p.numel() for p in added.values())
    assert params.method_unfrozen == 0
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    wave, lengths, labels = batch()
    model.train()
    for _ in range(3):  # zero-initialised up-projections make the first gradients of the rest zero
        opt.zero_grad()
        model(wave, lengths, labels)["loss"].backward()
        opt.step()
    opt.zero_grad()
    model(wave, lengths, labels)["loss"].backward()
    silent = [n for n, p in added.items() if p.grad is None or not p.grad.abs().sum() > 0]
    assert not silent, f"{spec} on {backbone}: parameters without gradient: {silent[:5]}"
    for n, p in model.encoder.named_parameters():
        base = n.replace(".base_layer", "").replace(".base.", ".")
        if base in frozen and not p.requires_grad:
            assert torch.equal(p, frozen[base]), f"frozen weight {n} changed"


@pytest.mark.parametrize("backbone", ["tiny-wav2vec2", "tiny-wavlm", "tiny-whisper"])
@pytest.mark.parametrize("spec", ["bottleneck", "bottleneck@houlsby", "conv_adapter", "lora", "peft:LORA"])
def test_identity_at_init(backbone, spec, codec):
    torch.manual_seed(0)
    plain = load_backbone(backbone).eval()
    model, _, _ = build(backbone, spec, codec)
    model.eval()
    wave, lengths, _ = batch()
    with torch.no_grad():
        torch.testing.assert_close(model.encoder(wave, lengths)[0][-1], plain(wave, lengths)[0][-1])


def test_seed_conv_adapter_is_not_identity_at_init(codec):
    torch.manual_seed(0)
    plain = load_backbone("tiny-whisper").eval()
    model, _, _ = build("tiny-whisper", "conv_adapter@seed", codec)
    wave, lengths, _ = batch()
    with torch.no_grad():
        assert not torch.allclose(model.encoder.eval()(wave, lengths)[0][-1], plain(wave, lengths)[0][-1])


@pytest.mark.parametrize("backbone", ["tiny-wav2vec2-stable", "tiny-whisper", "tiny-wavlm"])
def test_prefix_gradient_checkpointing_gives_same_gradients(backbone, codec):
    grads = []
    for checkpointing in (False, True):
        model, _, _ = build(backbone, "prefix", codec)
        model.train()
        for m in model.modules():  # no dropout: both passes must see the same function
            if isinstance(m, torch.nn.Dropout):
                m.p = 0.0
        model.encoder.model.config.mask_time_prob = 0.0
        model.encoder.model.config.apply_spec_augment = False
        if hasattr(model.encoder.model.config, "dropout"):
            model.encoder.model.dropout = 0.0
        if checkpointing:
            model.encoder.model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
            assert any(getattr(m, "gradient_checkpointing", False) for m in model.modules())
        wave, lengths, labels = batch()
        model(wave, lengths, labels)["loss"].backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad})
    assert grads[0].keys() == grads[1].keys()
    for n in grads[0]:
        torch.testing.assert_close(grads[1][n], grads[0][n], atol=1e-6, rtol=1e-5, msg=n)


@pytest.mark.parametrize("backbone", TINY)
def test_peft_roles_map_to_each_family(backbone):
    enc = load_backbone(backbone)
    names = {role: enc.view.module_names(role) for role in ("q", "k", "v", "out", "ffn_up", "ffn_down")}
    assert all(len(v) == enc.num_layers for v in names.values())
    flat = [n for v in names.values() for n in v]
    assert len(set(flat)) == len(flat)
    expected_down = "fc2" if enc.family == "whisper" else "output_dense"
    assert all(n.endswith(expected_down) for n in names["ffn_down"])
