"""Speaker embedding only (the TTS track's baseline): the backbone stays frozen and nothing is added; the
task head trains alone, which for a `tts` task is the new voice's speaker embedding row. On a speech
encoder it is the same run as `linear`."""

from __future__ import annotations

from sure_bench.backbones.view import BackboneView
from sure_bench.methods.base import MethodConfig

NAME = "speaker_embedding"
LR = "default"


class Config(MethodConfig):
    pass


PRESETS: dict[str, dict] = {"default": {}}


def apply(view: BackboneView, config: Config) -> None:
    """Nothing to add or unfreeze: the head (the new speaker row) is what trains."""


def declared_params(view: BackboneView, config: Config) -> int:
    return 0
