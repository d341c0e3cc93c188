"""LibriSpeech (OpenSLR 12) as its archives unpack: `LibriSpeech/<subset>/<speaker>/<chapter>/`.

Each chapter folder holds `<speaker>-<chapter>-<utt>.flac` files and one `<speaker>-<chapter>.trans.txt`
with lines `<utterance-id> <TRANSCRIPT>`. The split is the release's own: `subset` is the subset folder
(train-clean-100, dev-clean, test-clean, test-other, ...). The label is the transcript as published
(upper case), so a phone task can map its words through a lexicon; character tasks normalise it.
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo, Download
from sure_bench.data.manifest import ManifestError, Utterance

SUBSETS = ("train-clean-100", "train-clean-360", "train-other-500", "dev-clean", "dev-other", "test-clean",
           "test-other")
_BASE = "https://www.openslr.org/resources/12/"
# sha256 per archive as listed in torchaudio's LibriSpeech dataset (src/torchaudio/datasets/librispeech.py,
# _CHECKSUMS); each archive unpacks into a top `LibriSpeech/<subset>/` folder.
_SHA256 = {
    "train-clean-100": "d4ddd1d5a6ab303066f14971d768ee43278a5f2a0aa43dc716b0e64ecbbbf6e2",
    "dev-clean": "76f87d090650617fca0cac8f88b9416e0ebf80350acb97b343a85fa903728ab3",
    "dev-other": "12661c48e8c3fe1de2c1caa4c3e135193bfb1811584f11f569dd12645aa84365",
    "test-clean": "39fde525e59672dc6d1551919b1478f724438a95aa55f874b576be21967e6c23",
    "test-other": "d09c181bba5cf717b3dee7d4d592af11a3ee3a09e08ae025c5506f6ebe961c29",
}

INFO = DatasetInfo(
    name="librispeech",
    title="LibriSpeech ASR corpus",
    license="CC BY 4.0",
    homepage="https://www.openslr.org/12",
    folder="LibriSpeech",
    layout="LibriSpeech/<subset>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac\n"
           "LibriSpeech/<subset>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt  (lines: ID TRANSCRIPT)\n"
           "<subset>: train-clean-100, dev-clean, dev-other, test-clean, test-other, ... (16 kHz FLAC)",
    downloads=tuple(Download(_BASE + f"{name}.tar.gz", f"sha256:{digest}", extract_to="")
                    for name, digest in _SHA256.items()),
    notes="Each archive unpacks to LibriSpeech/<subset>/ under --data-root. train-clean-360 and "
          "train-other-500 are read too when present but not fetched (no task uses them).",
)

_FILE = re.compile(r"^(\d+)-(\d+)\.trans\.txt$")
_LINE = re.compile(r"^(\d+)-(\d+)-(\d+) (\S.*)$")


def read_transcripts(path: Path) -> list[tuple[str, str]]:
    """(utterance id, transcript) of one `<speaker>-<chapter>.trans.txt`; a malformed line is a ManifestError."""
    named = _FILE.match(path.name)
    if not named:
        raise ManifestError(f"{path}: transcript file name should be <speaker>-<chapter>.trans.txt")
    speaker, chapter = named.groups()
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        if not m or (m.group(1), m.group(2)) != (speaker, chapter):
            raise ManifestError(f"{path}:{n}: expected '{speaker}-{chapter}-<utt> TRANSCRIPT', got {line!r}")
        out.append((f"{m.group(1)}-{m.group(2)}-{m.group(3)}", m.group(4)))
    return out


def subset_folders(root: Path, subsets: str, allowed: tuple[str, ...] = SUBSETS, info: DatasetInfo = INFO,
                   corpus: str = "LibriSpeech") -> list[Path]:
    """The subset folders under `root` that `subsets` (comma-separated; "" = every folder there) names,
    each checked against `allowed` and for presence. LibriTTS shares it (same subset names and layout)."""
    if not subsets:
        return sorted(p for p in root.iterdir() if p.is_dir())
    names = [s.strip() for s in subsets.split(",") if s.strip()]
    unknown = [s for s in names if s not in allowed]
    if unknown:
        raise ValueError(f"{info.name} loader: unknown subset(s) {unknown}; allowed: {list(allowed)}")
    missing = [root / s for s in names if not (root / s).is_dir()]
    if missing:
        raise FileNotFoundError(
            f"{corpus} subset folder(s) {[str(m) for m in missing]} not found: unpack {[m.name for m in missing]}"
            f".tar.gz from {info.homepage} into --data-root (or run `sure-bench data fetch {info.name}`)")
    return [root / s for s in names]


def load(data_root: Path, folder: str = INFO.folder, subsets: str = "") -> list[Utterance]:
    """Every utterance of the given subsets (comma-separated; "" = every subset folder present)."""
    root = Path(data_root) / folder
    if not root.is_dir():
        raise FileNotFoundError(
            f"LibriSpeech not found at {root}: pass --data-root DIR where DIR/{folder}/<subset>/<speaker>/"
            f"<chapter>/ holds the FLAC files and .trans.txt transcripts (the layout the OpenSLR archives "
            f"unpack to), or run `sure-bench data fetch librispeech`")
    rows = []
    for sub in subset_folders(root, subsets):
        for trans in sorted(sub.glob("*/*/*.trans.txt")):
            for utt, text in read_transcripts(trans):
                flac = trans.parent / f"{utt}.flac"
                rows.append(Utterance(utt, str(flac), duration_of(flac), text, utt.split("-", 1)[0], sub.name))
    if not rows:
        raise FileNotFoundError(f"no .trans.txt transcripts under {root}/<subset>/<speaker>/<chapter>/; "
                                f"expected layout:\n{INFO.layout}")
    return rows
