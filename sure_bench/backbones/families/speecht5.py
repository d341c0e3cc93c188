"""SpeechT5 text-to-speech (transformers' `SpeechT5ForTextToSpeech`) with a `SpeechT5HifiGan` vocoder: the
TTS track's pretrained-from-the-hub backbone, a voice given as a 512-d speaker x-vector.

Characters (its tokenizer's ids) -> text prenet -> encoder stack -> autoregressive speech decoder (mel
prenet + x-vector, `reduction_factor` frames a step) -> postnet -> 80-bin log-mel -> HiFi-GAN. Both stacks
are post-norm layers: encoder `attention`, `layer_norm`, `feed_forward` (`intermediate_dense`,
`output_dense`), `final_layer_norm`; decoder `self_attn`, `self_attn_layer_norm`, `encoder_attn` (cross),
`encoder_attn_layer_norm`, `feed_forward`, `final_layer_norm`. The view maps the self-attention and the
feed-forward to the roles; cross-attention plays none. `placement` chooses the stacks as in `fastspeech`.

Like `fastspeech` it is no speech encoder, so `FAMILIES` is empty and `SpeechT5Backbone` plays the
encoder's part for `sure_bench.methods.apply.apply_method`. The vocoder is frozen and kept outside the
module tree: it is neither trained nor counted in the backbone's parameters.
"""

from __future__ import annotations

import types
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from sure_bench.backbones.digest import state_dict_sha256
from sure_bench.backbones.families.base import Family
from sure_bench.backbones.view import BackboneView, LayerView, TextToSpeechBackbone

FAMILY = "speecht5"
PLACEMENTS = ("decoder", "encoder", "encoder+decoder")
# The real-user path (needs the network or a local HF cache): acoustic model and vocoder by name.
HUB: dict[str, str] = {"speecht5": "microsoft/speecht5_tts"}
VOCODER_HUB: dict[str, str] = {"speecht5": "microsoft/speecht5_hifigan"}
# Hugging Face's fine-tuning recipe for a new voice (the TTS fine-tuning blog post / course chapter).
RECIPE: dict[str, float] = {"lr": 1e-5, "warmup_steps": 500, "max_steps": 4000, "batch_size": 32}


def _check_placement(placement: str) -> None:
    if placement not in PLACEMENTS:
        raise ValueError(f"unknown placement {placement!r}; use one of {', '.join(PLACEMENTS)}")


def _stacks(model: nn.Module, placement: str) -> list[nn.Module]:
    _check_placement(placement)
    t5 = model.speecht5
    by_name = {"encoder": t5.encoder.wrapped_encoder, "decoder": t5.decoder.wrapped_decoder}
    return [by_name[name] for name in placement.split("+")]


def _layer_view(i: int, layer: nn.Module) -> LayerView:
    attn = layer.attention if hasattr(layer, "attention") else layer.self_attn  # encoder / decoder layer
    attn_norm = layer.layer_norm if hasattr(layer, "attention") else layer.self_attn_layer_norm
    ffn = layer.feed_forward
    return LayerView(i, layer, attn, attn.q_proj, attn.k_proj, attn.v_proj, attn.out_proj, ffn.intermediate_dense,
                     ffn.output_dense, attn_norm=attn_norm, ffn_norm=layer.final_layer_norm,
                     after_attn=attn, after_ffn=ffn, attn_input=attn, ffn_input=ffn)


