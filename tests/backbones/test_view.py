"""The view's parallel insertion points and layer-norm roles on every tiny family; the family table."""

import pytest
import torch
from torch import nn

from sure_bench.backbones.families import FAMILIES
from sure_bench.backbones.registry import EMBEDDED, TINY, load_backbone
from sure_bench.backbones.view import NORM_ROLES


class Recorder(nn.Module):
    """Remembers what it was given; adds nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach().clone())
        return torch.zeros_like(x)


def _zero_linear(hidden: int) -> nn.Linear:
    lin = nn.Linear(hidden, hidden)
    nn.init.zeros_(lin.weight)
    nn.init.zeros_(lin.bias)
    return lin


def _input():
    g = torch.Generator().manual_seed(0)
    return torch.randn(2, 10000, generator=g) * 0.1, torch.tensor([10000, 7000])


@pytest.mark.parametrize("backbone", TINY)
@pytest.mark.parametrize("sublayer, projection", [("attn", "v"), ("ffn", "ffn_up")])
def test_parallel_module_gets_the_sublayer_input(backbone, sublayer, projection):
    enc = load_backbone(backbone).eval()
    layer = enc.view.layers[1]
    recorder, into_projection = Recorder(), []
    enc.view.insert(f"parallel_{sublayer}", 1, recorder)
    getattr(layer, projection).register_forward_pre_hook(lambda m, args: into_projection.append(args[0].clone()))
    with torch.no_grad():
        enc(*_input())
    assert len(recorder.seen) == len(into_projection) == 1
    assert recorder.seen[0].shape[-1] == enc.hidden_size
    torch.testing.assert_close(recorder.seen[0], into_projection[0], rtol=0, atol=0)  # the sublayer's own input


@pytest.mark.parametrize("backbone", TINY)
def test_zero_initialised_parallel_branch_changes_nothing(backbone):
    enc = load_backbone(backbone).eval()
    wave, lengths = _input()
    with torch.no_grad():
        before = enc(wave, lengths)[0]
    added = []
    for i in range(enc.num_layers):
        for point in ("parallel_attn", "parallel_ffn"):
            added.append(_zero_linear(enc.hidden_size))
            enc.view.insert(point, i, added[-1])
    with torch.no_grad():
        same = enc(wave, lengths)[0]
    for a, b in zip(same, before):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert all(any(p is m.weight for p in enc.parameters()) for m in added)  # registered: they train and save
    for m in added:
        nn.init.normal_(m.weight, std=0.1)
    enc.train()
    out = enc(wave, lengths)[0][-1]
    assert not torch.allclose(out.detach(), before[-1])
    out.square().mean().backward()
    assert all(m.weight.grad is not None and m.weight.grad.abs().sum() > 0 for m in added)


@pytest.mark.parametrize("backbone", ["tiny-wav2vec2", "tiny-whisper"])
def test_parallel_branch_under_gradient_checkpointing(backbone):
    grads = []
    for checkpointing in (False, True):
        enc = load_backbone(backbone).train()
        torch.manual_seed(1)
        for i in range(enc.num_layers):
            enc.view.insert("parallel_ffn", i, nn.Linear(enc.hidden_size, enc.hidden_size))
            enc.view.insert("parallel_attn", i, nn.Linear(enc.hidden_size, enc.hidden_size))
        for p in enc.model.parameters():
            p.requires_grad_(False)
        if checkpointing:
            enc.model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        enc.model.config.hidden_dropout = enc.model.config.attention_dropout = 0.0
        for m in enc.modules():
            if isinstance(m, nn.Dropout):
                m.p = 0.0
        enc(*_input())[0][-1].square().mean().backward()
        grads.append({n: p.grad.clone() for n, p in enc.inserted.named_parameters()})
    assert grads[0].keys() == grads[1].keys() and grads[0]
    for n in grads[0]:
        torch.testing.assert_close(grads[1][n], grads[0][n], msg=n)


def test_unknown_insertion_point_names_the_known_ones():
    enc = load_backbone("tiny-whisper")
    with pytest.raises(ValueError, match="parallel_ffn"):
        enc.view.insert("parallel", 0, nn.Identity())


@pytest.mark.parametrize("backbone", TINY)
def test_layer_norm_roles_are_the_layers_own_layer_norms(backbone):
    enc = load_backbone(backbone)
    names = {role: enc.view.module_names(role) for role in NORM_ROLES}
    flat = [n for v in names.values() for n in v]
    assert len(set(flat)) == len(flat) == len(NORM_ROLES) * enc.num_layers
    for role in NORM_ROLES:
        for layer, name in zip(enc.view.layers, names[role]):
            module = getattr(layer, role)
            assert isinstance(module, nn.LayerNorm) and module.normalized_shape == (enc.hidden_size,)
            assert enc.view.model.get_submodule(name) is module
            assert any(module is m for m in layer.module.modules())


def test_ln_tuning_through_peft_by_role(tmp_path):
    from sure_bench.methods.accounting import count_params
    from sure_bench.methods.apply import apply_method
    from sure_bench.methods.registry import load_method

    config = tmp_path / "ln.yaml"
    config.write_text("peft_type: LN_TUNING\ntarget_modules: [attn_norm, ffn_norm]\n")
    method = load_method(f"peft:{config}")
    for backbone in ("tiny-wav2vec2", "tiny-whisper"):
        enc = load_backbone(backbone)
        original = apply_method(enc, method, method.make_config())
        params = count_params(enc, nn.Module(), original)
        assert params.method_added + params.method_unfrozen == 2 * 2 * enc.num_layers * enc.hidden_size


def test_one_family_table():
    assert set(FAMILIES) == {"wav2vec2", "hubert", "wavlm", "data2vec-audio", "whisper"}
    assert {load_backbone(t).family for t in TINY} == set(FAMILIES)
    assert all(callable(weights) for weights in EMBEDDED.values())
