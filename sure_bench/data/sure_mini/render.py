"""Render planned sure-mini utterances: espeak-ng, 16 kHz resampling, seeded augmentation, WAV.

Rendering is deterministic: espeak-ng output is a pure function of its arguments, and all
noise is drawn from a generator seeded with a hash of the utterance id.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import soundfile as sf
import soxr

from sure_bench.data.parallel import run_in_threads
from sure_bench.data.sure_mini.plans import PlannedUtterance
from sure_bench.data.sure_mini.voices import BABBLE_VOICES
from sure_bench.files import write_atomic_with

SAMPLE_RATE = 16000
ESPEAK = "espeak-ng"
INSTALL_HINT = "sudo apt-get install espeak-ng"
PEAK = 0.9
BABBLE_TEXTS = (
    "the weather was fine this morning so we walked along the river to the old market",
    "please remember to bring the tickets and the keys when you come back tonight",
    "she told me that the train would leave early but nobody believed her at all",
    "after the meeting they talked for hours about money houses gardens and holidays",
    "my neighbour is painting his fence blue and it looks rather strange to be honest",
    "if you turn left at the bridge you will find a small shop that sells fresh bread",
)


def espeak_executable() -> str:
    """Path of espeak-ng, or a RuntimeError that says how to install it."""
    exe = shutil.which(ESPEAK)
    if exe is None:
        raise RuntimeError(
            f"sure-mini needs the {ESPEAK} speech synthesizer, which is not on PATH; "
            f"install it with: {INSTALL_HINT}"
        )
    return exe


def _parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Decode espeak-ng's streamed 16-bit mono WAV (its RIFF sizes are placeholders)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise RuntimeError("espeak-ng did not write a WAV stream")
    sr = int.from_bytes(data[24:28], "little")
    pos = data.find(b"data", 12)
    if pos < 0:
        raise RuntimeError("espeak-ng WAV stream has no data chunk")
    pcm = data[pos + 8:]
    pcm = pcm[: len(pcm) // 2 * 2]
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0, sr


def synthesize(text: str, voice: str, pitch: int = 50, speed: int = 175, amplitude: int = 100,
               pitch_range: int = 100, word_gap: int = 0) -> tuple[np.ndarray, int]:
    """Run espeak-ng once; returns (float32 samples, sample rate)."""
    ssml = f'<speak><prosody range="{pitch_range}%">{escape(text)}</prosody></speak>'
    cmd = [espeak_executable(), "-m", "-z", "--stdout", "-v", voice, "-p", str(pitch),
           "-s", str(speed), "-a", str(amplitude), "-g", str(word_gap), ssml]
    proc = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"espeak-ng failed ({proc.returncode}) for voice {voice!r} text {text!r}: "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    audio, sr = _parse_wav(proc.stdout)
    if audio.size == 0 or not np.any(audio):
        raise RuntimeError(f"espeak-ng produced no audio for voice {voice!r} text {text!r}")
    return audio, sr


def trim_silence(x: np.ndarray, sr: int, margin: float = 0.02) -> np.ndarray:
    """Cut leading and trailing silence (frames 40 dB below the loudest), keeping a margin."""
    hop = max(1, sr // 100)
    n = len(x) // hop
    if n == 0:
        return x
    energy = (x[: n * hop].reshape(n, hop) ** 2).mean(axis=1)
    active = np.flatnonzero(energy > energy.max() * 1e-4)
    if active.size == 0:
        return x
    m = int(margin * sr)
    return x[max(0, active[0] * hop - m): min(len(x), (active[-1] + 1) * hop + m)]


def seed_of(utt_id: str) -> int:
    """A stable 64-bit seed from an utterance id (independent of PYTHONHASHSEED)."""
    return int.from_bytes(hashlib.sha256(utt_id.encode()).digest()[:8], "little")


_BABBLE: list[np.ndarray] = []
_BABBLE_LOCK = threading.Lock()


def babble_bank() -> list[np.ndarray]:
    """Unit-RMS 16 kHz speech of the babble-only voices (made once per process)."""
    with _BABBLE_LOCK:
        if not _BABBLE:
            bank = []
            for voice, text in zip(BABBLE_VOICES, BABBLE_TEXTS):
                x, sr = synthesize(text, voice.espeak_voice, voice.pitch, voice.speed)
                x = soxr.resample(trim_silence(x, sr), sr, SAMPLE_RATE).astype(np.float32)
                bank.append(x / (np.sqrt(np.mean(x**2)) + 1e-9))
            _BABBLE.extend(bank)
    return _BABBLE


def make_noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS noise: white, pink (1/f power) or babble (3-4 overlapping synthetic talkers)."""
    if kind == "white":
        noise = rng.standard_normal(n)
    elif kind == "pink":
        spec = np.fft.rfft(rng.standard_normal(n))
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        noise = np.fft.irfft(spec / np.sqrt(f), n)
    elif kind == "babble":
        bank = babble_bank()
        noise = np.zeros(n)
        for k in rng.choice(len(bank), size=int(rng.integers(3, 5)), replace=False):
            src = bank[int(k)]
            start = int(rng.integers(0, len(src)))
            idx = (start + np.arange(n)) % len(src)
            noise += src[idx] * rng.uniform(0.6, 1.0)
    else:
        raise ValueError(f"unknown noise kind {kind!r}")
    return (noise / (np.sqrt(np.mean(noise**2)) + 1e-12)).astype(np.float32)


