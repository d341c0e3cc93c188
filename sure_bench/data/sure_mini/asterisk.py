"""The real-speech sure-mini subset `asterisk`: the Asterisk English telephony prompts.

Audio is the installed 8 kHz WAV files (Debian `asterisk-core-sounds-en-wav`, one female
speaker), referenced in place, never copied. Transcripts come from the package's
`core-sounds-en.txt.gz` (`name: text` lines). Non-speech prompts ([beep], silence ...) are
dropped; labels are normalised to lowercase letters, apostrophe and space with digits spelled
out. The split is a stable hash of the prompt name: 70 % train, 10 % dev, 20 % test.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from sure_bench.data.manifest import Utterance

DEFAULT_SOUNDS_DIR = Path("/usr/share/asterisk/sounds/en")
DEFAULT_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
SOUNDS_ENV = "SURE_BENCH_ASTERISK_SOUNDS"
TRANSCRIPTS_ENV = "SURE_BENCH_ASTERISK_TRANSCRIPTS"
INSTALL_HINT = "sudo apt-get install asterisk-core-sounds-en-wav"
SPEAKER = "asterisk-en"

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SYMBOLS = {"*": " star ", "#": " pound ", "&": " and ", "%": " percent ", "+": " plus ",
            "=": " equals ", "@": " at ", "$": " dollar "}


class AsteriskMissing(RuntimeError):
    """The Asterisk prompts or their transcript file are not installed."""


@dataclass(frozen=True)
class Prompt:
    """One speech prompt: `name` as in the transcript file (e.g. `digits/1`), its id and split."""

    id: str
    name: str
    text: str
    label: str
    split: str


def number_words(n: int) -> str:
    """Cardinal number in words, 0..999 (larger numbers are read digit by digit)."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = "" if n % 100 == 0 else " " + number_words(n % 100)
        return f"{_ONES[n // 100]} hundred{rest}"
    return " ".join(_ONES[int(d)] for d in str(n))


def _spell_number(m: re.Match) -> str:
    whole, frac = m.group(1), m.group(2)
    words = number_words(int(whole)) if len(whole) < 4 else " ".join(_ONES[int(d)] for d in whole)
    if frac:
        words += " point " + " ".join(_ONES[int(d)] for d in frac)
    return f" {words} "


def normalize_transcript(text: str) -> str:
    """Lowercase letters, apostrophe and single spaces; digits spelled out; notes removed."""
    t = re.sub(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>", " ", text)  # [beep], (note ...), <beep>
    for sym, word in _SYMBOLS.items():
        t = t.replace(sym, word)
    t = re.sub(r"(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)", " ", t)
    t = re.sub(r"(\d+)(?:\.(\d+))?", _spell_number, t)
    t = t.lower().replace("\u2019", "'")
    t = re.sub(r"[^a-z']+", " ", t)
    t = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", t)  # quotes, not apostrophes
    return " ".join(t.split())


def split_of(name: str) -> str:
    """Stable split of a prompt name: 70 % train, 10 % dev, 20 % test."""
    bucket = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") % 100
    return "train" if bucket < 70 else "dev" if bucket < 80 else "test"


def prompt_id(name: str) -> str:
    """Utterance id of a prompt: `asterisk-` plus the name with `/` as `.`."""
    return "asterisk-" + name.replace("/", ".")


def sounds_dir(path: Path | None = None) -> Path:
    """The prompts folder: `path`, else $SURE_BENCH_ASTERISK_SOUNDS, else the Debian location."""
    return Path(path or os.environ.get(SOUNDS_ENV) or DEFAULT_SOUNDS_DIR)


def transcripts_file(path: Path | None = None) -> Path:
    """The transcript file: `path`, else $SURE_BENCH_ASTERISK_TRANSCRIPTS, else the Debian one."""
    return Path(path or os.environ.get(TRANSCRIPTS_ENV) or DEFAULT_TRANSCRIPTS)


def read_transcripts(path: Path) -> dict[str, str]:
    """`name: text` lines (gzip or plain text); `;` comments and blank lines skipped."""
    opener = gzip.open if path.suffix == ".gz" else open
    out: dict[str, str] = {}
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            out.setdefault(name.strip(), text.strip())
    return out


def _check_installed(sounds: Path, transcripts: Path) -> None:
    for what, p, ok in (("prompts folder", sounds, sounds.is_dir()),
                        ("transcript file", transcripts, transcripts.is_file())):
        if not ok:
            raise AsteriskMissing(
                f"sure-mini asterisk: {what} {p} not found; install the Asterisk English prompts "
                f"with: {INSTALL_HINT} (or set ${SOUNDS_ENV} / ${TRANSCRIPTS_ENV})")


def plan_prompts(sounds: Path | None = None, transcripts: Path | None = None) -> list[Prompt]:
    """Speech prompts that have a WAV file, sorted by name; no audio is read."""
    sounds, transcripts = sounds_dir(sounds), transcripts_file(transcripts)
    _check_installed(sounds, transcripts)
    prompts, ids = [], set()
    for name, text in sorted(read_transcripts(transcripts).items()):
        label = normalize_transcript(text)
        if not label or not (sounds / f"{name}.wav").is_file():
            continue
        pid = prompt_id(name)
        if pid in ids:
            raise ValueError(f"{transcripts}: prompt id {pid!r} is not unique")
        ids.add(pid)
        prompts.append(Prompt(pid, name, text, label, split_of(name)))
    if not prompts:
        raise AsteriskMissing(f"sure-mini asterisk: no speech prompts with audio under {sounds}; "
                              f"install them with: {INSTALL_HINT}")
    return prompts


def plan_hash(prompts: list[Prompt], sounds: Path | None = None) -> str:
    """Content hash of the prompt plan and of the folder it points into."""
    h = hashlib.sha256(f"asterisk v1 {sounds_dir(sounds).resolve()}\n".encode())
    for p in prompts:
        h.update(f"{p.id}\t{p.label}\t{p.split}\n".encode())
    return h.hexdigest()[:16]


def manifest_rows(prompts: list[Prompt], sounds: Path | None = None) -> list[Utterance]:
    """Manifest rows with absolute paths to the installed WAVs and durations from soundfile."""
    base = sounds_dir(sounds).resolve()
    rows = []
    for p in prompts:
        path = base / f"{p.name}.wav"
        rows.append(Utterance(p.id, str(path), sf.info(str(path)).duration, p.label, SPEAKER))
    return rows
