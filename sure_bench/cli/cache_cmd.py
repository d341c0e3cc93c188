"""`sure-bench cache list|clear`: what the frozen-feature cache holds (size per backbone and task), and
freeing it. Entries are rebuilt on the next run that needs them."""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["list", "clear"], help="list: sizes per backbone and task; clear: delete")
    p.add_argument("--backbone", help="only entries of this backbone (name, as in `sure-bench run --backbone`)")
    p.add_argument("--task", help="only entries of this task")
    p.add_argument("--cache-dir", type=Path, help="default: $SURE_BENCH_CACHE, else ~/.cache/sure-bench")


def execute(args: argparse.Namespace) -> int:
    from rich.table import Table

    from sure_bench.cli.console import make_console
    from sure_bench.files import default_cache_dir
    from sure_bench.features.store import list_entries, remove_entry

    cache = args.cache_dir or default_cache_dir()
    console = make_console()
    chosen = [e for e in list_entries(cache) if _matches(e.card, args.backbone, args.task)]
    if args.action == "clear":
        freed = sum(remove_entry(e.data) for e in chosen)
        console.print(f"removed {len(chosen)} feature cache entr{'y' if len(chosen) == 1 else 'ies'} "
                      f"({_size(freed)}) from {cache / 'features'}")
        return 0
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for e in chosen:
        card = e.card or {}
        key = (card.get("backbone") or "?", card.get("task") or "?", card.get("kind") or e.data.parent.parent.name)
        if e.card is None:
            key = ("(no card: unfinished or from an older version; `clear` removes it)", "", key[2])
        groups[key][0] += 1
        groups[key][1] += e.bytes
    table = Table(title=f"frozen-feature cache in {cache / 'features'}")
    for col in ("backbone", "task", "stored", "entries", "size"):
        table.add_column(col, justify="right" if col in ("entries", "size") else "left")
    for (backbone, task, kind), (n, size) in sorted(groups.items()):
        table.add_row(backbone, task, kind, str(n), _size(size))
    console.print(table)
    console.print(f"total {_size(sum(e.bytes for e in chosen))}; `sure-bench cache clear [--backbone B] "
                  "[--task T]` frees it (entries are rebuilt when a run needs them)")
    return 0


def _matches(card: dict | None, backbone: str | None, task: str | None) -> bool:
    if card is None:
        return backbone is None and task is None
    return (backbone is None or card.get("backbone") == backbone) and (task is None or card.get("task") == task)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
