"""wav2vec2-like encoders (wav2vec2, HuBERT, WavLM, data2vec-audio): a CNN on the waveform, then a
transformer whose layers hold `attention`, `layer_norm`, `feed_forward` and `final_layer_norm`."""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from sure_bench.backbones.attention import attend
from sure_bench.backbones.families.base import Family
from sure_bench.backbones.view import BackboneView, LayerView

if TYPE_CHECKING:
    from sure_bench.backbones.encoder import SpeechEncoder


def build_view(model: nn.Module, family: str) -> BackboneView:
    """The family-neutral view over `model.encoder.layers`."""
    layers = [
        LayerView(i, l, l.attention, l.attention.q_proj, l.attention.k_proj, l.attention.v_proj,
                  l.attention.out_proj, l.feed_forward.intermediate_dense, l.feed_forward.output_dense,
                  attn_norm=l.layer_norm, ffn_norm=l.final_layer_norm,
                  after_attn=l.attention, after_ffn=l.feed_forward, attn_input=l.attention, ffn_input=l.feed_forward)
        for i, l in enumerate(model.encoder.layers)
    ]
    return BackboneView(family=family, model=model, hidden_size=model.config.hidden_size, num_layers=len(layers),
                        frontend=model.feature_extractor, layers=layers)


def _uses_attention_mask(model: nn.Module) -> bool:
    """HF convention: models with a group-normed CNN were trained without an attention mask, so padding
    changes their output (wav2vec2-base, HuBERT base); layer-normed ones are padding-invariant."""
    return getattr(model.config, "feat_extract_norm", "layer") == "layer"


def forward(encoder: SpeechEncoder, wave: torch.Tensor, lengths: torch.Tensor):
    """Waveforms through the CNN and the transformer: (input embedding and every layer's states, frame mask)."""
    m = encoder.model
    sample_mask = torch.arange(wave.shape[1], device=wave.device)[None, :] < lengths[:, None]
    frame_lengths = m._get_feat_extract_output_lengths(lengths).long()
    use_mask = _uses_attention_mask(m)
    n_frames = int(m._get_feat_extract_output_lengths(torch.tensor(wave.shape[1])))
    frame_mask = torch.arange(n_frames, device=wave.device)[None, :] < frame_lengths[:, None]
    encoder.view.frame_mask = frame_mask
    out = m(wave, attention_mask=sample_mask.long() if use_mask else None, output_hidden_states=True)
    return tuple(out.hidden_states), frame_mask


def frontend(encoder: SpeechEncoder, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Waveforms through the CNN: (B, T, conv channels), valid frames per clip (those whose receptive
    field lies inside the clip)."""
    m = encoder.model
    return m.feature_extractor(wave).transpose(1, 2), m._get_feat_extract_output_lengths(lengths).long()


class _Given(nn.Module):
    """Stands in for the CNN while transformers' model runs on a front-end output computed earlier."""

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features


def from_frontend(encoder: SpeechEncoder, features: torch.Tensor, frame_lengths: torch.Tensor):
    """The CNN's output through the rest of transformers' own forward (feature projection, SpecAugment when
    training, the transformer; its hidden-state recording): (input embedding and every layer's states,
    frame mask). The CNN is swapped out for the call, and the frame mask given rather than derived from
    sample lengths."""
    m = encoder.model
    frame_mask = torch.arange(features.shape[1], device=features.device)[None, :] < frame_lengths.to(
        features.device)[:, None]
    encoder.view.frame_mask = frame_mask
    use_mask = _uses_attention_mask(m)
    cnn = m.feature_extractor
    m.feature_extractor = _Given()
    m._get_feature_vector_attention_mask = lambda *args, **kwargs: frame_mask
    try:
        out = m(features.transpose(1, 2), attention_mask=frame_mask if use_mask else None,
                output_hidden_states=True)
    finally:
        m.feature_extractor = cnn
        del m._get_feature_vector_attention_mask
    return tuple(out.hidden_states), frame_mask


def from_config(config: Any) -> nn.Module:
    from transformers import AutoModel

    return AutoModel.from_config(config)


def from_pretrained(name_or_path: str, config: Any) -> nn.Module:
    from transformers import AutoModel

    return AutoModel.from_pretrained(name_or_path)


def freeze_frontend(model: nn.Module) -> None:
    """Also switch off the CNN's own gradient (HF's `_freeze_parameters`), so its output needs no grad."""
    fe = getattr(model, "feature_extractor", None)
    if fe is not None and hasattr(fe, "_freeze_parameters"):
        fe._freeze_parameters()


def route_wavlm_attention(attn: nn.Module) -> None:
    """WavLM's attention hands raw q/k/v/out weights to `F.multi_head_attention_forward`; send it through
    `attend` instead, which calls the projection modules (and keeps WavLM's gated position bias)."""

    def mha(self, hidden_states, attention_mask, gated_position_bias):
        return attend(self, hidden_states, attention_mask, gated_position_bias, self.sure_prefix), None

    attn.torch_multi_head_self_attention = types.MethodType(mha, attn)


# ----------------------------------------------------------------- configs

def _tiny(**extra: Any) -> dict:
    common = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                  conv_dim=(16,) * 7, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2)
    return {**common, **extra}


