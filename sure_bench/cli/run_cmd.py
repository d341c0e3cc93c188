"""`sure-bench run --method M [--tasks ...|--suite S] [--backbone B] [--seeds ...]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from sure_bench.backbones import DEFAULT_BACKBONE

DEFAULT_SUITE = "sure-mini"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_cell_arguments(p)
    p.add_argument("--overwrite", action="store_true", help="rerun and replace finished results")
    p.add_argument("--skip-bad-audio", action="store_true", help="skip unreadable audio files (recorded in results)")
    p.add_argument("--no-feature-cache", action="store_true",
                   help="run the frozen encoder every step even where the head could read its cached states "
                        "(same results up to float rounding, much slower; for checking)")
    p.add_argument("--no-progress", action="store_true")
    cluster = p.add_argument_group("launching (docs: README, 'On a cluster')")
    cluster.add_argument("--launcher", choices=["inline", "local", "slurm"], default="inline",
                         help="inline: here, one cell after another (default); local: submitit processes on "
                              "this machine; slurm: one job array per wave (grid points, then seeds)")
    cluster.add_argument("--cluster-profile", type=Path, help="YAML of resources per cell (partition, account, "
                         "qos, time_min, gpus_per_node, cpus_per_task, mem_gb, array_parallelism, setup)")
    cluster.add_argument("--partition")
    cluster.add_argument("--time-min", type=int, help="wall-clock minutes per cell (resubmitted on timeout)")
    cluster.add_argument("--gpus", type=int, help="GPUs per cell")
    cluster.add_argument("--cpus", type=int, help="CPUs per cell (default 4); local: torch threads per cell, and "
                         "as many cells run side by side as the cores allow (--cpus 1: one cell per core)")
    cluster.add_argument("--mem-gb", type=int, help="memory per cell")
    cluster.add_argument("--parallelism", type=int, help="cells of one array running at once")


def add_cell_arguments(p: argparse.ArgumentParser) -> None:
    """What names a run's cells (shared with `sure-bench status`)."""
    from sure_bench.methods.builtin import names

    p.add_argument("--method", required=True, help=f"a built-in ({', '.join(names())}), probe (run only: the "
                   "reference probe), peft:<TYPE|config.yaml>, a .py file, a folder with method.py, or an entry "
                   "point's name")
    p.add_argument("--preset", default="default", help="a preset of the method (default: default)")
    p.add_argument("--tasks", nargs="+", help="task names (default: the sure-mini suite)")
    p.add_argument("--suite", help=f"a suite from tasks/suites/ (default: {DEFAULT_SUITE})")
    p.add_argument("--backbone", default=DEFAULT_BACKBONE, help="backbone name, hub id or local path")
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--data-root", type=Path, help="where datasets live (default: $SURE_BENCH_DATA or ~/.cache/sure-bench/data)")
    p.add_argument("--output", type=Path, default=Path("results"), help="results folder (default: results)")
    p.add_argument("--tasks-dir", type=Path, help="folder of task YAMLs (default: this checkout's tasks/)")
    p.add_argument("--head", default="layers",
                   help="head recipe: layers (default: every layer, normalised, concatenated), last, weighted")
    p.add_argument("--layer-weights", action="store_true", help="same as --head weighted (SUPERB's weighted sum)")
    lr = p.add_mutually_exclusive_group()
    lr.add_argument("--lr-grid", nargs="+", type=float, metavar="LR",
                    help="learning rates to search on dev (default: the task's budget.lr_grid, else the "
                         "method's LR family grid)")
    lr.add_argument("--lr", type=float, help="train at this learning rate, no search")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: bfloat16 autocast (GPUs with bf16; on CPU it runs, rarely faster); its own row")
    p.add_argument("--attention", choices=["sdpa", "eager"], default="sdpa",
                   help="self-attention kernel: torch's fused SDPA (default) or written out; its own row")


