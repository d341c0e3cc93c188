"""What the loaders of real TTS corpora (libritts, l2_arctic, vctk) share: the `speakers` argument, the
per-utterance adaptation split, and espeak-ng IPA of transcripts, cached on disk.

Not a loader itself (the leading underscore keeps it out of `loader_names()`).

- `adaptation_split(id)`: zlib.crc32 of the utterance id (UTF-8) mod 10 is 0 -> "test", 1 -> "dev", else
  "adapt" (the bucket rule of vctk's `split_of`, whose third bucket is "train"). Deterministic and per
  utterance, so every speaker has about 10 % / 10 % / 80 % of its recordings in test / dev / adapt.
- `cached_phonemes({id: text})`: `sure_bench.data.tts_corpus.phonemes.phonemize` of each distinct text,
  cached in `<cache>/phonemes/espeak-ng-<version>-<voice>.json` (`<cache>` = `default_cache_dir()`) as
  {sha256(text)[:24]: IPA}, so each sentence is phonemized once per espeak-ng version and voice.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import subprocess
import zlib
from collections.abc import Mapping
from pathlib import Path

from sure_bench.files import default_cache_dir, write_atomic

ADAPTATION_SPLITS = ("adapt", "dev", "test")


def adaptation_split(utterance_id: str) -> str:
    """crc32(utterance id) mod 10: 0 -> test, 1 -> dev, else adapt."""
    bucket = zlib.crc32(utterance_id.encode("utf-8")) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "adapt"


def parse_speakers(value: str | int, loader: str) -> list[str]:
    """A `speakers` loader argument ("19,26" or a single id, an int when YAML read it unquoted) as a list;
    [] = every speaker."""
    names = [s.strip() for s in str(value).split(",") if s.strip()]
    if len(set(names)) != len(names):
        raise ValueError(f"{loader} loader: speakers {value!r} names a speaker twice")
    return names


def text_key(text: str) -> str:
    """The cache key of a transcript: the first 24 hex digits of its UTF-8 sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def _espeak_version() -> str:
    from sure_bench.data.sure_mini.render import espeak_executable

    out = subprocess.run([espeak_executable(), "--version"], capture_output=True, timeout=30, check=False)
    found = re.search(r"(\d+(?:\.\d+)+)", out.stdout.decode("utf-8", errors="replace"))
    return found.group(1) if found else "unknown"


def cache_file(voice: str) -> Path:
    """Where the IPA of `voice` is cached for the installed espeak-ng."""
    return default_cache_dir() / "phonemes" / f"espeak-ng-{_espeak_version()}-{voice}.json"


def _read_cache(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged cache is rebuilt (it only saves time)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def cached_phonemes(texts: Mapping[str, str], workers: int = 3) -> dict[str, str]:
    """{utterance id: espeak-ng IPA (en-us, clause punctuation kept)} for every id with a non-empty text;
    ids without text are left out (a tts task then reports them as having no phonemes)."""
    from sure_bench.data.tts_corpus.phonemes import PHONEME_VOICE, phonemize_many

    wanted = {uid: text.strip() for uid, text in texts.items() if text and text.strip()}
    if not wanted:
        return {}
    path = cache_file(PHONEME_VOICE)
    cache = _read_cache(path)
    missing = sorted({t for t in wanted.values() if text_key(t) not in cache})
    if missing:
        fresh = {text_key(t): ipa for t, ipa in phonemize_many(missing, workers=workers).items() if ipa.strip()}
        cache = {**_read_cache(path), **fresh}  # keep what another process added meanwhile
        write_atomic(path, json.dumps(cache, ensure_ascii=False, sort_keys=True, indent=0))
    return {uid: cache[key] for uid, text in wanted.items() if (key := text_key(text)) in cache}
