"""LibriTTS (OpenSLR 60) as its archives unpack: `LibriTTS/<subset>/<speaker>/<chapter>/`.

Each chapter folder holds `<speaker>_<chapter>_<paragraph>_<sentence>.wav` (24 kHz mono) with
`.normalized.txt` and `.original.txt` beside each (one line), plus `<speaker>_<chapter>.trans.tsv` and
`.book.tsv` (not read). label = the normalized transcript ("" where it is missing: a tts task then
reports the utterance as having no phonemes), speaker = the speaker folder.

`subset` follows `split_rule`:
- "release" (default): the subset folder (train-clean-100, dev-clean, test-clean, ...), the release's own
  split, whose subsets have disjoint speakers.
- "crc32": for speaker adaptation, where one voice needs adapt/dev/test recordings of its own: per
  utterance, zlib.crc32(id) mod 10 = 0 -> test, 1 -> dev, else adapt (`_tts_text.adaptation_split`, the
  bucket rule of the vctk loader). The subset folder is then only a filter (`subsets`).

`subsets` (comma-separated; "" = every subset folder present) and `speakers` (comma-separated speaker
ids; "" = all) choose what is read; `phonemes()` takes the same arguments and phonemizes only those
utterances (espeak-ng, cached by transcript hash), so a one-speaker task never phonemizes the corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo, Download
from sure_bench.data.loaders._tts_text import adaptation_split, cached_phonemes, parse_speakers
from sure_bench.data.loaders.librispeech import subset_folders
from sure_bench.data.manifest import ManifestError, Utterance

SUBSETS = ("train-clean-100", "train-clean-360", "train-other-500", "dev-clean", "dev-other", "test-clean",
           "test-other")
SPLIT_RULES = ("release", "crc32")
_BASE = "https://www.openslr.org/resources/60/"
# sha256 per archive as listed in torchaudio's LibriTTS dataset (src/torchaudio/datasets/libritts.py,
# _CHECKSUMS, for the same files under http://www.openslr.org/resources/60/); each archive unpacks into a
# top `LibriTTS/<subset>/` folder.
_SHA256 = {
    "train-clean-100": "c5608bf1ef74bb621935382b8399c5cdd51cd3ee47cec51f00f885a64c6c7f6b",
    "dev-clean": "da0864e1bd26debed35da8a869dd5c04dfc27682921936de7cff9c8a254dbe1a",
    "test-clean": "234ea5b25859102a87024a4b9b86641f5b5aaaf1197335c95090cde04fe9a4f5",
}

INFO = DatasetInfo(
    name="libritts",
    title="LibriTTS corpus (multi-speaker English read speech for TTS)",
    license="CC BY 4.0",
    homepage="https://www.openslr.org/60/",
    folder="LibriTTS",
    layout="LibriTTS/<subset>/<speaker>/<chapter>/<speaker>_<chapter>_<paragraph>_<sentence>.wav  (24 kHz)\n"
           "LibriTTS/<subset>/<speaker>/<chapter>/<same id>.normalized.txt and .original.txt  (one line)\n"
           "<subset>: train-clean-100, train-clean-360, train-other-500, dev-clean, dev-other, test-clean, "
           "test-other",
    downloads=tuple(Download(_BASE + f"{name}.tar.gz", f"sha256:{digest}", extract_to="")
                    for name, digest in _SHA256.items()),
    notes="Each archive unpacks to LibriTTS/<subset>/ under --data-root; `sure-bench data fetch libritts "
          "--only train-clean-100` gets the subset the tts-libritts task reads (about 7 GB). The other "
          "subsets are read too when present but not fetched.",
)

_WAV = re.compile(r"^(\d+)_(\d+)_[0-9A-Za-z_]+\.wav$")


def _entries(data_root: Path, folder: str, subsets: str, speakers: str | int,
             split_rule: str) -> list[tuple[str, Path, str, str, str]]:
    """(id, wav, normalized text, speaker, subset) of every chosen recording, sorted by subset folder,
    speaker, chapter and id."""
    if split_rule not in SPLIT_RULES:
        raise ValueError(f"libritts loader: split_rule must be one of {list(SPLIT_RULES)}, got {split_rule!r}")
    root = Path(data_root) / folder
    if not root.is_dir():
        raise FileNotFoundError(
            f"LibriTTS not found at {root}: pass --data-root DIR where DIR/{folder}/<subset>/<speaker>/<chapter>/ "
            f"holds the WAV files and .normalized.txt transcripts (the layout the OpenSLR 60 archives unpack "
            f"to), or run `sure-bench data fetch libritts`")
    wanted = parse_speakers(speakers, "libritts")
    out, found = [], set()
    for sub in subset_folders(root, subsets, SUBSETS, INFO, "LibriTTS"):
        spk_dirs = sorted(p for p in sub.iterdir() if p.is_dir() and (not wanted or p.name in wanted))
        for spk_dir in spk_dirs:
            for wav in sorted(spk_dir.glob("*/*.wav")):
                if wav.name.startswith("."):
                    continue
                m = _WAV.match(wav.name)
                if not m or (m.group(1), m.group(2)) != (spk_dir.name, wav.parent.name):
                    raise ManifestError(f"{wav}: not a LibriTTS file name; expected {spk_dir.name}_"
                                        f"{wav.parent.name}_<paragraph>_<sentence>.wav in {wav.parent}")
                uid = wav.stem
                text_file = wav.with_name(f"{uid}.normalized.txt")
                text = text_file.read_text(encoding="utf-8").strip() if text_file.is_file() else ""
                subset = adaptation_split(uid) if split_rule == "crc32" else sub.name
                out.append((uid, wav, text, spk_dir.name, subset))
                found.add(spk_dir.name)
    absent = [s for s in wanted if s not in found]
    if absent:
        raise FileNotFoundError(
            f"LibriTTS: no recordings of speaker(s) {absent} under {root}/<subset>/<speaker>/ (subsets read: "
            f"{subsets or 'all present'}); unpack the subset that holds them (the speakers' subsets are listed "
            f"in LibriTTS/speakers.tsv) or fix the task's `speakers`")
    if not out:
        raise FileNotFoundError(f"no .wav files under {root}/<subset>/<speaker>/<chapter>/; expected layout:\n"
                                f"{INFO.layout}")
    return out


def load(data_root: Path, folder: str = INFO.folder, subsets: str = "", speakers: str | int = "",
         split_rule: str = "release", progress: bool = True) -> list[Utterance]:
    """Every recording of the chosen subsets and speakers; label = normalized transcript. `progress` is
    accepted for the tts kind and unused (reading is quick)."""
    return [Utterance(uid, str(wav), duration_of(wav), text, speaker, subset)
            for uid, wav, text, speaker, subset in _entries(data_root, folder, subsets, speakers, split_rule)]


def phonemes(data_root: Path, folder: str = INFO.folder, subsets: str = "", speakers: str | int = "",
             split_rule: str = "release", progress: bool = True) -> dict[str, str]:
    """{utterance id: espeak-ng IPA of its normalized transcript} for the recordings `load` returns with the
    same arguments (those without a transcript are left out)."""
    entries = _entries(data_root, folder, subsets, speakers, split_rule)
    return cached_phonemes({uid: text for uid, _, text, _, _ in entries})
