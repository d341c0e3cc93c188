"""The frozen-feature cache trusts an entry only when it is complete and for exactly these inputs."""

import dataclasses

import numpy as np
import pytest

from sure_bench.cli.main import main
from sure_bench.features.store import EntryKey, build_entry, list_entries

KEY = EntryKey(kind="pooled", backbone="bb", weights_sha256="a" * 64, task="t", spec_hash="s1", split="train",
               ids=("u1", "u2", "u3"), max_samples=16000, tag="raw")


class Builder:
    """Writes three rows in two batches and counts how often it was asked to."""

    def __init__(self, offset: float = 0.0):
        self.calls, self.offset = 0, offset

    def __call__(self, write):
        self.calls += 1
        write(np.arange(8, dtype=np.float32).reshape(2, 2, 2) + self.offset)
        write(np.full((1, 2, 2), 9.0, dtype=np.float32))
        return {"frames": [1, 2, 3]}


def test_an_entry_is_built_once_then_read_memory_mapped(tmp_path):
    build = Builder()
    first = build_entry(KEY, tmp_path, build)
    again = build_entry(KEY, tmp_path, build)
    assert build.calls == 1 and isinstance(again.array, np.memmap)
    assert again.array.shape == (3, 2, 2) and np.array_equal(first.array, again.array)
    assert again.index == {"frames": [1, 2, 3]}


@pytest.mark.parametrize("change", [{"weights_sha256": "b" * 64}, {"ids": ("u1", "u2", "u4")}, {"split": "dev"},
                                    {"spec_hash": "s2"}, {"max_samples": 8000}, {"tag": "frame-layer-norm"}])
def test_an_entry_for_other_weights_or_utterances_is_never_used(tmp_path, change):
    build_entry(KEY, tmp_path, Builder())
    other = Builder(offset=100.0)
    entry = build_entry(dataclasses.replace(KEY, **change), tmp_path, other)
    assert other.calls == 1 and entry.array[0, 0, 0] == 100.0


@pytest.mark.parametrize("damage", ["truncate", "flip", "no card", "bad card"])
def test_a_corrupt_or_half_written_entry_is_rebuilt(tmp_path, damage):
    build = Builder()
    good = np.array(build_entry(KEY, tmp_path, build).array)
    data = KEY.data_path(tmp_path)
    card = data.with_suffix(".json")
    if damage == "truncate":  # killed mid-write, or a full disk
        data.write_bytes(data.read_bytes()[:-4])
    elif damage == "flip":  # same size, other content
        raw = bytearray(data.read_bytes())
        raw[5] ^= 0xFF
        data.write_bytes(bytes(raw))
    elif damage == "no card":  # the array was written, the card never was
        card.unlink()
    else:
        card.write_text("{not json")
    entry = build_entry(KEY, tmp_path, build)
    assert build.calls == 2 and np.array_equal(entry.array, good)


def test_cache_list_and_clear_by_backbone_and_task(tmp_path, capsys):
    build_entry(KEY, tmp_path, Builder())
    build_entry(dataclasses.replace(KEY, task="t2"), tmp_path, Builder())
    build_entry(dataclasses.replace(KEY, backbone="other", weights_sha256="c" * 64), tmp_path, Builder())
    assert main(["cache", "list", "--cache-dir", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert "bb" in shown and "t2" in shown and "other" in shown
    assert main(["cache", "clear", "--cache-dir", str(tmp_path), "--backbone", "bb", "--task", "t2"]) == 0
    assert "removed 1 feature cache entry" in capsys.readouterr().out
    left = {(e.card["backbone"], e.card["task"]) for e in list_entries(tmp_path)}
    assert left == {("bb", "t"), ("other", "t")}
    assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert not list(list_entries(tmp_path))
