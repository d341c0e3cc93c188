"""Speaker embedding only (the TTS track's baseline): `linear` under the TTS track's name. The backbone
stays frozen and nothing is added; the task head trains alone, which for a `tts` task is the new voice's
speaker embedding row. On a speech encoder it is the same run as `linear`."""

from __future__ import annotations

from sure_bench.methods.builtin.linear import LR, PRESETS, Config, apply, declared_params

NAME = "speaker_embedding"
__all__ = ["LR", "NAME", "PRESETS", "Config", "apply", "declared_params"]
