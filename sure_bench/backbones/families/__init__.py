"""Backbone families, one module each: every module here (but `base`) exports `FAMILIES: list[Family]`,
and they are collected into one table by name. A new family is one new module."""

from __future__ import annotations

import importlib
import pkgutil

from sure_bench.backbones.families.base import Embedded, Family

__all__ = ["FAMILIES", "Embedded", "Family", "for_model_type", "get_family"]


def _collect() -> dict[str, Family]:
    table: dict[str, Family] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for family in module.FAMILIES:
            if family.name in table:
                raise ValueError(f"backbone family {family.name!r} defined twice (in {info.name})")
            table[family.name] = family
    return table


FAMILIES: dict[str, Family] = _collect()


def get_family(name: str) -> Family:
    """The family called `name`, or a ValueError that lists the supported ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unsupported backbone family {name!r}; supported: {tuple(FAMILIES)}") from None


def for_model_type(model_type: str) -> Family:
    """The family serving a transformers `config.model_type` (e.g. "data2vec-audio", "whisper")."""
    for family in FAMILIES.values():
        if model_type in family.served_model_types:
            return family
    return get_family(model_type)  # raises, naming the supported families

