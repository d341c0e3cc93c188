"""Audio SNIPS as released with s3prl (SUPERB slot filling): Polly voices reading the SNIPS NLU queries.

Layout: `SNIPS/all.iob.snips.txt` (one line per utterance: `<id> BOS w1 .. wn EOS<TAB>O t1 .. tn <intent>`,
IOB slot tags per word) and `SNIPS/{train,valid,test}/<Speaker>-snips-<split>-<n>.wav`. The label is
the transcript with each slot span wrapped in tags, `play <artist> taylor swift </artist>`; with
`target: intent` it is the intent. SUPERB's split picks speakers within each folder (see the task YAML).
"""

from __future__ import annotations

from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

INFO = DatasetInfo(
    name="snips",
    title="Audio SNIPS (SUPERB slot filling, from the aws-lex noisy SLU release)",
    license="CC BY-NC 4.0 (aws-samples/aws-lex-noisy-spoken-language-understanding); SNIPS NLU queries CC0",
    homepage="https://github.com/aws-samples/aws-lex-noisy-spoken-language-understanding",
    folder="SNIPS",
    layout="SNIPS/all.iob.snips.txt\nSNIPS/{train,valid,test}/<Speaker>-snips-<split>-<n>.wav  (16 kHz wav, as "
           "s3prl's preprocessing writes them from the release's mp3 files)",
    notes="Prepared with s3prl's SNIPS preparation script (text from the aws-samples repository, audio from "
          "the audio_slu release); the harness reads the prepared SNIPS/ folder.",
)
PUNCTUATION = set("?!.,;-–…")
SPLITS = ("train", "valid", "test")


def tag_slots(words: list[str], tags: list[str]) -> str:
    """IOB tags per word -> the words with `<type> ... </type>` around each slot span."""
    out: list[str] = []
    open_type = ""
    for word, tag in zip(words, tags):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else ""
        if open_type and (tag.startswith("B-") or kind != open_type):
            out.append(f"</{open_type}>")
            open_type = ""
        if kind and not open_type:
            out.append(f"<{kind}>")
            open_type = kind
        out.append(word)
    if open_type:
        out.append(f"</{open_type}>")
    return " ".join(out)


def _read_annotations(path: Path) -> dict[str, tuple[str, str]]:
    """id -> (slot-tagged transcript, intent)."""
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        text, sep, tagging = line.partition("\t")
        words, tags = text.split(), tagging.split()
        if not sep or len(words) < 3 or words[1] != "BOS" or words[-1] != "EOS" or len(tags) != len(words) - 1:
            raise ManifestError(f"{path}:{n}: expected '<id> BOS words EOS<TAB>O tags <intent>' with one tag per "
                                f"word, got {line[:80]!r}")
        utt_id, words = words[0], words[2:-1]
        slots, intent = tags[1:-1], tags[-1]
        kept = [(w, t) for w, t in zip(words, slots) if w not in PUNCTUATION]
        out[utt_id] = (tag_slots([w for w, _ in kept], [t for _, t in kept]), intent)
    return out


def load(data_root: Path, folder: str = INFO.folder, target: str = "slots") -> list[Utterance]:
    """Every wav of the three folders that has an annotation line; subset = the folder, speaker from the name."""
    if target not in ("slots", "intent"):
        raise ValueError(f"snips loader: target must be 'slots' or 'intent', got {target!r}")
    base = Path(data_root) / folder
    annotations = base / "all.iob.snips.txt"
    if not annotations.is_file():
        raise FileNotFoundError(f"Audio SNIPS not found: {annotations} is missing; pass --data-root DIR where DIR/"
                                f"{folder} holds all.iob.snips.txt and train/ valid/ test/ (layout: {INFO.layout})")
    labels = _read_annotations(annotations)
    rows = []
    for split in SPLITS:
        for wav in sorted((base / split).glob("*.wav")):
            if wav.stem not in labels:
                raise ManifestError(f"{wav}: no line for {wav.stem!r} in {annotations}; is the copy complete?")
            tagged, intent = labels[wav.stem]
            speaker = wav.stem.split("-")[0]
            rows.append(Utterance(wav.stem, str(wav), duration_of(wav), tagged if target == "slots" else intent,
                                  speaker, split))
    return rows
