"""CSTR VCTK Corpus 0.92: `wav48_silence_trimmed/<speaker>/<speaker>_<NNN>_<mic>.flac` (48 kHz FLAC).

Every recording of the chosen microphone (`mic1`, DPA 4035, or `mic2`, Sennheiser MKH 800; p280 and
p315 have no mic2 audio); speaker = the folder's speaker id (p225..p376, s5). label = the speaker id
(default, `label: speaker`, for speaker ID), or with `label: text` the transcript
(`txt/<speaker>/<speaker>_<NNN>.txt`; "" where there is none, as for all of p315). VCTK publishes no split,
so `subset` is a per-utterance rule: zlib.crc32 of the utterance id (`p225_001`) mod 10 is 0 -> test,
1 -> dev, else train. It is the same for both microphones and puts every speaker in every split
(about 10 % / 10 % / 80 % of each speaker's ~400 utterances); a TTS task adapts on train.

`speakers` (comma-separated; "" = all) keeps those speakers only. `phonemes()` takes the same arguments
and returns the espeak-ng IPA of those utterances' transcripts (cached by transcript hash), for the tts
task kind.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo, Download
from sure_bench.data.loaders._tts_text import cached_phonemes, parse_speakers
from sure_bench.data.manifest import ManifestError, Utterance

INFO = DatasetInfo(
    name="vctk",
    title="CSTR VCTK Corpus 0.92",
    license="CC BY 4.0",
    homepage="https://datashare.ed.ac.uk/handle/10283/3443",
    folder="VCTK-Corpus-0.92",
    layout="VCTK-Corpus-0.92/wav48_silence_trimmed/<speaker>/<speaker>_<NNN>_mic1.flac (and _mic2.flac)\n"
           "VCTK-Corpus-0.92/txt/<speaker>/<speaker>_<NNN>.txt, speaker-info.txt  (VCTK-Corpus-0.92.zip unzipped;\n"
           "  the zip has no top folder)  110 speakers with mic1 audio, 48 kHz FLAC",
    # URL and sha256 as torchaudio's VCTK_092 dataset has them (src/torchaudio/datasets/vctk.py, _CHECKSUMS);
    # datashare.is.ed.ac.uk there is the old name of this host. The zip unpacks without a top folder.
    downloads=(Download("https://datashare.ed.ac.uk/bitstream/handle/10283/3443/VCTK-Corpus-0.92.zip",
                        "sha256:f96258be9fdc2cbff6559541aae7ea4f59df3fcaf5cf963aae5ca647357e359c",
                        extract_to="VCTK-Corpus-0.92"),),
    notes="`sure-bench data fetch vctk` downloads VCTK-Corpus-0.92.zip (about 11 GB) from Edinburgh DataShare "
          "and unpacks it into <data-root>/VCTK-Corpus-0.92/.",
)

AUDIO_DIR = "wav48_silence_trimmed"
TEXT_DIR = "txt"
LABELS = ("speaker", "text")
MICS = ("mic1", "mic2")
NAME = re.compile(r"^([a-z]+\d+)_(\d+)_(mic[12])\.flac$")


def split_of(utterance_id: str) -> str:
    """The documented VCTK split rule: crc32(utterance id) mod 10, 0 -> test, 1 -> dev, else train."""
    bucket = zlib.crc32(utterance_id.encode("utf-8")) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def transcript(base: Path, uid: str) -> str:
    """The text of `txt/<speaker>/<uid>.txt` under the corpus folder `base`; "" where there is none."""
    path = base / TEXT_DIR / uid.split("_", 1)[0] / f"{uid}.txt"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def load(data_root: Path, folder: str = INFO.folder, mic: str = "mic1", label: str = "speaker",
         speakers: str | int = "", progress: bool = True) -> list[Utterance]:
    """Every `<mic>` recording of the chosen speakers, sorted by speaker then utterance; label = speaker id
    (`label: speaker`) or transcript (`label: text`). `progress` is accepted for the tts kind and unused."""
    if mic not in MICS:
        raise ValueError(f"vctk loader: mic must be one of {list(MICS)}, got {mic!r}")
    if label not in LABELS:
        raise ValueError(f"vctk loader: label must be one of {list(LABELS)}, got {label!r}")
    wanted = parse_speakers(speakers, "vctk")
    base = Path(data_root) / folder
    audio = base / AUDIO_DIR
    if not audio.is_dir():
        raise FileNotFoundError(
            f"VCTK 0.92 not found: {audio} does not exist. Pass --data-root DIR where DIR/{folder} is "
            f"VCTK-Corpus-0.92.zip unpacked (or run `sure-bench data fetch vctk`); layout:\n{INFO.layout}"
        )
    absent = [s for s in wanted if not (audio / s).is_dir()]
    if absent:
        raise FileNotFoundError(f"VCTK 0.92: no {[str(audio / s) for s in absent]}; speaker(s) {absent} are not in "
                                f"the copy at {base} (VCTK's ids are p225..p376 and s5)")
    rows = []
    for spk_dir in sorted(p for p in audio.iterdir() if p.is_dir() and (not wanted or p.name in wanted)):
        for flac in sorted(spk_dir.glob("*.flac")):
            if flac.name.startswith("."):
                continue
            m = NAME.match(flac.name)
            if not m or m.group(1) != spk_dir.name:
                raise ManifestError(f"{flac}: not a VCTK 0.92 file name; expected "
                                    f"{spk_dir.name}_<NNN>_mic1.flac or _mic2.flac in {spk_dir}")
            speaker, number, file_mic = m.groups()
            if file_mic != mic:
                continue
            uid = f"{speaker}_{number}"
            text = transcript(base, uid) if label == "text" else speaker
            rows.append(Utterance(uid, str(flac), duration_of(flac), text, speaker, split_of(uid)))
    if not rows:
        raise FileNotFoundError(f"VCTK 0.92: no *_{mic}.flac files under {audio}/<speaker>/; layout:\n{INFO.layout}")
    return rows


def phonemes(data_root: Path, folder: str = INFO.folder, mic: str = "mic1", label: str = "speaker",
             speakers: str | int = "", progress: bool = True) -> dict[str, str]:
    """{utterance id: espeak-ng IPA of its transcript} for the recordings `load` returns with the same
    arguments (whatever `label` is); utterances without a transcript are left out."""
    base = Path(data_root) / folder
    return cached_phonemes({r.id: transcript(base, r.id)
                            for r in load(data_root, folder, mic, "speaker", speakers, progress)})
