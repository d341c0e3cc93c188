"""`sure-bench data prepare NAME`: build or decode a dataset ahead of a run."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    prep = sub.add_parser("prepare", help="build the embedded sure-mini suite (or one subset of it)")
    prep.add_argument("name", help="sure-mini, or sure-mini:<subset> (ser, sid, ic, ks, asr, asterisk)")
    prep.add_argument("--data-root", type=Path, help="default: $SURE_BENCH_DATA or ~/.cache/sure-bench/data")


def execute(args: argparse.Namespace) -> int:
    from sure_bench.data.loaders import default_data_root
    from sure_bench.data.sure_mini.build import SUBSETS, build_all

    name, _, subset = args.name.partition(":")
    if name != "sure-mini":
        raise ValueError(f"unknown dataset {args.name!r}: only 'sure-mini' is built by the harness; "
                         "other datasets are read from your copy with --data-root")
    if subset and subset not in SUBSETS:
        raise ValueError(f"unknown sure-mini subset {subset!r}; subsets: {', '.join(SUBSETS)}")
    root = args.data_root or default_data_root()
    build_all(root, [subset] if subset else None, progress=True)
    print(f"sure-mini ready under {root / 'sure-mini'}")
    return 0
