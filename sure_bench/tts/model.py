"""A FastSpeech-style multi-speaker acoustic model (IPA symbols -> 80-bin log-mel), about 2 M parameters.

Phoneme embedding and sinusoidal positions -> encoder stack -> + speaker embedding -> a per-phoneme mel prior
`mu` (Grad-TTS) and a duration predictor; in training, monotonic alignment search aligns the (normalised)
target mel to `mu`, the encoder states are expanded by that alignment, at inference by the predicted
durations -> decoder stack -> linear to mel. Losses: L1 on the mel, the prior's Gaussian NLL, MSE on
log durations. Both stacks are pre-norm transformer blocks with separate q/k/v/out `nn.Linear`s and a
convolutional feed-forward (an `nn.Linear` over `kernel` neighbouring frames, then one back to `d`), so
PEFT methods find every projection (`sure_bench.backbones.families.fastspeech` builds their view).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from sure_bench.tts.mas import monotonic_alignment
from sure_bench.tts.symbols import SYMBOLS, encode


@dataclass
class TTSConfig:
    speakers: list[str] = field(default_factory=lambda: ["default"])  # one embedding row each, in this order
    n_symbols: int = len(SYMBOLS)
    d: int = 128
    heads: int = 2
    encoder_layers: int = 3
    decoder_layers: int = 3
    ffn: int = 512
    kernel: int = 3  # frames (or phonemes) seen by the feed-forward's first projection
    n_mels: int = 80
    dropout: float = 0.1
    duration_filter: int = 128

    def to_dict(self) -> dict:
        return asdict(self)


def sinusoids(length: int, d: int, device: torch.device) -> torch.Tensor:
    """(length, d) sinusoidal position encodings."""
    pos = torch.arange(length, device=device, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, d, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / d))
    enc = torch.zeros(length, d, device=device)
    enc[:, 0::2], enc[:, 1::2] = torch.sin(pos * freq), torch.cos(pos * freq)
    return enc


class SelfAttention(nn.Module):
    """Multi-head self-attention with transformers' names and call signature (`route_forward` can replace it)."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))
        self.num_heads, self.scaling = heads, (d // heads) ** -0.5
        self.dropout = 0.0  # no dropout on attention weights: on CPU it costs a third of a step

    def forward(self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None) -> tuple:
        """attention_mask: (B, T) bool, True on real positions -> (output, None)."""
        b, t, d = hidden_states.shape
        q, k, v = (p(hidden_states).view(b, t, self.num_heads, -1).transpose(1, 2)
                   for p in (self.q_proj, self.k_proj, self.v_proj))
        mask = None if attention_mask is None else attention_mask[:, None, None, :].bool()
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=self.scaling)
        return self.out_proj(out.transpose(1, 2).reshape(b, t, d)), None


