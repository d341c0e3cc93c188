"""`sure-bench run --method M [--tasks ...|--suite S] [--backbone B] [--seeds ...]`."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_SUITE = "sure-mini"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", required=True, help="built-in name (linear, finetune), a .py file, or a folder")
    p.add_argument("--preset", default="default", help="a preset of the method (default: default)")
    p.add_argument("--tasks", nargs="+", help="task names (default: the sure-mini suite)")
    p.add_argument("--suite", help=f"a suite from tasks/suites/ (default: {DEFAULT_SUITE})")
    p.add_argument("--backbone", default="whisper-tiny.en", help="backbone name, hub id or local path")
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--data-root", type=Path, help="where datasets live (default: $SURE_BENCH_DATA or ~/.cache/sure-bench/data)")
    p.add_argument("--output", type=Path, default=Path("results"), help="results folder (default: results)")
    p.add_argument("--tasks-dir", type=Path, help="folder of task YAMLs (default: this checkout's tasks/)")
    p.add_argument("--overwrite", action="store_true", help="rerun and replace finished results")
    p.add_argument("--skip-bad-audio", action="store_true", help="skip unreadable audio files (recorded in results)")
    p.add_argument("--head", default="layers",
                   help="head recipe: layers (default: every layer, normalised, concatenated), last, weighted")
    p.add_argument("--layer-weights", action="store_true", help="same as --head weighted (SUPERB's weighted sum)")
    lr = p.add_mutually_exclusive_group()
    lr.add_argument("--lr-grid", nargs="+", type=float, metavar="LR",
                    help="learning rates to search on dev (default: the task's budget.lr_grid, else the "
                         "method's LR family grid)")
    lr.add_argument("--lr", type=float, help="train at this learning rate, no search")
    p.add_argument("--no-feature-cache", action="store_true",
                   help="run the frozen encoder every step even where the head could read its cached states "
                        "(same results up to float rounding, much slower; for checking)")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: bfloat16 autocast (GPUs with bf16; on CPU it runs, rarely faster); its own row")
    p.add_argument("--attention", choices=["sdpa", "eager"], default="sdpa",
                   help="self-attention kernel: torch's fused SDPA (default) or written out; its own row")
    p.add_argument("--no-progress", action="store_true")


def execute(args: argparse.Namespace) -> int:
    from sure_bench.cli.console import make_console

    from sure_bench.cli.score_table import print_scores
    from sure_bench.heads.featurizer import check_recipe
    from sure_bench.methods.registry import load_method
    from sure_bench.tasks.registry import resolve_tasks, suite_tasks

    if args.tasks and args.suite:
        raise ValueError("give --tasks or --suite, not both")
    if args.layer_weights and args.head not in ("layers", "weighted"):
        raise ValueError(f"--layer-weights means --head weighted; it contradicts --head {args.head}")
    head = check_recipe("weighted" if args.layer_weights else args.head)
    grid = tuple(args.lr_grid) if args.lr_grid else ((args.lr,) if args.lr else None)
    if grid and any(x <= 0 for x in grid):
        raise ValueError(f"learning rates must be > 0, got {list(grid)}")
    if args.method == "probe" and (args.precision, args.attention) != ("fp32", "sdpa"):
        raise ValueError("--method probe fits on fp32 features: drop --precision and --attention")
    if args.method == "probe":
        from sure_bench.run.probe import run_probe

        names = args.tasks or suite_tasks(args.suite or DEFAULT_SUITE, args.tasks_dir)
        console = make_console()
        paths = run_probe(resolve_tasks(names, args.tasks_dir), _options(args, console, head, grid))
        print_scores(paths, console)
        return 0
    method = load_method(args.method)
    config = method.make_config(args.preset)
    names = args.tasks or suite_tasks(args.suite or DEFAULT_SUITE, args.tasks_dir)
    tasks = resolve_tasks(names, args.tasks_dir)
    from sure_bench.run.runner import run_method

    console = make_console()
    paths = run_method(method, args.preset, config, tasks, _options(args, console, head, grid))
    print_scores(paths, console)
    return 0


def _options(args: argparse.Namespace, console, head: str, grid: tuple[float, ...] | None):
    from sure_bench.run.runner import RunOptions

    return RunOptions(backbone=args.backbone, seeds=args.seeds, output=args.output, data_root=args.data_root,
                      overwrite=args.overwrite, skip_bad_audio=args.skip_bad_audio, head=head, lr_grid=grid,
                      feature_cache=not args.no_feature_cache, precision=args.precision,
                      attention=args.attention,
                      show_progress=not args.no_progress, console=console)
