"""espeak-ng IPA of a sentence, clause by clause with its punctuation kept (what Piper voices read).

`espeak-ng -q --ipa -v en-us TEXT` prints one line per clause and drops the punctuation; the clause
boundaries are the same punctuation marks followed by a space (or the end), so they are put back:
"It snowed, rained." -> "ˈɪt snˈoʊd, ɹˈeɪnd." Words are separated by single spaces.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from sure_bench.data.sure_mini.render import espeak_executable

PHONEME_VOICE = "en-us"
_CLAUSE_END = re.compile(r"([,.;:!?]+)(?=\s|$)")


def clause_marks(text: str) -> list[str]:
    """The punctuation that ends each clause of `text` ("" for a last clause without any)."""
    marks = [m.group(1)[-1] for m in _CLAUSE_END.finditer(text.strip())]
    if not _CLAUSE_END.search(text.strip()[-1:] or " "):
        marks.append("")
    return marks


def phonemize(text: str, voice: str = PHONEME_VOICE) -> str:
    """IPA of `text` by espeak-ng, clause punctuation restored."""
    proc = subprocess.run([espeak_executable(), "-q", "--ipa", "-v", voice, text],
                          capture_output=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"espeak-ng --ipa failed for {text!r}: {proc.stderr.decode(errors='replace').strip()}")
    lines = [" ".join(line.split()) for line in proc.stdout.decode("utf-8").splitlines()]
    lines = [line for line in lines if line]
    marks = clause_marks(text)
    if len(marks) != len(lines):  # espeak split otherwise (e.g. abbreviations): one clause, final mark
        return " ".join(lines) + (marks[-1] if marks else "")
    return " ".join(f"{line}{mark}" for line, mark in zip(lines, marks))


def phonemize_many(texts: Iterable[str], workers: int = 3) -> dict[str, str]:
    """{text: IPA} for distinct texts, `workers` espeak-ng runs at a time."""
    uniq = sorted(set(texts))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip(uniq, pool.map(phonemize, uniq)))
