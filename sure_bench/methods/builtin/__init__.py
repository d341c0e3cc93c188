"""The built-in PEFT methods: one module per method, each following the interface in `methods/base.py`.

A module here is a built-in by being here: `names()` finds them by glob (as the data loaders are found),
so adding one is adding its file. This package imports nothing heavy: the CLI lists the names in its help.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = __name__


def names() -> list[str]:
    """Every built-in method's name (its module's name), sorted."""
    return sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))
