"""How fast loaders scan a release and `data verify` checks it: files per second, printed.

    .venv/bin/python benchmarks/dataset_scan.py [--files 2000] [--fsdd ../shared/data]

A fake LibriSpeech copy of N one-second FLAC files is built in a temporary folder (scan = the loader
reading transcripts and headers; verify = decoding every file); the real FSDD copy, when present, is
verified against its committed manifest with sha256.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from sure_bench.cli.data_cmd import verify_dataset
from sure_bench.data.loaders import librispeech
from sure_bench.data.verify import VerifyReport, check_rows


def fake_librispeech(root: Path, n: int) -> None:
    wave = (0.1 * np.sin(np.arange(16000) / 9)).astype(np.float32)
    for start in range(0, n, 100):  # 100 utterances per chapter
        spk, chap = str(1000 + start // 100), "1"
        folder = root / "LibriSpeech" / "test-clean" / spk / chap
        folder.mkdir(parents=True)
        lines = []
        for k in range(min(100, n - start)):
            utt = f"{spk}-{chap}-{k:04d}"
            sf.write(folder / f"{utt}.flac", wave, 16000)
            lines.append(f"{utt} A FAKE TRANSCRIPT\n")
        (folder / f"{spk}-{chap}.trans.txt").write_text("".join(lines))


def rate(n: int, seconds: float) -> str:
    return f"{n} files in {seconds:.2f} s = {n / seconds:,.0f} files/s"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--files", type=int, default=2000)
    p.add_argument("--fsdd", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fake_librispeech(Path(tmp), args.files)
        t = time.perf_counter()
        rows = librispeech.load(Path(tmp), subsets="test-clean")
        print(f"librispeech loader scan: {rate(len(rows), time.perf_counter() - t)}")
        report = VerifyReport("librispeech")
        t = time.perf_counter()
        check_rows(rows, report)
        print(f"verify (decode every file): {rate(report.checked, time.perf_counter() - t)}, "
              f"{len(report.problems)} problems")
    if (args.fsdd / "fsdd" / "recordings").is_dir():
        t = time.perf_counter()
        report = verify_dataset("fsdd", args.fsdd, checksums=True)
        print(f"fsdd verify with sha256 against the committed manifest: {rate(report.checked, time.perf_counter() - t)}, "
              f"{len(report.problems)} problems")


if __name__ == "__main__":
    main()
