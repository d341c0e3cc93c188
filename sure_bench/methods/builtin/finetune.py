"""Full fine-tuning: every backbone weight trains, except the front end unless asked."""

from __future__ import annotations

from sure_bench.backbones.view import BackboneView
from sure_bench.methods.base import MethodConfig

NAME = "finetune"
LR = "finetune"


class Config(MethodConfig):
    unfreeze_frontend: bool = False


PRESETS: dict[str, dict] = {"default": {}, "with-frontend": {"unfreeze_frontend": True}}


def apply(view: BackboneView, config: Config) -> None:
    for p in view.model.parameters():
        p.requires_grad_(True)
    if not config.unfreeze_frontend:
        for p in view.frontend.parameters():
            p.requires_grad_(False)


def declared_params(view: BackboneView, config: Config) -> int:
    total = sum(p.numel() for p in view.model.parameters())
    return total if config.unfreeze_frontend else total - sum(p.numel() for p in view.frontend.parameters())
