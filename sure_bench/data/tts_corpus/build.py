"""Build the tts-mini corpus: plan (which voice reads which sentence), phonemes, audio, manifest.

Layout under the data root:

    tts-mini/wav/<voice>/<id>.wav     16 kHz mono 16-bit, trimmed, loudness-normalised
    tts-mini/manifest.csv             id, path (relative), text, phonemes, speaker, split, duration
    tts-mini/DONE                     the plan hash of the finished build

Plan: every pretraining sentence is read by 3 of the 12 pretraining voices, `(h + 4j) mod 12` for
j = 0, 1, 2 with h = its sha256 (first 32 bits) mod 12, so a sentence keeps its voices when the list
changes (251-294 utterances a voice); the target voice reads the adapt, dev and test sentences only.
`max_per_voice` keeps each voice's first N utterances per split (smoke runs, tests). A build whose
DONE matches its plan is a no-op; otherwise existing WAVs are kept (they are whole: files are renamed
into place) and only missing ones are rendered.

    python -m sure_bench.data.tts_corpus.build --root DIR [--max-per-voice N] [--voices A B] [--target V]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sure_bench.data.manifest import write_csv
from sure_bench.data.tts_corpus.phonemes import phonemize_many
from sure_bench.data.tts_corpus.render import Job, render_many
from sure_bench.data.tts_corpus.sentences import digest, load_sentences
from sure_bench.data.tts_corpus.voices import PRETRAIN_VOICES, TARGET_VOICE, TtsVoice, check_engines, get_voice

FOLDER = "tts-mini"
COLUMNS = ("id", "path", "text", "phonemes", "speaker", "split", "duration")
COPIES = 3  # pretraining voices per pretraining sentence
STRIDE = 4  # voice offset between the copies
WORKERS = 3
PLAN_VERSION = 1


@dataclass(frozen=True)
class Planned:
    id: str
    sentence_id: str
    text: str
    split: str
    voice: TtsVoice

    @property
    def path(self) -> str:
        return f"wav/{self.voice.name}/{self.id}.wav"


def corpus_dir(root: Path) -> Path:
    return Path(root) / FOLDER


def plan(max_per_voice: int | None = None, voices: list[str] | tuple[str, ...] | None = None,
         target: str | None = None) -> list[Planned]:
    """Every utterance of the corpus, pretraining first (sentence hash order), then the target's."""
    sentences = sorted(load_sentences(), key=lambda s: digest(s.text))
    keep = set(voices) if voices else None
    target_voice = get_voice(target) if target else TARGET_VOICE
    out: list[Planned] = []
    for s in sentences:
        if s.split != "pretrain":
            continue
        first = int(digest(s.text)[:8], 16) % len(PRETRAIN_VOICES)
        for j in range(COPIES):
            v = PRETRAIN_VOICES[(first + STRIDE * j) % len(PRETRAIN_VOICES)]
            if keep is None or v.name in keep:
                out.append(Planned(f"{v.name}_{s.id}", s.id, s.text, s.split, v))
    for s in sentences:
        if s.split != "pretrain":
            out.append(Planned(f"{target_voice.name}_{s.id}", s.id, s.text, s.split, target_voice))
    if max_per_voice is not None:
        counts: dict[tuple[str, str], int] = defaultdict(int)
        kept = []
        for p in out:
            key = (p.voice.name, p.split)
            if counts[key] < max_per_voice:
                counts[key] += 1
                kept.append(p)
        out = kept
    return out


def plan_hash(plans: list[Planned]) -> str:
    h = hashlib.sha256(f"tts-mini v{PLAN_VERSION}\n".encode())
    for p in plans:
        v = p.voice
        h.update(f"{p.id}\t{p.text}\t{p.split}\t{v.engine}\t{v.voice}\t{v.pitch}\t{v.speed}\t{v.stretch}\n".encode())
    return h.hexdigest()[:16]


