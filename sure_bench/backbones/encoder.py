"""SpeechEncoder: one nn.Module over any supported family, with waveform in and all layers out.

Family-specific module names live only here (and in the loaders beside it).
"""

from __future__ import annotations

import torch
from torch import nn

from sure_bench.backbones.attention import install as install_attention
from sure_bench.backbones.view import BackboneView, LayerView
from sure_bench.backbones.whisper_mel import log_mel_padded

WAV2VEC2_LIKE = ("wav2vec2", "hubert", "wavlm", "data2vec-audio")
FAMILIES = (*WAV2VEC2_LIKE, "whisper")
ATTENTION = ("sdpa", "eager")


class SpeechEncoder(nn.Module):
    """Waveforms (B, S) at 16 kHz -> hidden states of every layer and a frame mask."""

    def __init__(self, model: nn.Module, family: str, name: str = "", weights_sha256: str = ""):
        super().__init__()
        if family not in FAMILIES:
            raise ValueError(f"unsupported backbone family {family!r}; supported: {FAMILIES}")
        if getattr(model.config, "layerdrop", 0.0):
            model.config.layerdrop = 0.0  # every method must see every layer in every step
        self.model = model
        self.family = family
        self.name = name
        self.weights_sha256 = weights_sha256
        self.view = _build_view(model, family)
        if family == "wavlm":  # its attention reads raw weights; route it through the projection modules
            for layer in self.view.layers:
                install_attention(layer.attention, family)
        self.inserted = self.view.inserted_modules()  # registered here so methods' modules train/save

    @property
    def hidden_size(self) -> int:
        return self.view.hidden_size

    @property
    def num_layers(self) -> int:
        return self.view.num_layers

    @property
    def padding_invariant(self) -> bool:
        """Whether a clip's states are the same alone or padded in a batch. wav2vec2-family models with a
        group-normed CNN (wav2vec2-base, HuBERT base) were trained without an attention mask, so padding
        changes their output."""
        return self.family == "whisper" or getattr(self.model.config, "feat_extract_norm", "layer") == "layer"

    def set_attention(self, implementation: str) -> None:
        """`sdpa` (torch's fused scaled-dot-product attention, the default) or `eager` (written out), in
        transformers' attention and in sure-bench's own (WavLM, prefix tuning) alike."""
        if implementation not in ATTENTION:
            raise ValueError(f"unknown attention {implementation!r}; choose from {', '.join(ATTENTION)}")
        if self.family != "wavlm":  # transformers' WavLM has no SDPA; sure-bench's own attention serves it
            self.model.set_attn_implementation(implementation)
        for layer in self.view.layers:
            layer.attention.sure_eager = implementation == "eager"

    def freeze_frontend(self) -> None:
        """Freeze the CNN / conv stem for real (no grad through it, no grad on its output)."""
        for p in self.view.frontend.parameters():
            p.requires_grad_(False)
        fe = getattr(self.model, "feature_extractor", None)
        if fe is not None and hasattr(fe, "_freeze_parameters"):
            fe._freeze_parameters()

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        """Return (hidden states of the input embedding and every layer, frame mask (B, T) bool)."""
        if self.family == "whisper":
            return self._forward_whisper(wave, lengths)
        return self._forward_wav2vec2_like(wave, lengths)

    def _forward_wav2vec2_like(self, wave: torch.Tensor, lengths: torch.Tensor):
        m = self.model
        sample_mask = torch.arange(wave.shape[1], device=wave.device)[None, :] < lengths[:, None]
        frame_lengths = m._get_feat_extract_output_lengths(lengths).long()
        # HF convention: models with a group-normed CNN were trained without an attention mask.
        use_mask = getattr(m.config, "feat_extract_norm", "layer") == "layer"
        n_frames = int(m._get_feat_extract_output_lengths(torch.tensor(wave.shape[1])))
        frame_mask = torch.arange(n_frames, device=wave.device)[None, :] < frame_lengths[:, None]
        self.view.frame_mask = frame_mask
        out = m(wave, attention_mask=sample_mask.long() if use_mask else None, output_hidden_states=True)
        return tuple(out.hidden_states), frame_mask

    def _forward_whisper(self, wave: torch.Tensor, lengths: torch.Tensor):
        enc = self.model
        batch, mel_lengths = log_mel_padded(wave, lengths, n_mels=enc.config.num_mel_bins)
        t_mel = batch.shape[-1]
        # Mel frames past each clip are zeros and conv1's output is zeroed there too, so a clip's frames
        # are the same alone or in a padded batch (the convolutions' own edge padding is zeros).
        mel_mask = torch.arange(t_mel, device=wave.device)[None, None, :] < mel_lengths[:, None, None]
        x = nn.functional.gelu(enc.conv1(batch)) * mel_mask
        x = nn.functional.gelu(enc.conv2(x)).permute(0, 2, 1)
        t = x.shape[1]
        if t > enc.embed_positions.weight.shape[0]:
            raise ValueError(f"clip too long for Whisper: {t} frames > {enc.embed_positions.weight.shape[0]} (30 s)")
        x = x + enc.embed_positions.weight[:t]
        x = nn.functional.dropout(x, p=enc.dropout, training=self.training)
        frame_lengths = (mel_lengths - 1) // 2 + 1
        frame_mask = torch.arange(t, device=wave.device)[None, :] < frame_lengths[:, None]
        self.view.frame_mask = frame_mask
        attn_mask = torch.zeros(frame_mask.shape, dtype=x.dtype, device=x.device)
        attn_mask = attn_mask.masked_fill(~frame_mask, torch.finfo(x.dtype).min)[:, None, None, :]
        states = [x]
        for layer in enc.layers:
            x = layer(x, attn_mask)  # a GradientCheckpointingLayer: checkpoints itself when enabled
            states.append(x)
        states[-1] = enc.layer_norm(x)
        return tuple(states), frame_mask


def _build_view(model: nn.Module, family: str) -> BackboneView:
    if family == "whisper":
        layers = [
            LayerView(i, l, l.self_attn, l.self_attn.q_proj, l.self_attn.k_proj, l.self_attn.v_proj,
                      l.self_attn.out_proj, l.fc1, l.fc2, after_attn=l.self_attn, after_ffn=l.fc2)
            for i, l in enumerate(model.layers)
        ]
        frontend = nn.ModuleList([model.conv1, model.conv2])
        hidden = model.config.d_model
    else:
        layers = [
            LayerView(i, l, l.attention, l.attention.q_proj, l.attention.k_proj, l.attention.v_proj,
                      l.attention.out_proj, l.feed_forward.intermediate_dense, l.feed_forward.output_dense,
                      after_attn=l.attention, after_ffn=l.feed_forward)
            for i, l in enumerate(model.encoder.layers)
        ]
        frontend = model.feature_extractor
        hidden = model.config.hidden_size
    return BackboneView(family=family, model=model, hidden_size=hidden, num_layers=len(layers), frontend=frontend, layers=layers)
