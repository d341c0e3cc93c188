"""L2-ARCTIC v5.0: non-native English read speech, 24 speakers reading the CMU ARCTIC prompts.

Layout (`l2arctic_release_v5.0.zip` unpacked, then each speaker's `<SPEAKER>.zip` inside it):
`l2arctic_release_v5.0/<SPEAKER>/wav/arctic_a0001.wav` (44.1 kHz mono) with
`<SPEAKER>/transcript/arctic_a0001.txt` (the prompt, one line); `annotation/` and `textgrid/` are not
read, nor is `suitcase_corpus/` (spontaneous speech, another layout). Speakers by first language, four
each: Arabic ABA, SKA, YBAA, ZHAA; Mandarin BWC, LXC, NCC, TXHC; Hindi ASI, RRBI, SVBI, TNI; Korean HJK,
HKK, YDCK, YKWK; Spanish EBVS, ERMS, MBMPS, NJS; Vietnamese HQTV, PNV, THV, TLV.

Utterance id `<SPEAKER>_<file stem>` (`ABA_arctic_a0001`), label = the transcript ("" where it is
missing: a tts task then reports the utterance as having no phonemes), speaker = the speaker folder. The
release has no split: `subset` is per utterance zlib.crc32(id) mod 10 = 0 -> test, 1 -> dev, else adapt
(`_tts_text.adaptation_split`, the bucket rule of the vctk loader), about 10 / 10 / 80 % of each speaker's
~1,130 recordings. `speakers` (comma-separated; "" = all present) chooses the speakers read;
`phonemes()` takes the same arguments and phonemizes only those utterances (espeak-ng, cached by
transcript hash).
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.loaders._tts_text import adaptation_split, cached_phonemes, parse_speakers
from sure_bench.data.manifest import ManifestError, Utterance

# speaker -> (first language, gender), as the corpus's README lists them
SPEAKERS = {
    "ABA": ("Arabic", "M"), "SKA": ("Arabic", "F"), "YBAA": ("Arabic", "M"), "ZHAA": ("Arabic", "F"),
    "BWC": ("Mandarin", "M"), "LXC": ("Mandarin", "F"), "NCC": ("Mandarin", "F"), "TXHC": ("Mandarin", "M"),
    "ASI": ("Hindi", "M"), "RRBI": ("Hindi", "M"), "SVBI": ("Hindi", "F"), "TNI": ("Hindi", "F"),
    "HJK": ("Korean", "F"), "HKK": ("Korean", "M"), "YDCK": ("Korean", "F"), "YKWK": ("Korean", "M"),
    "EBVS": ("Spanish", "M"), "ERMS": ("Spanish", "M"), "MBMPS": ("Spanish", "F"), "NJS": ("Spanish", "F"),
    "HQTV": ("Vietnamese", "M"), "PNV": ("Vietnamese", "F"), "THV": ("Vietnamese", "F"), "TLV": ("Vietnamese", "M"),
}

INFO = DatasetInfo(
    name="l2_arctic",
    title="L2-ARCTIC v5.0: non-native English speech corpus (24 speakers, 6 first languages)",
    license="CC BY-NC 4.0",
    homepage="https://psi.engr.tamu.edu/l2-arctic-corpus/",
    folder="l2arctic_release_v5.0",
    layout="l2arctic_release_v5.0/<SPEAKER>/wav/arctic_<a|b><NNNN>.wav   (44.1 kHz mono)\n"
           "l2arctic_release_v5.0/<SPEAKER>/transcript/arctic_<a|b><NNNN>.txt   (one line: the prompt)\n"
           "<SPEAKER>: ABA SKA YBAA ZHAA BWC LXC NCC TXHC ASI RRBI SVBI TNI HJK HKK YDCK YKWK EBVS ERMS MBMPS "
           "NJS HQTV PNV THV TLV",
    notes="Manual download: fill in the request form on the homepage; the reply links the corpus. Take "
          "l2arctic_release_v5.0.zip (everything packed), unzip it into --data-root/l2arctic_release_v5.0/, "
          "then unzip each <SPEAKER>.zip inside that folder so that l2arctic_release_v5.0/ABA/wav/ exists. "
          "`sure-bench data fetch` cannot download it.",
)

_WAV = re.compile(r"^arctic_[ab]\d{4}\.wav$")


def _speaker_folders(root: Path, speakers: str | int) -> list[Path]:
    wanted = parse_speakers(speakers, "l2_arctic")
    unknown = [s for s in wanted if s not in SPEAKERS]
    if unknown:
        raise ValueError(f"l2_arctic loader: unknown speaker(s) {unknown}; L2-ARCTIC's speakers: {list(SPEAKERS)}")
    names = wanted or list(SPEAKERS)
    present = [root / s for s in names if (root / s / "wav").is_dir()]
    absent = [s for s in names if not (root / s / "wav").is_dir()]
    zipped = [s for s in absent if (root / f"{s}.zip").is_file()]
    if zipped:
        raise FileNotFoundError(f"L2-ARCTIC: {root} holds {[f'{s}.zip' for s in zipped]} not unpacked; unzip each "
                                f"speaker's archive inside {root} so that {root}/<SPEAKER>/wav/ exists")
    if wanted and absent:
        raise FileNotFoundError(f"L2-ARCTIC: no {[str(root / s / 'wav') for s in absent]}; the copy at {root} "
                                f"lacks speaker(s) {absent}. Layout:\n{INFO.layout}")
    if not present:
        raise FileNotFoundError(f"L2-ARCTIC: no <SPEAKER>/wav/ folder under {root}; layout:\n{INFO.layout}")
    return sorted(present)


def _entries(data_root: Path, folder: str, speakers: str | int) -> list[tuple[str, Path, str, str]]:
    """(id, wav, transcript, speaker) of every chosen recording, sorted by speaker then file."""
    root = Path(data_root) / folder
    if not root.is_dir():
        raise FileNotFoundError(
            f"L2-ARCTIC v5.0 not found: {root} does not exist. Pass --data-root DIR where DIR/{folder}/<SPEAKER>/"
            f"wav/ holds the recordings. {INFO.notes}")
    out = []
    for spk_dir in _speaker_folders(root, speakers):
        for wav in sorted((spk_dir / "wav").glob("*.wav")):
            if wav.name.startswith("."):
                continue
            if not _WAV.match(wav.name):
                raise ManifestError(f"{wav}: not an L2-ARCTIC file name; expected arctic_a<NNNN>.wav or "
                                    f"arctic_b<NNNN>.wav in {wav.parent}")
            text_file = spk_dir / "transcript" / f"{wav.stem}.txt"
            text = text_file.read_text(encoding="utf-8").strip() if text_file.is_file() else ""
            out.append((f"{spk_dir.name}_{wav.stem}", wav, text, spk_dir.name))
    if not out:
        raise FileNotFoundError(f"L2-ARCTIC: no arctic_*.wav files under {root}/<SPEAKER>/wav/; layout:\n"
                                f"{INFO.layout}")
    return out


def load(data_root: Path, folder: str = INFO.folder, speakers: str | int = "",
         progress: bool = True) -> list[Utterance]:
    """Every recording of the chosen speakers; label = transcript, subset = adapt | dev | test (crc32 rule).
    `progress` is accepted for the tts kind and unused (reading is quick)."""
    return [Utterance(uid, str(wav), duration_of(wav), text, speaker, adaptation_split(uid))
            for uid, wav, text, speaker in _entries(data_root, folder, speakers)]


def phonemes(data_root: Path, folder: str = INFO.folder, speakers: str | int = "",
             progress: bool = True) -> dict[str, str]:
    """{utterance id: espeak-ng IPA of its transcript} for the recordings `load` returns with the same
    arguments (those without a transcript are left out)."""
    return cached_phonemes({uid: text for uid, _, text, _ in _entries(data_root, folder, speakers)})