def build_view(model: nn.Module, family: str = FAMILY, placement: str = "decoder") -> BackboneView:
    """The family-neutral view over the self-attention and feed-forward of the stacks `placement` names
    (encoder layers first); `frame_mask` follows the stack that runs: its valid tokens, then its valid
    decoder steps (one per `reduction_factor` frames; (B, 1) ones at each step of generation)."""
    if not hasattr(model, "speecht5") or not hasattr(model.speecht5.decoder, "wrapped_decoder"):
        raise TypeError(f"speecht5 view: expected a SpeechT5ForTextToSpeech, got {type(model).__name__}")
    blocks = [layer for stack in _stacks(model, placement) for layer in stack.layers]
    view = BackboneView(family=family, model=model, hidden_size=model.config.hidden_size, num_layers=len(blocks),
                        frontend=nn.ModuleList([model.speecht5.encoder.prenet]),
                        layers=[_layer_view(i, b) for i, b in enumerate(blocks)], placement=placement,
                        route_attention=route_self_attention)

    def track_mask(_stack: nn.Module, args: tuple, kwargs: dict) -> None:
        hidden = args[0] if args else kwargs["hidden_states"]
        mask = args[1] if len(args) > 1 else kwargs.get("attention_mask")
        view.frame_mask = (mask.bool() if mask is not None
                           else torch.ones(hidden.shape[:2], dtype=torch.bool, device=hidden.device))

    for stack in _stacks(model, "encoder+decoder"):
        stack.register_forward_pre_hook(track_mask, with_kwargs=True)
    return view


def _self_attention(attn: nn.Module, x: torch.Tensor, cache: Any, mask: torch.Tensor | None,
                    position_bias: torch.Tensor | None, prefix: Any) -> torch.Tensor:
    """`SpeechT5Attention`'s self-attention through its q/k/v/out modules (eager, the same numbers), with its
    relative position bias (encoder), key/value cache (decoder generation) and learned prefixes."""
    from transformers.cache_utils import EncoderDecoderCache

    b, t, _ = x.shape
    heads, hd = attn.num_heads, attn.head_dim

    def split(y: torch.Tensor) -> torch.Tensor:
        return y.view(y.shape[0], -1, heads, hd).transpose(1, 2)

    q, k, v = split(attn.q_proj(x) * attn.scaling), split(attn.k_proj(x)), split(attn.v_proj(x))
    if cache is not None:  # the prefix stays out of the cache: it is prepended at every step
        store = cache.self_attention_cache if isinstance(cache, EncoderDecoderCache) else cache
        k, v = store.update(k, v, attn.layer_idx)
    scores = q @ k.transpose(-2, -1)
    if position_bias is not None:  # (T, S, head_dim): score[i, j] += q_i . p_ij
        scores = scores + torch.einsum("bhid,ijd->bhij", q, position_bias)
    if mask is not None:
        if mask.dtype == torch.bool:
            mask = torch.zeros(mask.shape, dtype=q.dtype, device=q.device).masked_fill(~mask, torch.finfo(q.dtype).min)
        scores = scores + mask.to(q.dtype)
    if prefix is not None:  # every query may attend to every prefix slot
        pk, pv = (split(p.to(q.dtype)[None]) for p in prefix())
        scores = torch.cat([q @ pk.transpose(-2, -1), scores], dim=-1)
        v = torch.cat([pv.expand(b, -1, -1, -1), v], dim=2)
    weights = F.dropout(torch.softmax(scores, dim=-1), p=float(attn.dropout or 0.0), training=attn.training)
    return attn.out_proj((weights @ v).transpose(1, 2).reshape(b, t, heads * hd))


def route_self_attention(attn: nn.Module) -> None:
    """The family's `route_attention` (prefix tuning): a self-attention's `forward` becomes `_self_attention`.
    The default routing (`sure_bench.backbones.attention.attend`) would drop SpeechT5's relative position bias
    (encoder) and its key/value cache (decoder generation)."""

    def forward(self: nn.Module, hidden_states: torch.Tensor, key_value_states: torch.Tensor | None = None,
                cache: Any = None, attention_mask: torch.Tensor | None = None,
                position_bias: torch.Tensor | None = None, output_attentions: bool = False, **kwargs: Any):
        if key_value_states is not None:
            raise RuntimeError("speecht5: only self-attention is routed; a cross-attention keeps its own forward")
        cache = kwargs.get("past_key_values", cache)
        return _self_attention(self, hidden_states, cache, attention_mask, position_bias, self.sure_prefix), None

    attn.forward = types.MethodType(forward, attn)