class ConvFeedForward(nn.Module):
    """A 1-D convolution of width `kernel` written as `up` over stacked neighbours, ReLU, then `down`."""

    def __init__(self, d: int, hidden: int, kernel: int, dropout: float):
        super().__init__()
        self.kernel = kernel
        self.up, self.down, self.dropout = nn.Linear(d * kernel, hidden), nn.Linear(hidden, d), nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x * mask[..., None]  # padding reads as zeros, alone or in a batch
        half = self.kernel // 2
        stacked = F.pad(x, (0, 0, half, self.kernel - 1 - half)).unfold(1, self.kernel, 1)  # (B, T, d, k)
        stacked = stacked.transpose(2, 3).reshape(x.shape[0], x.shape[1], -1)
        return self.down(self.dropout(torch.relu(self.up(stacked))))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(norm(x)), then x + ffn(norm(x))."""

    def __init__(self, cfg: TTSConfig):
        super().__init__()
        self.attn_norm, self.attn = nn.LayerNorm(cfg.d), SelfAttention(cfg.d, cfg.heads)
        self.ffn_norm, self.ffn = nn.LayerNorm(cfg.d), ConvFeedForward(cfg.d, cfg.ffn, cfg.kernel, cfg.dropout)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attn(self.attn_norm(x), mask)[0])
        x = x + self.dropout(self.ffn(self.ffn_norm(x), mask))
        return x * mask[..., None]


class Stack(nn.Module):
    """Blocks over a masked sequence, then a final layer norm; `forward(x, mask)` (mask: (B, T) bool)."""

    def __init__(self, cfg: TTSConfig, layers: int):
        super().__init__()
        self.layers = nn.ModuleList(Block(cfg) for _ in range(layers))
        self.norm = nn.LayerNorm(cfg.d)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x, mask)
        return self.norm(x) * mask[..., None]


class DurationPredictor(nn.Module):
    """Two convolutions (kernel 3) with ReLU and layer norm, then log(1 + frames) per phoneme."""

    def __init__(self, cfg: TTSConfig):
        super().__init__()
        f = cfg.duration_filter
        self.convs = nn.ModuleList([nn.Conv1d(cfg.d, f, 3, padding=1), nn.Conv1d(f, f, 3, padding=1)])
        self.norms = nn.ModuleList([nn.LayerNorm(f), nn.LayerNorm(f)])
        self.out, self.dropout = nn.Linear(f, 1), nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask[..., None]
        for conv, norm in zip(self.convs, self.norms):
            x = self.dropout(norm(torch.relu(conv((x * m).transpose(1, 2)).transpose(1, 2))))
        return self.out(x * m).squeeze(-1) * mask


def _mask(lengths: torch.Tensor, length: int | None = None) -> torch.Tensor:
    return torch.arange(length or int(lengths.max()), device=lengths.device)[None, :] < lengths[:, None]


class FastSpeech(nn.Module):
    """Symbols and a speaker -> normalised log-mel (`mel_mean`, `mel_std`: per-bin statistics, buffers)."""

    def __init__(self, cfg: TTSConfig):
        super().__init__()
        self.config = cfg
        self.embed = nn.Embedding(cfg.n_symbols, cfg.d, padding_idx=0)
        self.speaker = nn.Embedding(len(cfg.speakers), cfg.d)
        nn.init.normal_(self.speaker.weight, std=0.1)
        self.encoder, self.decoder = Stack(cfg, cfg.encoder_layers), Stack(cfg, cfg.decoder_layers)
        self.prior, self.duration = nn.Linear(cfg.d, cfg.n_mels), DurationPredictor(cfg)
        self.mel_out = nn.Linear(cfg.d, cfg.n_mels)
        self.register_buffer("mel_mean", torch.zeros(cfg.n_mels))
        self.register_buffer("mel_std", torch.ones(cfg.n_mels))

    def encode(self, tokens: torch.Tensor, token_lengths: torch.Tensor, speakers: torch.Tensor):
        """-> (speaker-conditioned encoder states (B, N, d), prior mu (B, N, n_mels), log durations, mask).
        `speakers`: (B,) ids of pretraining voices, or (B, d) embedding rows (a new voice being adapted)."""
        mask = _mask(token_lengths, tokens.shape[1])
        x = (self.embed(tokens) + sinusoids(tokens.shape[1], self.config.d, tokens.device)) * mask[..., None]
        voice = speakers if speakers.is_floating_point() else self.speaker(speakers)  # rows given, or their ids
        h = (self.encoder(x, mask) + voice[:, None, :]) * mask[..., None]
        return h, self.prior(h), self.duration(h.detach(), mask), mask

    def decode(self, aligned: torch.Tensor, frame_mask: torch.Tensor) -> torch.Tensor:
        """Frame-rate states (B, T, d) -> normalised mel (B, T, n_mels)."""
        x = (aligned + sinusoids(aligned.shape[1], self.config.d, aligned.device)) * frame_mask[..., None]
        return self.mel_out(self.decoder(x, frame_mask)) * frame_mask[..., None]

    def normalise(self, mel: torch.Tensor) -> torch.Tensor:
        """Log-mel (B, T, n_mels) -> the model's normalised scale."""
        return (mel - self.mel_mean) / self.mel_std

    def forward(self, tokens: torch.Tensor, token_lengths: torch.Tensor, speakers: torch.Tensor,
                mels: torch.Tensor, mel_lengths: torch.Tensor) -> dict[str, torch.Tensor]:
        """Training losses for log-mels (B, T, n_mels): `loss` = `mel_l1` + `prior_nll` + `duration`;
        also `durations` (B, N), the frames monotonic alignment search gave each phoneme."""
        y = self.normalise(mels)
        h, mu, log_dur, mask = self.encode(tokens, token_lengths, speakers)
        frame_mask = _mask(mel_lengths, y.shape[1])
        with torch.no_grad():  # log N(y_t; mu_n, I) up to a constant, (B, N, T)
            log_p = -0.5 * ((mu.detach() ** 2).sum(-1)[..., None] - 2 * mu.detach() @ y.transpose(1, 2)
                            + (y ** 2).sum(-1)[:, None, :])
            path = monotonic_alignment(log_p, token_lengths, mel_lengths)
        frames = frame_mask.sum() * self.config.n_mels
        mu_aligned = path.transpose(1, 2) @ mu  # (B, T, n_mels)
        prior_nll = (0.5 * ((y - mu_aligned) ** 2 + math.log(2 * math.pi)) * frame_mask[..., None]).sum() / frames
        mel = self.decode(path.transpose(1, 2) @ h, frame_mask)
        mel_l1 = ((mel - y).abs() * frame_mask[..., None]).sum() / frames
        durations = path.sum(-1)
        dur_loss = (((log_dur - torch.log1p(durations)) ** 2) * mask).sum() / mask.sum()
        return {"loss": mel_l1 + prior_nll + dur_loss, "mel_l1": mel_l1, "prior_nll": prior_nll,
                "duration": dur_loss, "durations": durations, "mel": mel}

    @torch.no_grad()
    def infer(self, tokens: torch.Tensor, token_lengths: torch.Tensor, speakers: torch.Tensor,
              durations: torch.Tensor | None = None, pace: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (log-mel (B, T, n_mels), frame lengths), from predicted durations (or given ones, (B, N))."""
        h, _, log_dur, mask = self.encode(tokens, token_lengths, speakers)
        if durations is None:
            durations = torch.clamp(torch.round((torch.exp(log_dur) - 1) * pace), min=1)
        durations = (durations * mask).long()
        lengths = durations.sum(1)
        frame_mask = _mask(lengths)
        aligned = torch.zeros(h.shape[0], int(lengths.max()), h.shape[2], device=h.device)
        for i, (d, n) in enumerate(zip(durations, lengths)):
            aligned[i, : int(n)] = torch.repeat_interleave(h[i], d, dim=0)
        mel = self.decode(aligned, frame_mask)
        return (mel * self.mel_std + self.mel_mean) * frame_mask[..., None], lengths

    def speaker_index(self, speaker: int | str) -> int:
        return self.config.speakers.index(speaker) if isinstance(speaker, str) else int(speaker)

    @torch.no_grad()
    def synthesize(self, phonemes: str, speaker: int | str = 0, pace: float = 1.0, iterations: int = 32) -> torch.Tensor:
        """An IPA string (espeak-ng `--ipa` output) in a pretraining voice (index or name) -> 16 kHz waveform (S,)."""
        from sure_bench.tts.audio import griffin_lim

        ids = torch.tensor([encode(phonemes)], device=self.mel_mean.device)
        spk = torch.tensor([self.speaker_index(speaker)], device=ids.device)
        mel, _ = self.infer(ids, torch.tensor([ids.shape[1]], device=ids.device), spk, pace=pace)
        return griffin_lim(mel[0].T, iterations)
