"""A committed pronunciation lexicon: turning a normalised transcript into a phone sequence."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from sure_bench.metrics.text import normalize_text


class LexiconError(ValueError):
    """A lexicon file is malformed, or a transcript has words it does not know."""


@lru_cache(maxsize=4)
def load_lexicon(path: Path) -> dict[str, tuple[str, ...]]:
    """`word phone phone ...` per line (plain or .gz); the first entry of a word wins."""
    path = Path(path)
    if not path.is_file():
        raise LexiconError(f"{path}: lexicon file not found")
    opener = gzip.open if path.suffix == ".gz" else open
    out: dict[str, tuple[str, ...]] = {}
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            word, *phones = line.split()
            if not phones:
                raise LexiconError(f"{path}:{n}: {line.strip()!r} has a word but no phones")
            out.setdefault(word, tuple(phones))
    return out


def oov_words(transcript: str, lexicon: dict[str, tuple[str, ...]]) -> list[str]:
    """Words of the normalised transcript that the lexicon does not have."""
    return [w for w in normalize_text(transcript).split() if w not in lexicon]


def to_phones(transcript: str, lexicon: dict[str, tuple[str, ...]]) -> list[str]:
    """The phone sequence of a transcript (word boundaries are not marked)."""
    missing = oov_words(transcript, lexicon)
    if missing:
        raise LexiconError(f"words not in the lexicon: {missing[:5]}")
    return [p for w in normalize_text(transcript).split() for p in lexicon[w]]
