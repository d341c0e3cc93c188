"""`sure-bench methods [--backbone B] [--task T]`: each method and preset's trainable parameters, no training."""

from __future__ import annotations

import argparse
from pathlib import Path

from sure_bench.backbones import DEFAULT_BACKBONE

PEFT_SHOWN = ("peft:LORA", "peft:IA3", "peft:LOHA", "peft:DORA")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backbone", default=DEFAULT_BACKBONE,
                   help="backbone name; known architectures (e.g. wav2vec2-large-xlsr-53) need no weights")
    p.add_argument("--task", help="also count the head for this task")
    p.add_argument("--method", nargs="+", help="methods to list (default: every built-in and a few peft types)")
    p.add_argument("--tasks-dir", type=Path)


def execute(args: argparse.Namespace) -> int:
    import copy

    from rich.table import Table

    from sure_bench.cli.console import make_console

    from sure_bench.backbones.registry import load_backbone
    from sure_bench.kinds import make_kind
    from sure_bench.methods.apply import apply_and_count
    from sure_bench.methods.registry import BUILTIN, load_method
    from sure_bench.tasks.registry import resolve_tasks

    pristine = load_backbone(args.backbone, weights=False)
    kind = make_kind(resolve_tasks([args.task], args.tasks_dir)[0]) if args.task else None
    table = Table(title=f"trainable parameters on {args.backbone} "
                        f"({sum(p.numel() for p in pristine.parameters()):,} in the backbone)")
    for col in ("method", "preset", "added", "unfrozen", "head", "layer weights", "% of backbone"):
        table.add_column(col, justify="right" if col not in ("method", "preset") else "left")
    for spec in args.method or [*BUILTIN, *PEFT_SHOWN]:
        method = load_method(spec)
        for preset in method.presets:
            encoder = copy.deepcopy(pristine)
            make_head = (lambda: kind.head(encoder.hidden_size, encoder.num_layers + 1, "layers")) if kind else None
            _, params = apply_and_count(encoder, method, method.make_config(preset), make_head)
            table.add_row(method.name, preset, f"{params.method_added:,}", f"{params.method_unfrozen:,}",
                          f"{params.head:,}" if kind else "-", f"{params.layer_weights:,}" if kind else "-",
                          f"{params.percent:.3f}")
    make_console().print(table)
    return 0