def execute(args: argparse.Namespace) -> int:
    from sure_bench.cli.console import make_console
    from sure_bench.cli.score_table import print_scores

    console = make_console()
    if args.method == "probe":
        from sure_bench.run.probe import run_probe

        if args.launcher != "inline":
            raise ValueError("--method probe fits in seconds per task and runs inline: drop --launcher")
        if (args.precision, args.attention) != ("fp32", "sdpa"):
            raise ValueError("--method probe fits on fp32 features: drop --precision and --attention")
        head, grid = _head_and_grid(args)
        paths = run_probe(_tasks(args), _options(args, console, head, grid))
        print_scores(paths, console)
        return 0
    from sure_bench.run import distributed
    from sure_bench.run.launch import launch, load_profile

    if distributed.world_size() > 1:
        if args.launcher != "inline":
            raise ValueError(f"under torchrun ({distributed.world_size()} processes) every process runs the cells "
                             "itself: drop --launcher (a cluster job runs torchrun inside one cell instead)")
        distributed.start()
        console.quiet = not distributed.is_main()  # one process prints
    profile = load_profile(args.cluster_profile, partition=args.partition, time_min=args.time_min,
                           gpus_per_node=args.gpus, cpus_per_task=args.cpus, mem_gb=args.mem_gb,
                           array_parallelism=args.parallelism)
    waves = plan_from_args(args, absolute=args.launcher != "inline")
    paths = launch(waves, args.launcher, console, profile)
    if paths and distributed.is_main():
        print_scores(paths, console)
    return 0


def _head_and_grid(args: argparse.Namespace) -> tuple[str, tuple[float, ...] | None]:
    from sure_bench.heads.featurizer import check_recipe

    if args.layer_weights and args.head not in ("layers", "weighted"):
        raise ValueError(f"--layer-weights means --head weighted; it contradicts --head {args.head}")
    head = check_recipe("weighted" if args.layer_weights else args.head)
    grid = tuple(args.lr_grid) if args.lr_grid else ((args.lr,) if args.lr else None)
    if grid and any(x <= 0 for x in grid):
        raise ValueError(f"learning rates must be > 0, got {list(grid)}")
    return head, grid


def _tasks(args: argparse.Namespace):
    from sure_bench.tasks.registry import resolve_tasks, suite_tasks

    if args.tasks and args.suite:
        raise ValueError("give --tasks or --suite, not both")
    return resolve_tasks(args.tasks or suite_tasks(args.suite or DEFAULT_SUITE, args.tasks_dir), args.tasks_dir)


def plan_from_args(args: argparse.Namespace, absolute: bool = False):
    """The run's two waves of cells (grid points, seeds) as the arguments name them. `absolute`: paths
    made absolute, for cells that run in other processes or on other machines."""
    from sure_bench.methods.registry import load_method
    from sure_bench.run.cells import plan

    head, grid = _head_and_grid(args)
    load_method(args.method)  # a bad --method fails here, before anything is planned or submitted
    tasks = [t.spec.task for t in _tasks(args)]

    def where(path: Path | None) -> Path | None:
        return path.resolve() if path is not None and absolute else path

    return plan(args.method, args.preset, tasks, args.seeds, backbone=args.backbone, output=where(args.output),
                tasks_dir=where(args.tasks_dir), data_root=where(args.data_root), head=head, lr_grid=grid,
                precision=args.precision, attention=args.attention,
                feature_cache=not getattr(args, "no_feature_cache", False),
                overwrite=getattr(args, "overwrite", False), skip_bad_audio=getattr(args, "skip_bad_audio", False),
                show_progress=not getattr(args, "no_progress", True))


def _options(args: argparse.Namespace, console, head: str, grid: tuple[float, ...] | None):
    from sure_bench.run.runner import RunOptions

    return RunOptions(backbone=args.backbone, seeds=args.seeds, output=args.output, data_root=args.data_root,
                      overwrite=args.overwrite, skip_bad_audio=args.skip_bad_audio, head=head, lr_grid=grid,
                      feature_cache=not args.no_feature_cache, precision=args.precision,
                      attention=args.attention,
                      show_progress=not args.no_progress, console=console)
