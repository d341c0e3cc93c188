"""The family-neutral view of a speech encoder: the only thing a PEFT method may touch.

Whatever the family (wav2vec2, HuBERT, WavLM, data2vec-audio, Whisper encoder), a method sees
`hidden_size`, `num_layers`, `frontend`, and per layer modules by role: the attention projections
`q`, `k`, `v`, `out`, the feed-forward projections `ffn_up`, `ffn_down`, and the layer norms
`attn_norm`, `ffn_norm`. `view.insert(point, i, module)` adds a module at an insertion point of a
sublayer (attention or feed-forward) with branch output `y` and branch input `x`:

- sequential, `after_attn` / `after_ffn`: `y` becomes `y + module(y)`
- parallel, `parallel_attn` / `parallel_ffn`: `y` becomes `y + module(x)` (He et al.'s parallel adapter)

both before the block's residual sum. Which modules play which role is decided by the family modules
in `sure_bench.backbones.families`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

from sure_bench.backbones.attention import install as install_attention
from sure_bench.backbones.attention import route_forward

InsertionPoint = Literal["after_attn", "after_ffn", "parallel_attn", "parallel_ffn"]
POINTS: tuple[str, ...] = ("after_attn", "after_ffn", "parallel_attn", "parallel_ffn")
ROLES = ("q", "k", "v", "out", "ffn_up", "ffn_down")  # the linear projections (LoRA's targets)
NORM_ROLES = ("attn_norm", "ffn_norm")  # the layer norm at the attention / feed-forward sublayer
ALL_ROLES = (*ROLES, *NORM_ROLES)


@dataclass
class LayerView:
    """Handles to one transformer layer's parts (the modules themselves, not copies).

    `attn_norm` is the layer norm before the attention sublayer (pre-norm layers) or after its residual
    sum (post-norm layers), `ffn_norm` the same for the feed-forward sublayer. `after_attn`/`after_ffn`
    are the modules whose output is the sublayer's branch output, `attn_input`/`ffn_input` the modules
    whose first input is the sublayer's input (often the same module).
    """

    index: int
    module: nn.Module
    attention: nn.Module
    q: nn.Linear
    k: nn.Linear
    v: nn.Linear
    out: nn.Linear
    ffn_up: nn.Linear
    ffn_down: nn.Linear
    attn_norm: nn.Module
    ffn_norm: nn.Module
    after_attn: nn.Module = field(repr=False)
    after_ffn: nn.Module = field(repr=False)
    attn_input: nn.Module = field(repr=False)
    ffn_input: nn.Module = field(repr=False)


def _first(output):  # noqa: ANN001, ANN202
    return output[0] if isinstance(output, tuple) else output


def _replace_first(output, y: torch.Tensor):  # noqa: ANN001, ANN202
    return (y, *output[1:]) if isinstance(output, tuple) else y


class _ResidualBranch(nn.Module):
    """Sequential modules at one point, applied by a forward hook on the branch module: y + m(y)."""

    def __init__(self) -> None:
        super().__init__()
        self.inserted = nn.ModuleList()

    def hook(self, _module: nn.Module, _inputs: tuple, output):  # noqa: ANN001
        if len(self.inserted) == 0:
            return output
        y = _first(output)
        for m in self.inserted:
            y = y + m(y)
        return _replace_first(output, y)


class _ParallelBranch(nn.Module):
    """Parallel modules at one sublayer: a pre-hook on its input module keeps the sublayer input x, a
    forward hook on its output module turns the branch output y into y + m(x)."""

    def __init__(self) -> None:
        super().__init__()
        self.inserted = nn.ModuleList()
        self.sublayer_input: torch.Tensor | None = None  # set and cleared within one sublayer call

    def capture(self, _module: nn.Module, args: tuple, kwargs: dict) -> None:
        self.sublayer_input = args[0] if args else kwargs["hidden_states"]

    def hook(self, _module: nn.Module, _inputs: tuple, output):  # noqa: ANN001
        x, self.sublayer_input = self.sublayer_input, None
        if len(self.inserted) == 0:
            return output
        if x is None:
            raise RuntimeError("parallel branch: the sublayer's output module ran without its input module")
        y = _first(output)
        for m in self.inserted:
            y = y + m(x)
        return _replace_first(output, y)


@dataclass
class BackboneView:
    """A family-neutral handle on an encoder; `frame_mask` holds the current batch's valid frames (of the
    stack running now, in a model with several)."""

    family: str
    model: nn.Module
    hidden_size: int
    num_layers: int
    frontend: nn.Module
    layers: list[LayerView]
    frame_mask: torch.Tensor | None = None
    placement: str = ""  # which stacks `layers` covers where a model has several ("decoder", "encoder+decoder")
    route_attention: Callable[[nn.Module], None] = field(default=route_forward, repr=False)  # the family's
    _branches: nn.ModuleDict = field(default_factory=nn.ModuleDict, repr=False)

    def current_frame_mask(self) -> torch.Tensor | None:
        """`frame_mask` read at call time; a bound method (unlike a closure) follows the view into a deep copy."""
        return self.frame_mask

    def insert(self, point: InsertionPoint, layer: int, module: nn.Module) -> None:
        """Add `module` at `point` of layer `layer`: the sublayer's branch output y becomes y + module(y)
        (`after_attn`, `after_ffn`) or y + module(x), x the sublayer's input (`parallel_attn`, `parallel_ffn`).
        Modules at one point apply in the order inserted; points on one sublayer in the order first used."""
        if point not in POINTS:
            raise ValueError(f"unknown insertion point {point!r}; use one of {', '.join(POINTS)}")
        if not 0 <= layer < self.num_layers:
            raise ValueError(f"layer {layer} out of range: this backbone has {self.num_layers} layers")
        key = f"{point}_{layer}"
        if key not in self._branches:
            lv = self.layers[layer]
            if point.startswith("parallel_"):
                sublayer = point.removeprefix("parallel_")
                branch = _ParallelBranch()
                getattr(lv, f"{sublayer}_input").register_forward_pre_hook(branch.capture, with_kwargs=True)
                getattr(lv, f"after_{sublayer}").register_forward_hook(branch.hook)
            else:
                branch = _ResidualBranch()
                getattr(lv, point).register_forward_hook(branch.hook)
            self._branches[key] = branch
        self._branches[key].inserted.append(module)

    def set_prefix(self, layer: int, module: nn.Module) -> None:
        """Give a layer's self-attention learned key/value prefixes: `module()` -> (keys, values), each (L, hidden).

        The module is read at call time, so gradient checkpointing recomputes with this layer's own prefix.
        """
        attn = self.layers[layer].attention
        install_attention(attn, self.route_attention)
        attn.sure_prefix = module

    def module_names(self, role: str) -> list[str]:
        """Full names (in `model`) of the module playing `role` in every layer, e.g. for peft targets."""
        if role not in ALL_ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {list(ALL_ROLES)}")
        by_id = {id(m): n for n, m in self.model.named_modules()}
        return [by_id[id(getattr(layer, role))] for layer in self.layers]

    def replace(self, layer: int, role: str, module: nn.Module) -> None:
        """Swap the module playing `role` in layer `layer` for `module` (e.g. a wrapper around it)."""
        if role not in ALL_ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {list(ALL_ROLES)}")
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


class ViewBacked:
    """For a backbone module holding its `view`: the sizes and placement every caller reads, from the view."""

    view: BackboneView

    @property
    def hidden_size(self) -> int:
        return self.view.hidden_size

    @property
    def num_layers(self) -> int:
        return self.view.num_layers

    @property
    def placement(self) -> str:
        """Which stacks methods were placed on, for the result record ("decoder", "encoder+decoder", ...);
        "" for a one-stack encoder."""
        return self.view.placement


class TextToSpeechBackbone(ViewBacked):
    """What the TTS backbone modules share: one attention implementation whatever is asked, and a frozen
    front end by `requires_grad` alone."""

    def set_attention(self, attention: str) -> None:
        """The model's own attention whatever is asked ("sdpa" or "eager" give the same numbers here)."""
        if attention not in ("sdpa", "eager"):
            raise ValueError(f"unknown attention {attention!r}")

    def freeze_frontend(self) -> None:
        """The front end (phoneme embedding, text prenet): nothing beyond `requires_grad`."""
        for p in self.view.frontend.parameters():
            p.requires_grad_(False)
