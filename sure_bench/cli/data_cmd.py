"""`sure-bench data prepare|verify|manifest|fetch|list`: build, check, describe or download datasets."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sure_bench.data.verify import VerifyReport

ROOT_HELP = "default: $SURE_BENCH_DATA or ~/.cache/sure-bench/data"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    prep = sub.add_parser("prepare", help="build the embedded sure-mini suite (or one subset of it) or tts-mini")
    prep.add_argument("name", help="sure-mini, or sure-mini:<subset> (ser, sid, ic, ks, asr, asterisk), or tts-mini")
    prep.add_argument("--data-root", type=Path, help=ROOT_HELP)
    prep.add_argument("--max-per-voice", type=int, metavar="N",
                      help="tts-mini only: at most N utterances per voice and split (a quick smoke corpus)")
    ver = sub.add_parser("verify", help="check your copy of a dataset: files present, readable, durations, sizes")
    ver.add_argument("name", help="dataset (loader) name, e.g. librispeech; see `sure-bench data list`")
    ver.add_argument("--data-root", type=Path, help=ROOT_HELP)
    ver.add_argument("--checksums", action="store_true", help="also compare sha256 with the committed manifest")
    ver.add_argument("--tasks-dir", type=Path, help="folder of task YAMLs (default: this checkout's tasks/)")
    man = sub.add_parser("manifest", help="write the committed manifest of a known-good copy (maintainers)")
    man.add_argument("name")
    man.add_argument("--data-root", type=Path, help=ROOT_HELP)
    man.add_argument("--out", type=Path, help="default: tasks/manifests/<name>.csv")
    man.add_argument("--checksums", action="store_true", help="include each file's sha256")
    fetch = sub.add_parser("fetch", help="download a dataset whose license allows it (checksum-checked)")
    fetch.add_argument("name")
    fetch.add_argument("--data-root", type=Path, help=ROOT_HELP)
    fetch.add_argument("--only", nargs="+", metavar="PART",
                       help="only the archives whose file name contains one of these, e.g. test-clean")
    sub.add_parser("list", help="every dataset: license, where to get it, whether `fetch` can download it")


def _progress(description: str):
    from rich.progress import track

    return lambda items: track(list(items), description=description, transient=True)


def _prepare(args: argparse.Namespace, root: Path) -> int:
    from sure_bench.data.sure_mini.build import SUBSETS, build_all

    name, _, subset = args.name.partition(":")
    if name == "tts-mini" and not subset:
        return _prepare_tts_mini(args, root)
    if args.max_per_voice is not None:
        raise ValueError("--max-per-voice applies to tts-mini only")
    if name != "sure-mini":
        raise ValueError(f"unknown dataset {args.name!r}: only 'sure-mini' and 'tts-mini' are built by the "
                         "harness; other datasets are read from your copy with --data-root "
                         "(see `sure-bench data fetch`)")
    if subset and subset not in SUBSETS:
        raise ValueError(f"unknown sure-mini subset {subset!r}; subsets: {', '.join(SUBSETS)}")
    build_all(root, [subset] if subset else None, progress=True)
    print(f"sure-mini ready under {root / 'sure-mini'}")
    return 0


def _prepare_tts_mini(args: argparse.Namespace, root: Path) -> int:
    import time

    from sure_bench.data.tts_corpus.build import build, format_summary

    start = time.monotonic()
    manifest = build(root, max_per_voice=args.max_per_voice, progress=True)
    print(format_summary(manifest))
    print(f"tts-mini ready under {manifest.parent} ({time.monotonic() - start:.0f} s)")
    return 0


def committed_manifest_path(name: str, tasks_dir: Path | None = None) -> Path:
    """tasks/manifests/<name>.csv: the committed file inventory of dataset `name`."""
    from sure_bench.tasks.registry import default_tasks_dir

    return (tasks_dir or default_tasks_dir()) / "manifests" / f"{name}.csv"


def verify_dataset(name: str, data_root: Path, tasks_dir: Path | None = None, checksums: bool = False,
                   progress: Callable[[Iterable], Iterable] = iter) -> VerifyReport:
    """`data verify`: the copy of `name` against its committed manifest and the split sizes of the tasks on it."""
    from sure_bench.data.verify import verify_copy
    from sure_bench.tasks.registry import all_tasks

    tasks = [t for t in all_tasks(tasks_dir).values() if t.spec.dataset.loader == name]
    return verify_copy(name, data_root, tasks, committed_manifest_path(name, tasks_dir), checksums, progress)


def _verify(args: argparse.Namespace, root: Path) -> int:
    from rich.markup import escape

    from sure_bench.cli.console import make_console

    console = make_console()
    report = verify_dataset(args.name, root, args.tasks_dir, args.checksums, _progress(f"verifying {args.name}"))
    for note in report.notes:
        console.print(f"[dim]{escape(note)}[/dim]")
    for where, problem in report.problems:
        console.print(f"[red]✗[/red] {escape(where)}: {escape(problem)}")
    if report.ok:
        console.print(f"[green]✓[/green] {args.name} under {root}: {report.checked} files, no problems")
        return 0
    console.print(f"[red]{len(report.problems)} problem(s)[/red] in {args.name} under {root} "
                  f"({report.checked} files checked); nothing was modified")
    return 1


def _manifest(args: argparse.Namespace, root: Path) -> int:
    from sure_bench.data.catalog import dataset_info
    from sure_bench.data.verify import load_release, write_committed_manifest

    info = dataset_info(args.name)
    rows = load_release(args.name, root)
    out = args.out or committed_manifest_path(args.name)
    n = write_committed_manifest(rows, root / info.folder, out, args.checksums, _progress("reading audio"))
    print(f"wrote {out}: {n} files")
    return 0


def _fetch(args: argparse.Namespace, root: Path) -> int:
    from sure_bench.data.catalog import dataset_info
    from sure_bench.data.fetch import fetch

    info = dataset_info(args.name)
    paths = fetch(info, root, only=args.only)
    print(f"{args.name}: {len(paths)} archive(s) checked and unpacked under {root}")
    return 0


def _list() -> int:
    from rich.table import Table

    from sure_bench.cli.console import make_console
    from sure_bench.data.catalog import all_datasets

    table = Table(title="datasets")
    for col in ("name", "title", "license", "fetch", "where to get it"):
        table.add_column(col)
    for name, info in all_datasets().items():
        table.add_row(name, info.title, info.license, "yes" if info.fetchable else "no", info.homepage)
    make_console().print(table)
    return 0


def execute(args: argparse.Namespace) -> int:
    from sure_bench.data.loaders import default_data_root

    if args.action == "list":
        return _list()
    root = args.data_root or default_data_root()
    action = {"prepare": _prepare, "verify": _verify, "manifest": _manifest, "fetch": _fetch}[args.action]
    return action(args, root)
