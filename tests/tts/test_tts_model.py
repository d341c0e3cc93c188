"""The TTS model's pieces: forward/backward, monotonic alignment search, symbols, mel and Griffin-Lim."""

import math

import torch
from tts_helpers import tiny_batch

from sure_bench.backbones.families.fastspeech import load_tts_backbone
from sure_bench.tts.audio import griffin_lim, log_mel
from sure_bench.tts.mas import monotonic_alignment
from sure_bench.tts.model import FastSpeech, TTSConfig
from sure_bench.tts.symbols import SYMBOLS, encode, unknown_characters


def test_forward_backward_on_the_tiny_config():
    model = load_tts_backbone("tiny-fastspeech").model
    out = model(*tiny_batch())
    assert all(torch.isfinite(out[k]) for k in ("loss", "mel_l1", "prior_nll", "duration"))
    out["loss"].backward()
    assert all(p.grad is not None for p in model.parameters())
    assert out["durations"].sum(1).tolist() == [40, 31, 17]  # every frame went to one phoneme
    assert (out["durations"][2, :5] >= 1).all() and (out["durations"][2, 5:] == 0).all()


def test_padding_does_not_change_an_utterance():
    model = load_tts_backbone("tiny-fastspeech").model.eval()
    tokens, tl, spk, mels, ml = tiny_batch()
    with torch.no_grad():
        batch = model(tokens, tl, spk, mels, ml)["mel"][2, :17]
        alone = model(tokens[2:, :5], tl[2:], spk[2:], mels[2:, :17], ml[2:])["mel"][0]
    torch.testing.assert_close(batch, alone, atol=1e-5, rtol=1e-5)


def test_full_size_model_is_about_two_million_parameters():
    n = sum(p.numel() for p in FastSpeech(TTSConfig(speakers=[f"s{i}" for i in range(8)])).parameters())
    assert 2_000_000 < n < 3_000_000


def test_mas_hand_checked_case():
    # 3 phonemes, 6 frames; frame likelihoods favour 0 | 1 1 | 2 2 2, except frame 2 which is ambiguous
    log_p = torch.full((1, 3, 6), -10.0)
    for n, frames in enumerate([[0], [1, 2], [3, 4, 5]]):
        log_p[0, n, frames] = 0.0
    log_p[0, 2, 2] = -1.0  # frame 2 slightly prefers phoneme 1
    path = monotonic_alignment(log_p, torch.tensor([3]), torch.tensor([6]))
    assert path[0].argmax(0).tolist() == [0, 1, 1, 2, 2, 2]
    assert path[0].sum(0).tolist() == [1.0] * 6


def test_mas_is_monotonic_and_covers_every_frame_in_a_batch():
    g = torch.Generator().manual_seed(1)
    log_p = torch.randn(4, 7, 30, generator=g)
    tl, fl = torch.tensor([7, 5, 3, 1]), torch.tensor([30, 12, 3, 4])
    path = monotonic_alignment(log_p, tl, fl)
    for b in range(4):
        p = path[b, : tl[b], : fl[b]]
        assert p.sum(0).eq(1).all() and p.sum(1).ge(1).all()  # one phoneme per frame, a frame per phoneme
        idx = p.argmax(0)
        steps = idx[1:] - idx[:-1]
        assert idx[0] == 0 and idx[-1] == tl[b] - 1 and steps.ge(0).all() and steps.le(1).all()
        assert path[b].sum() == fl[b]  # nothing past the clip or its phonemes


def test_mas_finds_the_best_path_brute_force():
    import itertools

    g = torch.Generator().manual_seed(2)
    log_p = torch.randn(1, 3, 6, generator=g)
    best = -math.inf
    for cuts in itertools.combinations(range(1, 6), 2):  # monotonic paths = where phonemes 1 and 2 start
        idx = [0] * cuts[0] + [1] * (cuts[1] - cuts[0]) + [2] * (6 - cuts[1])
        best = max(best, sum(float(log_p[0, n, t]) for t, n in enumerate(idx)))
    path = monotonic_alignment(log_p, torch.tensor([3]), torch.tensor([6]))
    assert math.isclose(float((path * log_p).sum()), best, abs_tol=1e-5)


def test_symbols_cover_espeak_english():
    ipa = "θˈɪŋkɪŋ ðə kwˈɪk bɹˈaʊn fˈɑːks dʒˈʌmps ˌoʊvɚ ðə lˈeɪzi dˈɑːɡ\nθˈɜːtiθɹˈiː θˈɔːt ðat ðeɪ θɹˈəʊn"
    assert not unknown_characters(ipa)
    assert encode("a\nb") == [SYMBOLS.index("a"), SYMBOLS.index(" "), SYMBOLS.index("b")]
    assert encode("☃") == [1]


def test_mel_shape_and_griffin_lim_round_trip():
    t = torch.arange(16000) / 16000
    wave = 0.5 * torch.sin(2 * math.pi * 440 * t)
    mel = log_mel(wave)
    assert mel.shape == (80, 101)
    rebuilt = griffin_lim(mel, iterations=32)
    assert rebuilt.shape == (16000,)
    assert (log_mel(rebuilt) - mel)[:, 5:-5].abs().mean() < 0.5  # the tone's mel survives the vocoder
