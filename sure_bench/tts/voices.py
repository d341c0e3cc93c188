"""A TTS backbone's pretraining voices as recordings: where to find them, which is nearest to a target
voice (GE2E cosine of centroids), and the JSON file that names them for `speaker_id_accuracy`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

PER_VOICE = 8  # recordings per voice in a centroid and in the voices file


def recordings(voices: list[str], rows: list, data_root: Path) -> dict[str, list[str]]:
    """{voice: up to PER_VOICE of its recordings} (absolute paths) among corpus `rows`; where none is there
    and every voice is one of tts-mini's pretraining voices (the packaged backbone's), from tts-mini under
    `data_root` (built first if needed)."""
    from sure_bench.data.tts_corpus.voices import PRETRAIN_VOICES

    def found(rows: list) -> dict[str, list[str]]:
        out = {v: [str(Path(r.path).resolve()) for r in rows if r.speaker == v][:PER_VOICE] for v in voices}
        return {v: p for v, p in out.items() if p}

    own = found(rows)
    if own or not set(voices) <= {v.name for v in PRETRAIN_VOICES}:
        return own
    from sure_bench.data.loaders import tts_mini

    return found([r for r in tts_mini.load(data_root, progress=False) if r.subset == "pretrain"])


def nearest(target: list[str], candidates: dict[str, list[str]]) -> str | None:
    """The candidate voice whose recordings' GE2E centroid is nearest (cosine) to the centroid of the
    `target` recordings (at most PER_VOICE of each); None without candidates."""
    from sure_bench.metrics.speaker_embedding import centroid

    if not candidates:
        return None
    goal = centroid(target[:PER_VOICE])
    scored = {voice: float(centroid(paths[:PER_VOICE]) @ goal) for voice, paths in candidates.items()}
    return max(scored, key=scored.get)


def voices_file(task: str, found: dict[str, list[str]], cache_dir: Path) -> Path:
    """`found` as JSON in the cache, named by its content (so it is written once and never changes)."""
    from sure_bench.files import write_atomic

    text = json.dumps(found, indent=1, sort_keys=True) + "\n"
    path = cache_dir / "tts-voices" / f"{task}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    if not path.is_file():
        write_atomic(path, text)
    return path
