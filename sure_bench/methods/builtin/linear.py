"""Linear probe: the backbone stays frozen; only the task head trains."""

from __future__ import annotations

from sure_bench.backbones.view import BackboneView
from sure_bench.methods.base import MethodConfig

NAME = "linear"
LR = "default"


class Config(MethodConfig):
    pass


PRESETS: dict[str, dict] = {"default": {}}


def apply(view: BackboneView, config: Config) -> None:
    """Nothing to add or unfreeze."""


def declared_params(view: BackboneView, config: Config) -> int:
    return 0
