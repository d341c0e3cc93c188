"""The module-calling attention equals each family's own attention, and carries prefixes correctly."""

import pytest
import torch
from torch import nn

from sure_bench.backbones.attention import install
from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.backbones.families import get_family
from sure_bench.backbones.registry import TINY, _from_config, load_backbone, tiny_config


@pytest.mark.parametrize("family", ["wav2vec2", "wav2vec2-stable", "hubert", "wavlm", "data2vec-audio", "whisper"])
def test_installed_attention_equals_original(family):
    model, fam = _from_config(tiny_config(family))
    model.eval()
    wave, lengths = torch.randn(2, 12000) * 0.1, torch.tensor([12000, 8000])
    raw = SpeechEncoder.__new__(SpeechEncoder)  # the family's own attention, untouched
    nn.Module.__init__(raw)
    family = get_family(fam)
    raw.model, raw.family, raw.view = model, fam, family.build_view(model, fam)
    with torch.no_grad():
        before = SpeechEncoder.forward(raw, wave, lengths)[0][-1]
        for layer in raw.view.layers:
            install(layer.attention, family.route_attention)
        after = SpeechEncoder.forward(raw, wave, lengths)[0][-1]
    torch.testing.assert_close(after, before, atol=1e-5, rtol=1e-4)


def test_wavlm_projection_modules_are_really_called():
    enc = load_backbone("tiny-wavlm")
    calls = []
    enc.view.layers[0].q.register_forward_hook(lambda m, i, o: calls.append(1))
    enc(torch.randn(1, 8000), torch.tensor([8000]))
    assert calls


class Prefix(nn.Module):
    def __init__(self, length: int, hidden: int):
        super().__init__()
        self.k = nn.Parameter(torch.randn(length, hidden))
        self.v = nn.Parameter(torch.randn(length, hidden))

    def forward(self):
        return self.k, self.v


@pytest.mark.parametrize("backbone", TINY)
def test_prefix_of_length_zero_is_the_plain_backbone(backbone):
    enc = load_backbone(backbone).eval()
    wave, lengths = torch.randn(2, 10000) * 0.1, torch.tensor([10000, 7000])
    with torch.no_grad():
        plain = enc(wave, lengths)[0][-1]
        for i in range(enc.num_layers):
            enc.view.set_prefix(i, Prefix(0, enc.hidden_size))
        same = enc(wave, lengths)[0][-1]
    torch.testing.assert_close(same, plain, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("backbone", ["tiny-wav2vec2-stable", "tiny-wavlm", "tiny-whisper"])
def test_prefix_output_same_alone_and_in_padded_batch(backbone):
    enc = load_backbone(backbone).eval()
    for i in range(enc.num_layers):
        enc.view.set_prefix(i, Prefix(4, enc.hidden_size))
    short = torch.randn(1, 6000) * 0.1
    batch = torch.cat([torch.nn.functional.pad(short, (0, 10000)), torch.randn(1, 16000) * 0.1])
    with torch.no_grad():
        alone, m1 = enc(short, torch.tensor([6000]))
        padded, _ = enc(batch, torch.tensor([6000, 16000]))
    n = int(m1.sum())
    torch.testing.assert_close(padded[-1][0, :n], alone[-1][0, :n], atol=1e-4, rtol=1e-4)