_LARGE = dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
              do_stable_layer_norm=True, feat_extract_norm="layer", conv_bias=True)


def _config(cls_name: str, **kwargs: Any) -> Any:
    import transformers

    return getattr(transformers, cls_name)(**kwargs)


def _family(name: str, **kwargs: Any) -> Family:
    return Family(name=name, build_view=build_view, forward=forward, from_config=from_config,
                  from_pretrained=from_pretrained, padding_invariant=_uses_attention_mask,
                  freeze_frontend=freeze_frontend, frontend=frontend, from_frontend=from_frontend, **kwargs)


FAMILIES = [
    _family(
        "wav2vec2",
        tiny={"tiny-wav2vec2": lambda: _config("Wav2Vec2Config", **_tiny()),
              "tiny-wav2vec2-stable": lambda: _config("Wav2Vec2Config", **_tiny(), do_stable_layer_norm=True,
                                                      feat_extract_norm="layer")},
        architectures={"wav2vec2-base": lambda: _config("Wav2Vec2Config"),
                       "wav2vec2-large": lambda: _config("Wav2Vec2Config", **_LARGE),
                       "wav2vec2-large-xlsr-53": lambda: _config("Wav2Vec2Config", **_LARGE)},
        hub={"wav2vec2-base": "facebook/wav2vec2-base", "wav2vec2-large": "facebook/wav2vec2-large-lv60",
             "wav2vec2-large-xlsr-53": "facebook/wav2vec2-large-xlsr-53"},
    ),
    _family(
        "hubert",
        tiny={"tiny-hubert": lambda: _config("HubertConfig", **_tiny())},
        architectures={"hubert-base": lambda: _config("HubertConfig")},
        hub={"hubert-base": "facebook/hubert-base-ls960"},
    ),
    _family(
        "wavlm",
        # like WavLM Large: padding-invariant
        tiny={"tiny-wavlm": lambda: _config("WavLMConfig", **_tiny(), num_buckets=32, max_bucket_distance=80,
                                            feat_extract_norm="layer", do_stable_layer_norm=True)},
        architectures={"wavlm-base-plus": lambda: _config("WavLMConfig")},
        hub={"wavlm-base-plus": "microsoft/wavlm-base-plus"},
        route_attention=route_wavlm_attention,
        always_route=True,  # transformers' WavLM has no SDPA; sure-bench's own attention serves it
    ),
    _family(
        "data2vec-audio",
        tiny={"tiny-data2vec-audio": lambda: _config("Data2VecAudioConfig", **_tiny(num_conv_pos_embeddings=5))},
        architectures={"data2vec-audio-base": lambda: _config("Data2VecAudioConfig")},  # layer-normed CNN
        hub={"data2vec-audio-base": "facebook/data2vec-audio-base"},
    ),
]
