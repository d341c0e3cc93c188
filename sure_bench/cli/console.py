"""The rich console every subcommand prints through: wide tables when the output is not a terminal."""

from __future__ import annotations

from rich.console import Console


def make_console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=160)
