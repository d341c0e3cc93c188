"""VoxCeleb1 speaker identification: the official `iden_split.txt` over the release's WAV folders.

Layout under `<data-root>/voxceleb1/`: `iden_split.txt` (lines `<1|2|3> <speaker>/<video>/<NNNNN>.wav`;
1 = train, 2 = dev, 3 = test) and the audio of `vox1_dev_wav.zip` + `vox1_test_wav.zip`, either unzipped
into one folder (`wav/<speaker>/<video>/<NNNNN>.wav`, torchaudio's layout) or side by side as
`dev/wav/...` and `test/wav/...` (s3prl/SUPERB's layout). Subset = the split named by iden_split.txt;
label = speaker = the VoxCeleb1 id (id10001..id11251). An utterance iden_split.txt lists but the copy
lacks is kept, with the path where it belongs: decoding names it, and `sure-bench data verify` lists it.
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

INFO = DatasetInfo(
    name="voxceleb1",
    title="VoxCeleb1 (speaker identification split)",
    license="CC BY-SA 4.0 (metadata); audio from YouTube, obtained through the official request form",
    homepage="https://www.robots.ox.ac.uk/~vgg/data/voxceleb/vox1.html",
    folder="voxceleb1",
    layout="voxceleb1/iden_split.txt  (official identification split: '<1|2|3> idNNNNN/<video>/NNNNN.wav')\n"
           "voxceleb1/wav/idNNNNN/<video>/NNNNN.wav  (vox1_dev_wav.zip and vox1_test_wav.zip unzipped together;\n"
           "  or, as s3prl/SUPERB has it, voxceleb1/dev/wav/... and voxceleb1/test/wav/...)\n"
           "153,516 utterances of 1,251 speakers, 16 kHz mono WAV",
    notes="Request access through the form on the VoxCeleb page, download vox1_dev_wav (4 parts, "
          "concatenated into vox1_dev_wav.zip) and vox1_test_wav.zip, unzip both into <data-root>/voxceleb1/ "
          "(giving one wav/ folder), and put the official meta file iden_split.txt "
          "(https://www.robots.ox.ac.uk/~vgg/data/voxceleb/meta/iden_split.txt) beside wav/.",
)

SPLIT_FILE = "iden_split.txt"
SUBSETS = {"1": "train", "2": "dev", "3": "test"}
AUDIO_ROOTS = ("wav", "dev/wav", "test/wav")  # merged (torchaudio) first, then SUPERB's dev/ + test/
LINE = re.compile(r"^([123])\s+((id\d+)/([^/\s]+)/([^/\s]+)\.wav)$")


def _not_found(what: Path, folder: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"VoxCeleb1 not found: {what} does not exist. Pass --data-root DIR where DIR/{folder} holds {SPLIT_FILE} "
        f"and the audio as wav/<speaker>/<video>/<NNNNN>.wav (or dev/wav/... and test/wav/...); layout:\n"
        f"{INFO.layout}\n{INFO.notes}"
    )


def read_iden_split(path: Path) -> list[tuple[str, str, str]]:
    """(subset, relative wav path, speaker) per line of iden_split.txt; malformed lines name file:line."""
    entries, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        m = LINE.match(line.strip())
        if not m:
            raise ManifestError(f"{path}:{n}: expected '<1|2|3> <speaker>/<video>/<file>.wav', got {line!r}")
        code, rel, speaker = m.group(1), m.group(2), m.group(3)
        if rel in seen:
            raise ManifestError(f"{path}:{n}: {rel} is listed twice")
        seen.add(rel)
        entries.append((SUBSETS[code], rel, speaker))
    if not entries:
        raise ManifestError(f"{path}: no utterances listed; expected lines like '1 id10001/1zcIwhmdeo4/00001.wav'")
    return entries


def _speaker_roots(base: Path, folder: str) -> tuple[dict[str, Path], Path]:
    """Which audio folder holds each speaker, and the folder where absent speakers belong."""
    roots = [base / r for r in AUDIO_ROOTS if (base / r).is_dir()]
    if not roots:
        raise _not_found(base / "wav", folder)
    where: dict[str, Path] = {}
    for root in roots:
        for spk in root.iterdir():
            if spk.is_dir():
                where.setdefault(spk.name, root)
    return where, roots[0]


def load(data_root: Path, folder: str = INFO.folder) -> list[Utterance]:
    """Every utterance iden_split.txt lists, in its order; subset train/dev/test, label = speaker id."""
    base = Path(data_root) / folder
    split_file = base / SPLIT_FILE
    if not split_file.is_file():
        raise _not_found(split_file, folder)
    entries = read_iden_split(split_file)
    where, default_root = _speaker_roots(base, folder)
    rows = []
    for subset, rel, speaker in entries:
        wav = where.get(speaker, default_root) / rel
        uid = rel[: -len(".wav")].replace("/", "-")  # id10001-1zcIwhmdeo4-00001, as torchaudio and s3prl name it
        rows.append(Utterance(uid, str(wav), duration_of(wav), speaker, speaker, subset))
    return rows