class SpeechT5Backbone(TextToSpeechBackbone, nn.Module):
    """A `SpeechT5ForTextToSpeech` with its view for one placement (modules methods insert are registered
    here) and its vocoder (frozen, outside the module tree)."""

    def __init__(self, model: nn.Module, placement: str = "decoder", vocoder: nn.Module | None = None,
                 name: str = "", weights_sha256: str = ""):
        super().__init__()
        self.model, self.family, self.name, self.weights_sha256 = model, FAMILY, name, weights_sha256
        self.view = build_view(model, FAMILY, placement)
        self.inserted = self.view.inserted_modules()
        self._vocoder = [vocoder.eval().requires_grad_(False)] if vocoder is not None else []  # not a submodule
        self._steps: torch.Tensor | None = None  # the valid decoder steps of the batch in `forward`
        model.speecht5.decoder.wrapped_decoder.register_forward_pre_hook(self._decoder_steps, with_kwargs=True)

    def _decoder_steps(self, _stack: nn.Module, args: tuple, kwargs: dict) -> None:
        """Runs after the view's own hook: without a decoder mask, the valid steps come from the labels."""
        hidden = args[0] if args else kwargs["hidden_states"]
        if self._steps is not None and kwargs.get("attention_mask") is None and self._steps.shape == hidden.shape[:2]:
            self.view.frame_mask = self._steps

    @property
    def vocoder(self) -> nn.Module | None:
        return self._vocoder[0] if self._vocoder else None

    @property
    def speaker_embedding_dim(self) -> int:
        return int(self.model.config.speaker_embedding_dim)

    def with_placement(self, placement: str) -> SpeechT5Backbone:
        """The same model and vocoder with a view on other stacks (before any method is applied)."""
        return SpeechT5Backbone(self.model, placement, self.vocoder, self.name, self.weights_sha256)

    def _check_speakers(self, speaker_embeddings: torch.Tensor, batch: int) -> None:
        if tuple(speaker_embeddings.shape) != (batch, self.speaker_embedding_dim):
            raise ValueError(f"speecht5: speaker_embeddings must be ({batch}, {self.speaker_embedding_dim}) x-vectors, "
                             f"one per utterance, got {tuple(speaker_embeddings.shape)}")

    def forward(self, input_ids: torch.Tensor, speaker_embeddings: torch.Tensor, labels: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None, decoder_attention_mask: torch.Tensor | None = None,
                **kwargs: Any) -> dict[str, torch.Tensor]:
        """Teacher-forced: {"mel": (B, T, num_mel_bins) after the postnet, "loss" given `labels`}. `labels`:
        log-mels (B, T, num_mel_bins), padding -100, T a multiple of `reduction_factor`. As in HF's recipe, a
        missing `attention_mask` comes from the pad token and no decoder mask is made up (the postnet's batch
        norm sees the padded frames); the decoder's `view.frame_mask` comes from the labels' -100 frames."""
        self._check_speakers(speaker_embeddings, input_ids.shape[0])
        config = self.model.config
        if attention_mask is None:
            attention_mask = (input_ids != config.pad_token_id).long()
        steps = None
        if labels is not None:
            r = config.reduction_factor
            if labels.dim() != 3 or labels.shape[-1] != config.num_mel_bins or labels.shape[1] % r:
                raise ValueError(f"speecht5: labels must be (B, T, {config.num_mel_bins}) log-mels with T a multiple "
                                 f"of reduction_factor {r} (trim the last frames), got {tuple(labels.shape)}")
            steps = labels[:, r - 1::r, 0] != -100.0  # the frames each decoder step predicts end there
        self._steps = steps
        kwargs.setdefault("use_cache", False)  # teacher forcing: no key/value cache to keep
        try:
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, speaker_embeddings=speaker_embeddings,
                             labels=labels, decoder_attention_mask=decoder_attention_mask, return_dict=True,
                             **kwargs)
        finally:
            self._steps = None
        result = {"mel": out.spectrogram}
        if out.loss is not None:
            result["loss"] = out.loss
        return result

    @torch.no_grad()
    def synthesize(self, input_ids: torch.Tensor, speaker_embedding: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        """One utterance: token ids (N,) or (1, N) (`SpeechT5Processor`'s) and an x-vector (512,) or (1, 512)
        -> waveform (S,) at the vocoder's rate (16 kHz), or the log-mel (T, num_mel_bins) without a vocoder.
        `kwargs` go to `SpeechT5ForTextToSpeech.generate` (threshold, minlenratio, maxlenratio)."""
        ids = input_ids.reshape(1, -1)
        xvector = speaker_embedding.reshape(1, -1)
        self._check_speakers(xvector, 1)
        vocoder = self.vocoder
        if vocoder is not None:
            vocoder.to(ids.device)
        return self.model.generate(ids, speaker_embeddings=xvector, vocoder=vocoder, **kwargs)


def _tiny() -> Any:
    from transformers import SpeechT5Config

    return SpeechT5Config(vocab_size=32, hidden_size=32, encoder_layers=2, encoder_attention_heads=2,
                          encoder_ffn_dim=64, decoder_layers=2, decoder_attention_heads=2, decoder_ffn_dim=64,
                          encoder_layerdrop=0.0, decoder_layerdrop=0.0, speech_decoder_prenet_units=32,
                          speech_decoder_postnet_layers=2, speech_decoder_postnet_units=32,
                          max_speech_positions=600, max_text_positions=100, encoder_max_relative_position=16,
                          initializer_range=0.2)  # not 0.02: outputs then barely depend on attention


def _tiny_vocoder() -> Any:
    from transformers import SpeechT5HifiGanConfig

    return SpeechT5HifiGanConfig(model_in_dim=80, upsample_initial_channel=16, upsample_rates=[4, 4],
                                 upsample_kernel_sizes=[8, 8], resblock_kernel_sizes=[3],
                                 resblock_dilation_sizes=[[1, 3]])


TINY: dict[str, Any] = {"tiny-speecht5": _tiny}  # random init: 80 mel bins, 512-d x-vectors, reduction 2


def known() -> dict[str, str]:
    """Name -> where its weights come from (as `fastspeech.known`, for `known_backbones`)."""
    return {**{n: f"{h} + {VOCODER_HUB[n]} (hub)" for n, h in HUB.items()},
            **{t: "random init from a tiny config, tiny random HiFi-GAN (tests)" for t in TINY}}


def serves(name: str) -> bool:
    """Whether `name` is a SpeechT5 TTS backbone this module loads by name (a tiny config or a known hub name)."""
    return name in TINY or name in HUB


def load_speecht5_backbone(name: str = "tiny-speecht5", placement: str = "decoder", seed: int = 0,
                           vocoder: str | None = None) -> SpeechT5Backbone:
    """`tiny-speecht5` (random, seeded, with a tiny random HiFi-GAN), `speecht5` (microsoft/speecht5_tts +
    microsoft/speecht5_hifigan: needs the network or a local HF cache), or any hub id / local folder of a
    SpeechT5 TTS model (`vocoder`: its vocoder's hub id or folder, default microsoft/speecht5_hifigan)."""
    from transformers import SpeechT5ForTextToSpeech, SpeechT5HifiGan

    if name in TINY:
        torch.manual_seed(seed)
        model, voc = SpeechT5ForTextToSpeech(TINY[name]()), SpeechT5HifiGan(_tiny_vocoder())
        return SpeechT5Backbone(model, placement, voc, name, state_dict_sha256(model))
    _check_placement(placement)  # before a download
    model_id, vocoder_id = HUB.get(name, name), vocoder or VOCODER_HUB["speecht5"]
    try:
        model = SpeechT5ForTextToSpeech.from_pretrained(model_id)
        voc = SpeechT5HifiGan.from_pretrained(vocoder_id)
    except OSError as e:
        raise ValueError(f"speecht5 backbone {name!r} ({model_id}, vocoder {vocoder_id}) could not be loaded: {e}. "
                         f"Known: {sorted(TINY) + sorted(HUB)}; the hub ones need network access or a local HF "
                         "cache") from None
    return SpeechT5Backbone(model, placement, voc, name, state_dict_sha256(model))


FAMILIES: list[Family] = []  # not a speech encoder: see the module docstring
