"""`sure-bench report [RESULTS_DIR] [--backbone B] [--out leaderboard.md] [--tables DIR] [--plots DIR]`."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results_dirs", nargs="*", type=Path, default=[Path("results"), Path("submissions")],
                   help="folders searched for result files (default: results and submissions)")
    p.add_argument("--backbone", help="only this backbone")
    p.add_argument("--suite", nargs="+", help="only the tasks of these suites (tasks/suites/<name>.yaml)")
    p.add_argument("--out", type=Path, default=Path("leaderboard.md"), help="the Markdown leaderboard")
    p.add_argument("--tables", type=Path, help="folder for leaderboard.csv and .json (default: beside --out, "
                   "named after it: leaderboard.md -> leaderboard/)")
    p.add_argument("--plots", type=Path, help="folder for PNG plots")
    p.add_argument("--tasks-dir", type=Path, help="task YAMLs whose spec hashes count as current")


def tables_folder(out: Path, tables: Path | None) -> Path:
    """Where the CSV and JSON go: `tables` if given, else a folder beside the Markdown file named after it."""
    if tables is not None:
        return tables
    folder = out.with_suffix("")
    return folder if folder != out else out.with_name(out.name + "-tables")


def current_hashes(tasks_dir: Path | None) -> dict[str, str]:
    from sure_bench.tasks.registry import SpecError, all_tasks

    try:
        return {name: t.spec_hash for name, t in all_tasks(tasks_dir).items()}
    except SpecError:
        return {}


def execute(args: argparse.Namespace) -> int:
    import sure_bench
    from sure_bench.cli.console import make_console
    from sure_bench.files import write_atomic
    from sure_bench.report.collect import collect
    from sure_bench.report.leaderboard import build_boards
    from sure_bench.report.render import display_table, export, markdown

    console = make_console()
    folders = [d for d in args.results_dirs if d.is_dir()]
    if not folders:
        raise FileNotFoundError(f"no results folder among {[str(d) for d in args.results_dirs]}; "
                                "run `sure-bench run` first")
    collected = collect(folders)
    for problem in collected.malformed:
        console.print(f"[yellow]skipped[/yellow] {problem}")
    frame = collected.frame
    current = current_hashes(args.tasks_dir)
    if args.suite:
        from sure_bench.report.groups import average_groups
        from sure_bench.tasks.registry import suite_groups, suite_tasks

        frame = frame[frame["task"].isin([t for s in args.suite for t in suite_tasks(s, args.tasks_dir)])]
        groups = {k: v for s in args.suite for k, v in suite_groups(s, args.tasks_dir).items()}
        if groups:
            frame, current = average_groups(frame, groups, current)
            collected.frame = frame
    boards = build_boards(frame, current, args.backbone)
    default = [Path("results"), Path("submissions")]
    command = "sure-bench report" + ("".join(f" {d}" for d in args.results_dirs) if args.results_dirs != default else "")
    if args.backbone:
        command += f" --backbone {args.backbone}"
    if args.suite:
        command += " --suite " + " ".join(args.suite)
    write_atomic(args.out, markdown(collected, boards, command, sure_bench.__version__))
    written = [args.out, *export(boards, tables_folder(args.out, args.tables))]
    if args.plots:
        from sure_bench.report.plots import plot_boards

        written += plot_boards(boards, args.plots)
    from rich.table import Table

    for b in boards:
        table = Table(title=f"{b.backbone}")
        frame = display_table(b)
        for col in frame.columns:
            table.add_column(str(col))
        for _, row in frame.iterrows():
            table.add_row(*[str(v) for v in row])
        console.print(table)
    console.print("wrote " + ", ".join(str(p) for p in written))
    return 0
