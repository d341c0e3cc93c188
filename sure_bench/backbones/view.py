"""The family-neutral view of a speech encoder: the only thing a PEFT method may touch.

Whatever the family (wav2vec2, HuBERT, WavLM, data2vec-audio, Whisper encoder), a method sees
`hidden_size`, `num_layers`, `frontend`, and per layer the attention projections `q`, `k`, `v`,
`out`, the feed-forward projections `ffn_up`, `ffn_down`, and two residual insertion points,
`after_attn` and `after_ffn`, where `view.insert(point, i, module)` makes the branch output
`y` become `y + module(y)` before the block's residual sum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

from sure_bench.backbones.attention import install as install_attention

InsertionPoint = Literal["after_attn", "after_ffn"]
ROLES = ("q", "k", "v", "out", "ffn_up", "ffn_down")


@dataclass
class LayerView:
    """Handles to one transformer layer's parts (the modules themselves, not copies)."""

    index: int
    module: nn.Module
    attention: nn.Module
    q: nn.Linear
    k: nn.Linear
    v: nn.Linear
    out: nn.Linear
    ffn_up: nn.Linear
    ffn_down: nn.Linear
    after_attn: nn.Module = field(repr=False)
    after_ffn: nn.Module = field(repr=False)


class _ResidualBranch(nn.Module):
    """Holds the modules inserted at one point; applied by a forward hook on the branch module."""

    def __init__(self) -> None:
        super().__init__()
        self.inserted = nn.ModuleList()

    def hook(self, _module: nn.Module, _inputs: tuple, output):  # noqa: ANN001
        if len(self.inserted) == 0:
            return output
        y = output[0] if isinstance(output, tuple) else output
        for m in self.inserted:
            y = y + m(y)
        return (y, *output[1:]) if isinstance(output, tuple) else y


@dataclass
class BackboneView:
    """A family-neutral handle on an encoder; `frame_mask` holds the current batch's valid frames."""

    family: str
    model: nn.Module
    hidden_size: int
    num_layers: int
    frontend: nn.Module
    layers: list[LayerView]
    frame_mask: torch.Tensor | None = None
    _branches: nn.ModuleDict = field(default_factory=nn.ModuleDict, repr=False)

    def insert(self, point: InsertionPoint, layer: int, module: nn.Module) -> None:
        """Add `module` at `point` of layer `layer`: branch output y becomes y + module(y)."""
        if point not in ("after_attn", "after_ffn"):
            raise ValueError(f"unknown insertion point {point!r}; use 'after_attn' or 'after_ffn'")
        if not 0 <= layer < self.num_layers:
            raise ValueError(f"layer {layer} out of range: this backbone has {self.num_layers} layers")
        key = f"{point}_{layer}"
        if key not in self._branches:
            branch = _ResidualBranch()
            target = getattr(self.layers[layer], point)
            target.register_forward_hook(branch.hook)
            self._branches[key] = branch
        self._branches[key].inserted.append(module)

    def set_prefix(self, layer: int, module: nn.Module) -> None:
        """Give a layer's self-attention learned key/value prefixes: `module()` -> (keys, values), each (L, hidden).

        The module is read at call time, so gradient checkpointing recomputes with this layer's own prefix.
        """
        attn = self.layers[layer].attention
        install_attention(attn, self.family)
        attn.sure_prefix = module

    def module_names(self, role: str) -> list[str]:
        """Full names (in `model`) of the module playing `role` in every layer, e.g. for peft targets."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {list(ROLES)}")
        by_id = {id(m): n for n, m in self.model.named_modules()}
        return [by_id[id(getattr(layer, role))] for layer in self.layers]

    def replace(self, layer: int, role: str, module: nn.Module) -> None:
        """Swap the module playing `role` in layer `layer` for `module` (e.g. a wrapper around it)."""
        old = getattr(self.layers[layer], role)
        for parent in self.layers[layer].module.modules():
            for name, child in parent.named_children():
                if child is old:
                    setattr(parent, name, module)
                    setattr(self.layers[layer], role, module)
                    return
        raise ValueError(f"layer {layer}: module for role {role!r} not found")

    def inserted_modules(self) -> nn.ModuleDict:
        """All modules added through `insert` (registered on the encoder so they train and save)."""
        return self._branches
