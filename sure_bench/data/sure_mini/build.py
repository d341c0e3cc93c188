"""Build the sure-mini suite on disk and write its committed split files.

Layout: `<root>/sure-mini/<subset>/manifest.csv`, `audio/<id>.wav` (synthetic subsets only; the
asterisk manifest points at the installed prompts) and a `DONE` marker holding the plan hash.
A subset whose marker matches its current plan is not rebuilt.

    python -m sure_bench.data.sure_mini.build --root DIR [--subsets ser ks] [--write-splits tasks/splits]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import soundfile as sf
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sure_bench.data.manifest import Utterance, write_manifest, write_split
from sure_bench.data.sure_mini import asterisk
from sure_bench.data.sure_mini.plans import SPLITS, plan_hash, plan_subset
from sure_bench.data.sure_mini.render import render_many

SUBSETS: tuple[str, ...] = ("ser", "sid", "ic", "ks", "asr", "asterisk")
SPLIT_TASKS: dict[str, str] = {
    "ser": "ser-mini", "sid": "sid-mini", "ic": "ic-mini", "ks": "ks-mini", "asr": "asr-mini",
    "asterisk": "asr-asterisk",
}
WORKERS = 3  # concurrent espeak-ng runs (threads); 2 cores are kept busy


def subset_dir(root: Path, subset: str) -> Path:
    """`<root>/sure-mini/<subset>`."""
    return Path(root) / "sure-mini" / subset


def _check(subset: str) -> None:
    if subset not in SUBSETS:
        raise ValueError(f"unknown sure-mini subset {subset!r}; known: {list(SUBSETS)}")


def current_hash(subset: str) -> str:
    """Hash of the subset's plan as it stands now (what `DONE` must hold)."""
    _check(subset)
    if subset == "asterisk":
        return asterisk.plan_hash(asterisk.plan_prompts())
    return plan_hash(plan_subset(subset))


def is_built(root: Path, subset: str) -> bool:
    """Whether `DONE` exists and matches the current plan."""
    d = subset_dir(root, subset)
    done = d / "DONE"
    if not ((d / "manifest.csv").is_file() and done.is_file()):
        return False
    return done.read_text().strip() == current_hash(subset)


def _progress(enabled: bool) -> Progress:
    return Progress(TextColumn("sure-mini {task.description:>9}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), disable=not enabled, transient=False)


def _build_asterisk(d: Path) -> str:
    prompts = asterisk.plan_prompts()
    write_manifest(asterisk.manifest_rows(prompts), d / "manifest.csv")
    return asterisk.plan_hash(prompts)


def _build_synthetic(d: Path, subset: str, progress: Progress) -> str:
    plans = plan_subset(subset)
    h = plan_hash(plans)
    audio = d / "audio"
    # Audio left by an interrupted build of the same plan is complete (files are renamed into
    # place) and is kept; audio of another plan is thrown away.
    plan_marker = d / "PLAN"
    if audio.exists() and (not plan_marker.is_file() or plan_marker.read_text().strip() != h):
        shutil.rmtree(audio)
    audio.mkdir(parents=True, exist_ok=True)
    plan_marker.write_text(h + "\n")
    todo = [(p, audio / f"{p.id}.wav") for p in plans if not (audio / f"{p.id}.wav").is_file()]
    task = progress.add_task(subset, total=len(plans), completed=len(plans) - len(todo))
    durations = render_many(todo, workers=WORKERS, on_done=lambda n: progress.advance(task, n))
    rows = []
    for p in plans:
        dur = durations.get(p.id)
        if dur is None:
            dur = sf.info(str(audio / f"{p.id}.wav")).duration
        rows.append(Utterance(p.id, f"audio/{p.id}.wav", dur, p.label, p.speaker))
    write_manifest(rows, d / "manifest.csv")
    return h


def build_subset(root: Path, subset: str, progress: bool | Progress = True) -> Path:
    """Build one subset under `root` unless already built with the same plan; returns the manifest path."""
    _check(subset)
    d = subset_dir(root, subset)
    manifest = d / "manifest.csv"
    if is_built(root, subset):
        return manifest
    d.mkdir(parents=True, exist_ok=True)
    (d / "DONE").unlink(missing_ok=True)
    if subset == "asterisk":
        h = _build_asterisk(d)
    elif isinstance(progress, Progress):
        h = _build_synthetic(d, subset, progress)
    else:
        with _progress(progress) as bar:
            h = _build_synthetic(d, subset, bar)
    (d / "DONE").write_text(h + "\n")
    return manifest


def build_all(root: Path, subsets: list[str] | tuple[str, ...] | None = None,
              progress: bool = True) -> dict[str, Path]:
    """Build several subsets (default: all) under one progress display; returns their manifests."""
    subsets = tuple(subsets or SUBSETS)
    for s in subsets:
        _check(s)
    with _progress(progress) as bar:
        return {s: build_subset(root, s, bar) for s in subsets}


def split_rows(subset: str) -> dict[str, list[Utterance]]:
    """Per split, the rows (id, label, speaker) a subset's plan assigns to it; no audio involved."""
    _check(subset)
    out: dict[str, list[Utterance]] = {s: [] for s in SPLITS}
    if subset == "asterisk":
        for p in asterisk.plan_prompts():
            out[p.split].append(Utterance(p.id, "", 0.0, p.label, asterisk.SPEAKER))
    else:
        for p in plan_subset(subset):
            out[p.split].append(Utterance(p.id, "", 0.0, p.label, p.speaker))
    return out


def write_committed_splits(splits_root: Path, subsets: tuple[str, ...] = SUBSETS) -> list[Path]:
    """Write `<splits_root>/<task>/{train,dev,test}.csv` for each subset from its plan."""
    written = []
    for subset in subsets:
        for split, rows in split_rows(subset).items():
            path = Path(splits_root) / SPLIT_TASKS[subset] / f"{split}.csv"
            write_split(rows, path)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: build subsets and/or write the committed split files."""
    ap = argparse.ArgumentParser(prog="python -m sure_bench.data.sure_mini.build",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, help="data root; the suite goes to ROOT/sure-mini")
    ap.add_argument("--subsets", nargs="+", choices=SUBSETS, default=list(SUBSETS))
    ap.add_argument("--write-splits", type=Path, metavar="DIR", help="also write committed splits under DIR")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    if args.root is None and args.write_splits is None:
        ap.error("give --root and/or --write-splits")
    try:
        if args.root is not None:
            for s, m in build_all(args.root, args.subsets, progress=not args.no_progress).items():
                print(f"{s}: {m}")
        if args.write_splits is not None:
            paths = write_committed_splits(args.write_splits, tuple(args.subsets))
            print(f"wrote {len(paths)} split files under {args.write_splits}")
    except (RuntimeError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
