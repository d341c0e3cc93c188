"""Every built-in method reaches the tiny TTS model through its view, on each placement."""

import copy

import pytest
import torch
from tts_helpers import tiny_batch  # noqa: F401

from sure_bench.backbones.families.fastspeech import PLACEMENTS, load_tts_backbone
from sure_bench.methods.apply import apply_and_count
from sure_bench.methods.registry import load_method

METHODS = ["finetune", "bottleneck", "conv_adapter", "prefix", "lora", "peft:IA3", "peft:LORA"]
IDENTITY_AT_INIT = ["bottleneck", "conv_adapter", "lora", "peft:IA3", "peft:LORA"]


def _applied(spec: str, placement: str):
    backbone = load_tts_backbone("tiny-fastspeech", placement)
    method = load_method(spec)
    declared = method.declared_params(backbone.view, method.make_config()) if method.declared_params else None
    _, params = apply_and_count(backbone, method, method.make_config())
    return backbone, declared, params


@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("spec", METHODS)
def test_method_trains_only_its_parameters(spec, placement):
    torch.manual_seed(0)
    backbone, declared, params = _applied(spec, placement)
    before = {n: p.detach().clone() for n, p in backbone.named_parameters() if not p.requires_grad}
    trainable = [p for p in backbone.parameters() if p.requires_grad]
    assert trainable, "nothing trains"
    opt = torch.optim.Adam(trainable, lr=1e-2)
    backbone.train()
    for _ in range(3):  # a zero-initialised up-projection gives its down-projection a gradient from step 2
        opt.zero_grad()
        backbone(*tiny_batch())["loss"].backward()
        opt.step()
    silent = [n for n, p in backbone.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.any())]
    assert not silent, f"no gradient: {silent[:3]}"
    changed = [n for n, p in backbone.named_parameters() if n in before and not torch.equal(p, before[n])]
    assert not changed, f"frozen weights changed: {changed[:3]}"
    assert declared is None or declared == params.method_added + params.method_unfrozen
    if spec != "finetune":  # layer-wise methods stay in the placed stacks
        trained = [n for n, p in backbone.named_parameters() if p.requires_grad]
        for stack in ("encoder", "decoder"):
            assert stack in placement or not any(n.startswith(f"model.{stack}.") for n in trained), trained[:3]


@pytest.mark.parametrize("spec", IDENTITY_AT_INIT)
def test_identity_at_init_leaves_output_unchanged(spec):
    torch.manual_seed(0)
    pristine = load_tts_backbone("tiny-fastspeech", "encoder+decoder").eval()
    with torch.no_grad():
        reference = pristine(*tiny_batch())["mel"]
    backbone = copy.deepcopy(pristine)
    method = load_method(spec)
    apply_and_count(backbone, method, method.make_config())
    with torch.no_grad():
        torch.testing.assert_close(backbone.eval()(*tiny_batch())["mel"], reference)


def test_placement_picks_the_stacks():
    dec, enc, both = (load_tts_backbone("tiny-fastspeech", p) for p in PLACEMENTS)
    assert dec.num_layers == enc.num_layers == 2 and both.num_layers == 4
    assert dec.view.layers[0].q is dec.model.decoder.layers[0].attn.q_proj
    assert both.view.layers[0].q is both.model.encoder.layers[0].attn.q_proj
    assert both.view.module_names("ffn_up")[-1] == "decoder.layers.1.ffn.up"
    assert both.placement == "encoder+decoder"
    with pytest.raises(ValueError, match="unknown placement"):
        load_tts_backbone("tiny-fastspeech", "postnet")


def test_frame_mask_follows_the_running_stack():
    backbone = load_tts_backbone("tiny-fastspeech", "encoder+decoder")
    seen = []
    backbone.view.insert("after_ffn", 0, _Probe(lambda: backbone.view.frame_mask, seen))
    backbone.view.insert("after_ffn", 3, _Probe(lambda: backbone.view.frame_mask, seen))
    backbone(*tiny_batch())
    assert seen[0] == (3, 12) and seen[1] == (3, 40)


def test_a_deep_copy_tracks_its_own_frame_mask():
    pristine = load_tts_backbone("tiny-fastspeech", "encoder+decoder")
    pristine(*tiny_batch())
    copied = copy.deepcopy(pristine)
    seen = []
    copied.view.insert("after_ffn", 0, _Probe(copied.view.current_frame_mask, seen))
    pristine.view.frame_mask = None
    copied(*tiny_batch())
    assert seen == [(3, 12)] and pristine.view.frame_mask is None  # the copy's hooks set the copy's view


def test_conv_adapter_refuses_a_mask_of_other_frames():
    backbone, _, _ = _applied("conv_adapter", "decoder")
    adapter = next(m for m in backbone.modules() if type(m).__name__ == "ConvAdapter")
    adapter.frame_mask = lambda: torch.ones(3, 7, dtype=torch.bool)  # a stale mask, of another batch
    with pytest.raises(RuntimeError, match=r"frame mask \(3, 7\) does not match the layer's frames \(3, 40\)"):
        backbone(*tiny_batch())


class _Probe(torch.nn.Module):
    def __init__(self, mask, seen):
        super().__init__()
        self.mask, self.seen = mask, seen

    def forward(self, y):
        assert self.mask().shape == y.shape[:2]
        self.seen.append(tuple(self.mask().shape))
        return torch.zeros_like(y)
