"""IEMOCAP (Busso et al., 2008), the four-class emotion set: neutral, happy (happy + excited), angry, sad.

Layout as `IEMOCAP_full_release.tar.gz` unpacks: `IEMOCAP_full_release/Session{1..5}/dialog/EmoEvaluation/
<dialog>.txt` holds one line per turn, `[<start> - <end>]\\t<utterance>\\t<label>\\t[<V>, <A>, <D>]` (then the
evaluators' lines, which are ignored); the audio is `Session<k>/sentences/wav/<dialog>/<utterance>.wav`.
Turns whose label is neu, hap, exc, ang or sad are kept (exc counts as happy), 5,531 in all, as in SUPERB
(s3prl), SpeechBrain and emotion2vec. `subset` is the session (Session1..Session5); `speaker` is the actor,
`Ses<nn><F|M>` from the last part of the utterance id. Tasks use leave-one-session-out folds.
"""

from __future__ import annotations

import re
from pathlib import Path

from sure_bench.data.audio import duration_of
from sure_bench.data.dataset_info import DatasetInfo
from sure_bench.data.manifest import ManifestError, Utterance

SESSIONS = tuple(f"Session{k}" for k in range(1, 6))
LABELS = {"neu": "neutral", "hap": "happy", "exc": "happy", "ang": "angry", "sad": "sad"}

INFO = DatasetInfo(
    name="iemocap",
    title="IEMOCAP: Interactive Emotional Dyadic Motion Capture database",
    license="research licence from USC SAIL (release form; no redistribution)",
    homepage="https://sail.usc.edu/iemocap/",
    folder="IEMOCAP_full_release",
    layout="IEMOCAP_full_release/Session<k>/dialog/EmoEvaluation/<dialog>.txt\n"
           "    (lines: [<start> - <end>] TAB <utterance> TAB <label> TAB [<V>, <A>, <D>])\n"
           "IEMOCAP_full_release/Session<k>/sentences/wav/<dialog>/<utterance>.wav   (16 kHz mono), k = 1..5",
    notes="Request the release through the form on https://sail.usc.edu/iemocap/iemocap_release.htm; unpack "
          "IEMOCAP_full_release.tar.gz into --data-root.",
)

_TURN = re.compile(r"^\[(\d+(?:\.\d+)?) - (\d+(?:\.\d+)?)\]\t(\S+)\t(\S+)\t\[.*\]\s*$")
_UTT = re.compile(r"^Ses(0[1-5])[FM]_\S+_([FM])\w*$")


def read_labels(path: Path, session: str) -> list[tuple[str, str]]:
    """(utterance id, IEMOCAP label code) of every turn line of one EmoEvaluation file."""
    out = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("["):
            continue  # the header, blank lines and the per-evaluator lines (C-E1:, A-F1:, ...)
        m = _TURN.match(line)
        if not m:
            raise ManifestError(f"{path}:{n}: expected '[<start> - <end>]\\t<utterance>\\t<label>\\t[V, A, D]', "
                                f"got {line!r}")
        utt, code = m.group(3), m.group(4)
        u = _UTT.match(utt)
        if not u or f"Session{int(u.group(1))}" != session:
            raise ManifestError(f"{path}:{n}: utterance id {utt!r} is not a {session} id (Ses0{session[-1]}F_..._F000)")
        out.append((utt, code))
    return out


def load(data_root: Path, folder: str = INFO.folder) -> list[Utterance]:
    """Every neutral, happy/excited, angry and sad turn of the five sessions, in session and file order."""
    root = Path(data_root) / folder
    missing = [root / s / "dialog" / "EmoEvaluation" for s in SESSIONS
               if not (root / s / "dialog" / "EmoEvaluation").is_dir()]
    if missing:
        raise FileNotFoundError(
            f"IEMOCAP not found or incomplete at {root} (missing {[str(m) for m in missing]}): pass --data-root "
            f"DIR where DIR/{folder}/ is the unpacked IEMOCAP_full_release; expected layout:\n{INFO.layout}")
    rows = []
    for session in SESSIONS:
        label_dir = root / session / "dialog" / "EmoEvaluation"
        for txt in sorted(p for p in label_dir.glob("*.txt") if not p.name.startswith(".")):
            for utt, code in read_labels(txt, session):
                if code not in LABELS:
                    continue
                wav = root / session / "sentences" / "wav" / utt.rsplit("_", 1)[0] / f"{utt}.wav"
                m = _UTT.match(utt)
                assert m is not None  # read_labels checked it
                speaker = f"Ses{m.group(1)}{m.group(2)}"
                rows.append(Utterance(utt, str(wav), duration_of(wav), LABELS[code], speaker, session))
    return rows
