"""`sure-bench validate --method M`: does a method module keep its promises on every backbone family?"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch

from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.backbones.registry import TINY, load_backbone
from sure_bench.methods.apply import apply_method
from sure_bench.methods.base import Method, MethodConfig


@dataclass
class Report:
    method: str
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def _apply(encoder: SpeechEncoder, method: Method, config: MethodConfig) -> int:
    """Apply the method; returns the parameter count it declares (-1: it declares none)."""
    declared = method.declared_params(encoder.view, config) if method.declared_params else -1
    apply_method(encoder, method, config)
    return declared


def _train_steps(encoder: SpeechEncoder, steps: int, seed: int) -> float:
    """A few Adam steps on a fixed random regression target; returns the last loss."""
    g = torch.Generator().manual_seed(seed)
    wave, lengths = torch.randn(2, 8000, generator=g) * 0.1, torch.tensor([8000, 5600])
    target = torch.randn(encoder.hidden_size, generator=g)
    params = [p for p in encoder.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-2)
    encoder.train()
    loss = torch.tensor(0.0)
    for _ in range(steps):
        opt.zero_grad()
        states, mask = encoder(wave, lengths)
        pooled = (states[-1] * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        loss = (pooled @ target).pow(2).mean() + pooled.pow(2).mean()
        if not loss.requires_grad:
            raise ValueError("no trainable parameter reaches the encoder's output: nothing would train")
        loss.backward()
        opt.step()
    return float(loss.detach())


def _fresh_run(pristine: SpeechEncoder, method: Method, config: MethodConfig):
    from transformers import set_seed

    set_seed(0)  # torch, numpy (wav2vec2's SpecAugment masks) and random
    encoder = copy.deepcopy(pristine)
    snapshot = {id(p): p.detach().clone() for p in encoder.parameters()}
    declared = _apply(encoder, method, config)
    if not any(p.requires_grad for p in encoder.parameters()):
        return encoder, snapshot, declared, 0.0  # head-only, like the linear probe: nothing to train here
    return encoder, snapshot, declared, _train_steps(encoder, 3, seed=0)


def validate_method(method: Method, config: MethodConfig, backbones: tuple[str, ...] = TINY) -> Report:
    """Apply on each tiny backbone; check frozen weights, gradients, declared size and determinism."""
    report = Report(method.name)
    for name in backbones:
        torch.manual_seed(0)
        pristine = load_backbone(name)
        try:
            encoder, before, declared, loss = _fresh_run(pristine, method, config)
            second = _fresh_run(pristine, method, config)[3]
        except Exception as e:  # a broken module must be reported, not crash the validator
            report.failed.append(f"{name}: applying or training raised {type(e).__name__}: {e}")
            continue
        problems = []
        frozen_changed = [n for n, p in encoder.named_parameters()
                          if id(p) in before and not p.requires_grad and not torch.equal(p, before[id(p)])]
        if frozen_changed:
            problems.append(f"frozen backbone weights changed in training: {frozen_changed[:3]}")
        silent = [n for n, p in encoder.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.any())]
        if silent:
            problems.append(f"trainable parameters that got no gradient: {silent[:3]}")
        counted = sum(p.numel() for p in encoder.parameters() if p.requires_grad)
        if declared >= 0 and declared != counted:
            problems.append(f"declares {declared:,} trainable parameters, but {counted:,} train")
        if loss != second:
            problems.append(f"two runs with one seed disagree (loss {loss} vs {second})")
        if problems:
            report.failed += [f"{name}: {p}" for p in problems]
        else:
            report.passed.append(f"{name}: {counted:,} trainable, frozen weights intact, every trainable "
                                 f"parameter gets a gradient, deterministic (loss {loss:.4f})")
    return report
