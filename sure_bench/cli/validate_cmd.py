"""`sure-bench validate --method M [--preset P]`: check a method module on every backbone family."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", required=True, help="built-in name, peft:<TYPE|file>, a .py file or a folder")
    p.add_argument("--preset", default="default")


def execute(args: argparse.Namespace) -> int:
    from sure_bench.cli.console import make_console

    from sure_bench.methods.registry import load_method
    from sure_bench.methods.validate import validate_method

    console = make_console()
    method = load_method(args.method)
    report = validate_method(method, method.make_config(args.preset))
    for line in report.passed:
        console.print(f"[green]ok[/green]   {line}")
    for line in report.failed:
        console.print(f"[red]FAIL[/red] {line}")
    console.print(f"{method.name}: {'valid' if report.ok else 'INVALID'} ({len(report.failed)} problem(s))")
    return 0 if report.ok else 1
