"""One self-attention that calls the q/k/v/out modules, with optional learned key/value prefixes.

Installed per layer when a method needs it (prefix tuning), and always on a family whose own attention
bypasses the projection modules (WavLM passes the raw q/k/v/out weights to
`F.multi_head_attention_forward`: there, wrapping a projection module, as LoRA or HF peft do, would
silently change nothing). How a family's attention is rerouted lives in its module under `families/`.
Numerically it is the same attention.
"""

from __future__ import annotations

import types
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

PrefixFn = Callable[[], tuple[torch.Tensor, torch.Tensor]]  # -> key prefix, value prefix, each (L, hidden)


def _additive(mask: torch.Tensor | None, batch: int, tgt: int, dtype: torch.dtype) -> torch.Tensor | None:
    """Any HF mask form -> additive float (B, 1, T or 1, S); 2-D masks are (B, S) with 1 = keep."""
    if mask is None:
        return None
    if mask.dim() == 2:
        mask = mask[:, None, None, :].bool()
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(~mask, torch.finfo(dtype).min)
    return mask.to(dtype)


def attend(attn: nn.Module, hidden: torch.Tensor, mask: torch.Tensor | None,
           bias: torch.Tensor | None = None, prefix: PrefixFn | None = None) -> torch.Tensor:
    """Multi-head self-attention through attn.q_proj/k_proj/v_proj/out_proj (called as modules).

    mask: any HF mask form; bias: extra additive scores (B * heads, T, T), e.g. WavLM's position bias.
    """
    b, t, h = hidden.shape
    heads = attn.num_heads
    hd = h // heads
    q, k, v = attn.q_proj(hidden), attn.k_proj(hidden), attn.v_proj(hidden)
    n_prefix = 0
    if prefix is not None:
        pk, pv = prefix()
        n_prefix = pk.shape[0]
        k = torch.cat([pk.to(k.dtype).expand(b, -1, -1), k], dim=1)
        v = torch.cat([pv.to(v.dtype).expand(b, -1, -1), v], dim=1)
    q, k, v = (x.view(b, -1, heads, hd).transpose(1, 2) for x in (q, k, v))
    scores = _additive(mask, b, t, q.dtype)
    if bias is not None:
        bias = bias.view(b, heads, t, t).to(q.dtype)
        scores = bias if scores is None else scores + bias
    if scores is not None and n_prefix:
        scores = F.pad(scores, (n_prefix, 0))  # every query may attend to every prefix slot
    dropout = float(getattr(attn, "dropout", 0.0)) if attn.training else 0.0
    scale = getattr(attn, "scaling", hd**-0.5)
    if getattr(attn, "sure_eager", False):  # --attention eager: the same attention, written out
        weights = (q @ k.transpose(-2, -1)) * scale
        weights = weights if scores is None else weights + scores
        weights = F.dropout(torch.softmax(weights, dim=-1), p=dropout, training=dropout > 0)
        out = weights @ v
    else:
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=scores, dropout_p=dropout, scale=scale)
    return attn.out_proj(out.transpose(1, 2).reshape(b, t, h))


def route_forward(attn: nn.Module) -> None:
    """The usual routing: replace the attention module's `forward` by `attend` (transformers' signature)."""

    def forward(self, hidden_states, attention_mask=None, **kwargs):
        return attend(self, hidden_states, attention_mask, None, self.sure_prefix), None

    attn.forward = types.MethodType(forward, attn)


def install(attn: nn.Module, route: Callable[[nn.Module], None] = route_forward) -> None:
    """Route `attn` through `attend` (`route`: the family's way, see `Family.route_attention`); its prefix comes
    from `attn.sure_prefix` (None: no prefix). Installing twice changes nothing."""
    if getattr(attn, "sure_attention", False):
        return
    attn.sure_prefix = None
    attn.sure_attention = True
    route(attn)
