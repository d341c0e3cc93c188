import pytest
import torch

from sure_bench.backbones.whisper_mel import log_mel, log_mel_padded


def test_batched_mel_matches_per_clip_mel_and_ignores_padding():
    torch.manual_seed(0)
    a, b = torch.randn(16000) * 0.1, torch.randn(9000) * 0.1
    batch = torch.zeros(2, 16000)
    batch[0], batch[1, :9000] = a, b
    batch[1, 9000:] = 5.0  # junk past the clip's end must not leak in
    mel, frames = log_mel_padded(batch, torch.tensor([16000, 9000]))
    assert frames.tolist() == [100, 56] and mel.shape == (2, 80, 100)
    alone, _ = log_mel_padded(b[None], torch.tensor([9000]))
    torch.testing.assert_close(mel[1, :, :56], alone[0, :, :56])
    assert (mel[1, :, 56:] == 0).all()
    # Same as the single-clip front end away from the clip's last frames (whose windows pass its end).
    torch.testing.assert_close(mel[0, :, :98], log_mel(a)[:, :98], atol=1e-5, rtol=1e-5)


def test_too_short_clip_is_a_clear_error():
    with pytest.raises(ValueError, match="clip too short"):
        log_mel_padded(torch.zeros(1, 100), torch.tensor([100]))
