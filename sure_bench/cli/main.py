"""`sure-bench` entry point: one module per subcommand, imported only when that subcommand runs."""

from __future__ import annotations

import argparse
import importlib
import sys

import sure_bench

SUBCOMMANDS = {
    "run": "train and evaluate a PEFT method on tasks; writes result files",
    "tasks": "list the tasks and suites",
    "data": "prepare datasets (e.g. build the embedded sure-mini suite)",
    "methods": "list methods and presets with their trainable parameters on a backbone",
    "validate": "check a method module: frozen weights, gradients, declared size, determinism",
    "report": "turn result files into leaderboard.md (+ CSV, JSON, plots)",
    "status": "where each cell of a run stands: done, running, failed, not started",
    "cache": "show or free the frozen-feature cache (size per backbone and task)",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sure-bench", description="Parameter-efficient transfer learning on speech.")
    parser.add_argument("--version", action="version", version=f"sure-bench {sure_bench.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in SUBCOMMANDS.items():
        module = importlib.import_module(f"sure_bench.cli.{name}_cmd")
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._module.execute(args) or 0)
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume from the last checkpoint", file=sys.stderr)
        return 130
    except (ValueError, FileNotFoundError, RuntimeError) as e:
        print(f"sure-bench {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