def render(plan: PlannedUtterance) -> np.ndarray:
    """The utterance's 16 kHz mono float32 audio, peak-normalised to 0.9."""
    x, sr = synthesize(plan.text, plan.voice, plan.pitch, plan.speed, plan.amplitude,
                       plan.pitch_range, plan.word_gap)
    x = trim_silence(x, sr)
    x = x / (np.abs(x).max() + 1e-9)
    if plan.drive > 0:
        x = np.tanh(plan.drive * x) / np.tanh(plan.drive)
    # Speed perturbation: resample to 16 kHz / factor, then play at 16 kHz.
    speech = soxr.resample(x, sr, SAMPLE_RATE / plan.speed_factor).astype(np.float32)
    rng = np.random.default_rng(seed_of(plan.id))
    before, after = int(plan.pad_before * SAMPLE_RATE), int(plan.pad_after * SAMPLE_RATE)
    if plan.target_duration > 0:
        slack = max(0, int(plan.target_duration * SAMPLE_RATE) - len(speech))
        frac = plan.pad_before / (plan.pad_before + plan.pad_after)
        before = int(slack * frac)
        after = slack - before
    y = np.concatenate([np.zeros(before, np.float32), speech, np.zeros(after, np.float32)])
    if plan.noise != "none":
        power = float(np.mean(speech**2))
        gain = np.sqrt(power / 10 ** (plan.snr_db / 10))
        y = y + gain * make_noise(plan.noise, len(y), rng)
    return (y * (PEAK / (np.abs(y).max() + 1e-9))).astype(np.float32)


def render_to_file(plan: PlannedUtterance, path: Path) -> float:
    """Render into a 16-bit WAV (written atomically); returns its duration in seconds."""
    audio = render(plan)
    write_atomic_with(Path(path), lambda tmp: sf.write(tmp, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV"))
    return len(audio) / SAMPLE_RATE


def render_many(jobs: Iterable[tuple[PlannedUtterance, Path]], workers: int = 3,
                on_done: Callable[[int], None] | None = None) -> dict[str, float]:
    """Render many utterances, `workers` espeak-ng runs at a time; returns {id: duration}.

    Threads suffice: most of the time is spent in espeak-ng subprocesses (measured: 3 threads
    ~2x faster than 1 on 2 cores). `on_done(1)` is called in the caller's thread per file.
    """
    espeak_executable()
    jobs = list(jobs)
    if jobs and any(p.noise == "babble" for p, _ in jobs):
        babble_bank()  # make it once, before the threads start
    return run_in_threads({p.id: partial(render_to_file, p, out) for p, out in jobs}, workers, on_done)
