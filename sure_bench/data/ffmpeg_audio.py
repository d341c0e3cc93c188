"""Reading the audio track of containers soundfile cannot open (.mp4, .m4a, .mkv, .webm) with ffmpeg.

ffmpeg is a system program, not a Python package: it is looked up on PATH when a file needs it. Its absence
is `FFmpegNotFoundError` (a FileNotFoundError naming the file and the fix), deliberately not a BadAudioError:
`--skip-bad-audio` must not quietly drop every clip of a dataset because a tool is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

CONTAINER_SUFFIXES = frozenset({".mp4", ".m4a", ".mkv", ".webm"})
INSTALL_HINT = "install ffmpeg (e.g. apt install ffmpeg) to read .mp4 audio"


class FFmpegNotFoundError(FileNotFoundError):
    """ffmpeg is not on PATH, so a container file cannot be decoded; the message names the file."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        super().__init__(f"{path}: ffmpeg not found on PATH: {INSTALL_HINT}")


def read_with_ffmpeg(path: str | Path, rate: int = 16000, timeout: float = 120.0) -> tuple[np.ndarray, int]:
    """The first audio stream of `path`, mixed to mono at `rate` Hz: (float32 samples, rate).

    ffmpeg failing on the file (no audio stream, corrupt data) is a RuntimeError carrying ffmpeg's message;
    read_audio turns it into a BadAudioError.
    """
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise FFmpegNotFoundError(path)
    cmd = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path),
           "-map", "0:a:0", "-vn", "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "1", "-ar", str(rate), "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"ffmpeg did not finish within {timeout:g} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("0:a:0" in line for line in message):
            raise RuntimeError("no audio stream in the file")
        raise RuntimeError(f"ffmpeg exit status {done.returncode}: {' / '.join(message[-3:]) or 'no message'}")
    return np.frombuffer(done.stdout, dtype="<f4").astype(np.float32), rate
