"""The committed text normaliser applied to references and hypotheses before WER/CER."""

from __future__ import annotations

import re
import unicodedata

_ONES = "zero one two three four five six seven eight nine".split()


def normalize_text(text: str) -> str:
    """Lowercase, strip accents, spell single digits, keep letters, apostrophes and single spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower()
    text = re.sub(r"\d", lambda m: f" {_ONES[int(m.group())]} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)
    text = re.sub(r"(^|\s)'+|'+(\s|$)", " ", text)
    return " ".join(text.split())