def is_built(root: Path, plans: list[Planned]) -> bool:
    d = corpus_dir(root)
    done = d / "DONE"
    return (d / "manifest.csv").is_file() and done.is_file() and done.read_text().strip() == plan_hash(plans)


def read_tts_manifest(path: Path) -> list[dict[str, str]]:
    """Rows of a tts-mini manifest as dicts (columns as in COLUMNS)."""
    with Path(path).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build(root: Path, max_per_voice: int | None = None, voices: list[str] | tuple[str, ...] | None = None,
          target: str | None = None, progress: bool = True, workers: int = WORKERS) -> Path:
    """Build (or complete) the corpus under `root/tts-mini`; returns the manifest path."""
    plans = plan(max_per_voice, voices, target)
    d = corpus_dir(root)
    manifest = d / "manifest.csv"
    if is_built(root, plans):
        return manifest
    check_engines(sorted({p.voice for p in plans}, key=lambda v: v.name))
    d.mkdir(parents=True, exist_ok=True)
    (d / "DONE").unlink(missing_ok=True)
    phonemes = phonemize_many((p.text for p in plans), workers=workers)
    todo = [Job(p.id, p.text, phonemes[p.text], p.voice, d / p.path) for p in plans if not (d / p.path).is_file()]
    # Slow engines first, so the threads end together.
    todo.sort(key=lambda j: {"piper": 0, "flite": 1}.get(j.voice.engine, 2))
    with Progress(TextColumn("tts-mini"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=not progress) as bar:
        task = bar.add_task("render", total=len(plans), completed=len(plans) - len(todo))
        durations = render_many(todo, workers=workers, on_done=lambda n: bar.advance(task, n))
    rows = []
    for p in plans:
        dur = durations.get(p.id)
        if dur is None:
            dur = sf.info(str(d / p.path)).duration
        rows.append([p.id, p.path, p.text, phonemes[p.text], p.voice.name, p.split, f"{dur:.4f}"])
    write_csv(manifest, COLUMNS, rows)
    (d / "DONE").write_text(plan_hash(plans) + "\n")
    return manifest


def summary(manifest: Path) -> dict[tuple[str, str], tuple[int, float]]:
    """{(speaker, split): (utterances, seconds)} of a built manifest."""
    out: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0])
    for r in read_tts_manifest(manifest):
        cell = out[(r["speaker"], r["split"])]
        cell[0] += 1
        cell[1] += float(r["duration"])
    return {k: (n, s) for k, (n, s) in sorted(out.items())}


def format_summary(manifest: Path) -> str:
    lines = [f"{'voice':28s} {'split':9s} {'utts':>6s} {'minutes':>8s}"]
    total_n, total_s = 0, 0.0
    for (speaker, split), (n, s) in summary(manifest).items():
        lines.append(f"{speaker:28s} {split:9s} {n:6d} {s / 60:8.1f}")
        total_n, total_s = total_n + n, total_s + s
    lines.append(f"{'total':28s} {'':9s} {total_n:6d} {total_s / 60:8.1f}  ({total_s / 3600:.2f} h)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sure_bench.data.tts_corpus.build", description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, required=True, help="data root; the corpus goes to ROOT/tts-mini")
    ap.add_argument("--max-per-voice", type=int, metavar="N", help="at most N utterances per voice and split")
    ap.add_argument("--voices", nargs="+", metavar="VOICE", help="only these pretraining voices")
    ap.add_argument("--target", metavar="VOICE", help=f"the voice reading adapt/dev/test (default {TARGET_VOICE.name})")
    ap.add_argument("--workers", type=int, default=WORKERS)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    start = time.monotonic()
    try:
        manifest = build(args.root, args.max_per_voice, args.voices, args.target, not args.no_progress, args.workers)
    except (RuntimeError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(format_summary(manifest))
    print(f"tts-mini ready: {manifest} ({time.monotonic() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
