"""Google Speech Commands v0.01 / v0.02 (Warden 2018) as released, plus its separate test-set archives.

Each archive unpacks without a top folder, so each goes into a folder named after it:
  speech_commands_v0.0X/<word>/<speakerhash>_nohash_<n>.wav   (<= 1 s, 16 kHz mono)
  speech_commands_v0.0X/validation_list.txt, testing_list.txt  (lines `<word>/<file>.wav`)
  speech_commands_v0.0X/_background_noise_/<name>.wav           (6 long noise recordings)
  speech_commands_test_set_v0.0X/<class>/<file>.wav             (10 commands, _unknown_, _silence_)

`protocol` decides labels and `subset` (train / dev / test):
* superb12 (SUPERB KS, s3prl downstream/speech_commands): yes..go, _unknown_ (every other word) and
  _silence_. train = clips on neither list, dev = validation_list.txt (testing_list.txt is unused),
  test = the separate test-set folder, whose class folders are the labels. s3prl crops 1 s at random
  from each _background_noise_ file; here every noise file is cut into consecutive 1 s segments
  [k, k+1) s (a last part under 1 s is dropped): running_tap.wav's are dev _silence_ (TFDS, HF
  speech_commands and ESPnet put running_tap.wav in validation), every other file's train _silence_.
* sure11 (the SURE paper's code, declare-lab/speech-adapters utils.read_ks_cls_wav): only the 11
  words off up stop four no down left go yes on right; train / dev / test = neither list /
  validation_list.txt / testing_list.txt.
The release drew its two lists by a hash of the speaker id, so train, dev and testing_list are speaker-disjoint.
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo, Download
from sure_bench.data.manifest import ManifestError, Utterance

COMMANDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
UNKNOWN, SILENCE, NOISE = "_unknown_", "_silence_", "_background_noise_"
LABELS_SUPERB12 = (*COMMANDS, UNKNOWN, SILENCE)  # s3prl's CLASSES order
LABELS_SURE11 = ("off", "up", "stop", "four", "no", "down", "left", "go", "yes", "on", "right")  # SURE's order
PROTOCOLS = ("superb12", "sure11")
DEV_NOISE = "running_tap.wav"

_BASE = "http://download.tensorflow.org/data/"
# sha256: v0.01 / v0.02 main archives from torchaudio (torchaudio/datasets/speechcommands.py, _CHECKSUMS);
# v0.01 test set from HF datasets' superb/dataset_infos.json (ks download_checksums); v0.02 test set from
# TFDS (tensorflow_datasets/url_checksums/speech_commands.txt, which also lists the v0.02 main archive).
_SHA256 = {
    "speech_commands_v0.01": "743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d",
    "speech_commands_test_set_v0.01": "baa084f6b62c91de660ff0588ae4dfc4e4d534aa99ac0e5f406cba75836cbd00",
    "speech_commands_v0.02": "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
    "speech_commands_test_set_v0.02": "cc2a00c1147c2254e9be3fa0f779d8c17421dc349b86366567a8edfa9acd51df",
}

INFO = DatasetInfo(
    name="speech_commands",
    title="Google Speech Commands (v0.01 and v0.02)",
    license="CC BY 4.0",
    homepage="https://arxiv.org/abs/1804.03209",
    folder="speech_commands_v0.01",
    layout="speech_commands_v0.0X/<word>/<speakerhash>_nohash_<n>.wav  (16 kHz mono, <= 1 s)\n"
           "speech_commands_v0.0X/validation_list.txt, testing_list.txt  (lines: <word>/<file>.wav)\n"
           "speech_commands_v0.0X/_background_noise_/*.wav  (long noise recordings)\n"
           "speech_commands_test_set_v0.0X/<class>/*.wav  (class: the 10 commands, _unknown_, _silence_)",
    downloads=tuple(Download(f"{_BASE}{name}.tar.gz", f"sha256:{digest}", extract_to=name)
                    for name, digest in _SHA256.items()),
    notes="Four archives (v0.01 1.5 GB + its 71 MB test set, v0.02 2.4 GB + its 113 MB test set); each "
          "unpacks into the folder of its own name under --data-root.",
)

_LIST_LINE = re.compile(r"^[^/\s]+/[^/\s]+\.wav$")
_SPEAKER = re.compile(r"(?:^|_)([0-9a-f]+)_nohash_\d+$")


def _speaker(stem: str) -> str:
    m = _SPEAKER.search(stem)
    return m.group(1) if m else ""


def _missing(path: Path, what: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"Speech Commands: {path} not found ({what}). Pass --data-root DIR where DIR holds the unpacked "
        f"archives (or run `sure-bench data fetch speech_commands`); expected layout:\n{INFO.layout}")


def read_list(path: Path) -> set[str]:
    """The `<word>/<file>.wav` entries of validation_list.txt or testing_list.txt."""
    if not path.is_file():
        raise _missing(path, "the release's split list")
    out = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        entry = line.strip()
        if not entry:
            continue
        if not _LIST_LINE.match(entry):
            raise ManifestError(f"{path}:{n}: expected '<word>/<file>.wav', got {line!r}")
        out.add(entry)
    return out


def silence_segments(root: Path) -> list[Utterance]:
    """Consecutive 1 s segments of every `_background_noise_/*.wav`; an unreadable file gives one row."""
    folder = root / NOISE
    if not folder.is_dir():
        raise _missing(folder, "the background noise recordings that give the _silence_ class")
    rows = []
    for wav in sorted(folder.glob("*.wav")):
        seconds = duration_of(wav)
        subset = "dev" if wav.name == DEV_NOISE else "train"
        for k in range(int(seconds) if seconds > 0 else 1):
            rows.append(Utterance(f"{NOISE}/{wav.stem}/{k:03d}", str(wav), 1.0 if seconds else 0.0, SILENCE,
                                  "", subset, float(k), float(k + 1)))
    return rows


def test_set(folder: Path) -> list[Utterance]:
    """The separate test-set archive: one folder per class (its name is the label)."""
    if not folder.is_dir():
        raise _missing(folder, "the separate test-set archive")
    rows = []
    for cls in sorted(p for p in folder.iterdir() if p.is_dir()):
        if cls.name not in LABELS_SUPERB12:
            raise ManifestError(f"{cls}: unexpected class folder {cls.name!r} in the test set; "
                                f"expected only {list(LABELS_SUPERB12)}")
        rows += [Utterance(f"test_set/{cls.name}/{wav.stem}", str(wav), duration_of(wav), cls.name,
                           _speaker(wav.stem), "test") for wav in sorted(cls.glob("*.wav"))]
    return rows


def load(data_root: Path, folder: str = INFO.folder, protocol: str = "superb12",
         test_folder: str = "speech_commands_test_set_v0.01") -> list[Utterance]:
    """Rows of `protocol` (superb12 or sure11) with subset train / dev / test; see the module docstring."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"speech_commands loader: protocol must be one of {list(PROTOCOLS)}, got {protocol!r}")
    root = Path(data_root) / folder
    if not root.is_dir():
        raise _missing(root, "the main release folder")
    dev, test = read_list(root / "validation_list.txt"), read_list(root / "testing_list.txt")
    words = [p.name for p in root.iterdir() if p.is_dir() and p.name != NOISE]
    present = {f"{w}/{f.name}" for w in words for f in (root / w).glob("*.wav")}
    rows = []
    for rel in sorted(present | dev | test):  # a listed clip missing from the copy is reported at decode
        word = rel.split("/", 1)[0]
        subset = "dev" if rel in dev else "test" if rel in test else "train"
        if protocol == "sure11":
            if word not in LABELS_SURE11:
                continue
            label = word
        else:
            if subset == "test":
                continue
            label = word if word in COMMANDS else UNKNOWN
        path = root / rel
        rows.append(Utterance(rel[:-4], str(path), duration_of(path), label, _speaker(path.stem), subset))
    if protocol == "superb12":
        rows += silence_segments(root) + test_set(Path(data_root) / test_folder)
    return rows
