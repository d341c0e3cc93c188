"""`sure-bench validate --method M` or `sure-bench validate submissions/<name>`."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("submission", nargs="?", type=Path, help="a submission folder (submissions/<name>)")
    p.add_argument("--method", help="check a method: built-in name, peft:<TYPE|file>, a .py file or a folder")
    p.add_argument("--preset", default="default")
    p.add_argument("--tasks-dir", type=Path, help="task YAMLs whose spec hashes count as current")
    p.add_argument("--rerun", type=int, nargs="?", const=1, default=0, metavar="N",
                   help="also train N of the submission's cells again (drawn from its files' hash) and compare "
                        "the test scores with the claimed ones (default N: 1)")
    p.add_argument("--rerun-suite", default="sure-mini", help="draw re-run cells from this suite's tasks")
    p.add_argument("--data-root", type=Path, help="where datasets live, for --rerun")
    p.add_argument("--threads", type=int, metavar="N",
                   help="train the re-runs on N CPU threads (default: the count each result recorded; results "
                        "written before it was recorded use this process's default, OMP_NUM_THREADS)")


def execute(args: argparse.Namespace) -> int:
    from sure_bench.cli.console import make_console

    console = make_console()
    if (args.submission is None) == (args.method is None):
        raise ValueError("give a submission folder or --method M (one of them)")
    if args.submission is not None:
        from sure_bench.submissions import validate_submission

        problems = validate_submission(args.submission, args.tasks_dir)
        if args.rerun and not problems:
            problems += _rerun(args, console)
        for line in problems:
            console.print(f"[red]FAIL[/red] {line}", soft_wrap=True)
        console.print(f"{args.submission}: {'valid' if not problems else 'INVALID'} ({len(problems)} problem(s))")
        return 0 if not problems else 1
    from sure_bench.methods.registry import load_method
    from sure_bench.methods.validate import validate_method

    method = load_method(args.method)
    report = validate_method(method, method.make_config(args.preset))
    for line in report.passed:
        console.print(f"[green]ok[/green]   {line}", soft_wrap=True)
    for line in report.failed:
        console.print(f"[red]FAIL[/red] {line}", soft_wrap=True)
    console.print(f"{method.name}: {'valid' if report.ok else 'INVALID'} ({len(report.failed)} problem(s))")
    return 0 if report.ok else 1


def _rerun(args: argparse.Namespace, console) -> list[str]:
    """Train a drawn sample of the submission's cells again; problems for those not reproduced."""
    from sure_bench.submissions.rerun import draw, record, rerun
    from sure_bench.submissions import method_ref
    from sure_bench.tasks.registry import suite_tasks

    folder = Path(args.submission)
    files = sorted((folder / "results").rglob("seed*.json"))
    chosen = draw(files, folder, args.rerun, set(suite_tasks(args.rerun_suite, args.tasks_dir)))
    if not chosen:
        return [f"{folder}: no result under the fair protocol on a {args.rerun_suite} task to re-run; "
                "results written before it (no run configuration) cannot be verified: rerun them"]
    problems, outcomes = [], []
    for path in chosen:
        console.print(f"re-running {path} ...")
        outcome = rerun(path, method_ref(folder), args.tasks_dir, args.data_root, console, args.threads)
        outcomes.append(outcome)
        if outcome.ok:
            console.print(f"[green]ok[/green]   {outcome.line()}", soft_wrap=True)
        else:
            problems.append(outcome.line())
    if not problems:
        console.print(f"verified: {record(folder, outcomes)} (the leaderboard marks {folder.name} verified "
                      "while its claimed files are the ones re-run here)")
    return problems
