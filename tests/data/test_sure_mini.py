"""sure-mini: deterministic plans, hold-out rules, committed splits, rendering, Asterisk subset."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.manifest import read_manifest
from sure_bench.data.sure_mini import asterisk, build, render
from sure_bench.data.sure_mini.plans import (
    KEYWORDS,
    SYNTH_SUBSETS,
    intent_phrasings,
    plan_hash,
    plan_subset,
)
from sure_bench.data.sure_mini.voices import ALL_VOICES, BABBLE_VOICES, voice_pool

REPO = Path(__file__).resolve().parents[2]
SPLITS_ROOT = REPO / "tasks" / "splits"
HAVE_ESPEAK = shutil.which("espeak-ng") is not None
needs_espeak = pytest.mark.skipif(not HAVE_ESPEAK, reason="espeak-ng not installed")


def _asterisk_installed() -> bool:
    try:
        asterisk.plan_prompts()
    except asterisk.AsteriskMissing:
        return False
    return True


needs_asterisk = pytest.mark.skipif(not _asterisk_installed(),
                                    reason="asterisk-core-sounds-en-wav not installed")


def _by_split(plans):
    out = {"train": [], "dev": [], "test": []}
    for p in plans:
        out[p.split].append(p)
    return out


def test_voice_pool_is_large_and_distinct():
    names = [v.name for v in ALL_VOICES]
    assert len(set(names)) == len(names)
    assert len(voice_pool()) >= 40
    assert not {v.name for v in BABBLE_VOICES} & {v.name for v in voice_pool()}


@pytest.mark.parametrize("subset", SYNTH_SUBSETS)
def test_plans_are_deterministic(subset):
    a, b = plan_subset(subset), plan_subset(subset)
    assert a == b
    assert plan_hash(a) == plan_hash(b)
    assert len({p.id for p in a}) == len(a)
    assert all(p.subset == subset and p.split in ("train", "dev", "test") for p in a)


@pytest.mark.parametrize("subset", ["ser", "ic", "ks", "asr"])
def test_test_voices_are_held_out(subset):
    s = _by_split(plan_subset(subset))
    voices = {k: {p.voice for p in v} for k, v in s.items()}
    assert voices["test"] and not voices["test"] & (voices["train"] | voices["dev"])
    assert not voices["dev"] & voices["train"]


@pytest.mark.parametrize("subset", ["sid", "asr"])
def test_test_texts_are_held_out(subset):
    s = _by_split(plan_subset(subset))
    texts = {k: {p.text for p in v} for k, v in s.items()}
    assert texts["test"] and not texts["test"] & (texts["train"] | texts["dev"])


@pytest.mark.parametrize("subset", ["ser", "sid", "ic", "ks"])
def test_every_label_is_trained(subset):
    s = _by_split(plan_subset(subset))
    train = {p.label for p in s["train"]}
    assert {p.label for p in s["dev"] + s["test"]} <= train


def test_label_sets():
    assert {p.label for p in plan_subset("ser")} == {"neutral", "happy", "sad", "angry"}
    sid = plan_subset("sid")
    assert len({p.label for p in sid}) >= 20 and all(p.label == p.voice for p in sid)
    intents = {p.label for p in plan_subset("ic")}
    assert len(intents) >= 20 and intents == set(intent_phrasings())
    assert all(len(i.split("|")) == 3 for i in intents)
    assert {p.label for p in plan_subset("ks")} == set(KEYWORDS) | {"unknown"}
    for p in plan_subset("asr"):
        assert re.fullmatch(r"[a-z']+( [a-z']+)*", p.label) and 3 <= len(p.label.split()) <= 8


@pytest.mark.parametrize("subset", list(build.SUBSETS))
def test_committed_splits_equal_plans(subset):
    if subset == "asterisk" and not _asterisk_installed():
        pytest.skip("asterisk-core-sounds-en-wav not installed")
    task = build.SPLIT_TASKS[subset]
    for split, rows in build.split_rows(subset).items():
        path = SPLITS_ROOT / task / f"{split}.csv"
        assert path.is_file(), f"{path} missing: run `python -m sure_bench.data.sure_mini.build --write-splits tasks/splits`"
        expected = [["id", "label", "speaker"]] + [[r.id, r.label, r.speaker] for r in rows]
        with path.open(newline="", encoding="utf-8") as f:
            assert list(csv.reader(f)) == expected, f"{path} differs from the plan"


@needs_espeak
@pytest.mark.parametrize("subset", SYNTH_SUBSETS)
def test_render_gives_plausible_audio(subset, tmp_path):
    plans = plan_subset(subset)
    for p in (plans[0], plans[-1]):
        dur = render.render_to_file(p, tmp_path / f"{p.id}.wav")
        info = sf.info(str(tmp_path / f"{p.id}.wav"))
        assert info.samplerate == 16000 and info.channels == 1 and info.subtype == "PCM_16"
        x, _ = sf.read(str(tmp_path / f"{p.id}.wav"))
        assert np.isfinite(x).all() and 0.5 < np.abs(x).max() <= 1.0 and np.sqrt(np.mean(x**2)) > 0.01
        assert abs(dur - len(x) / 16000) < 1e-3
        if subset == "ks":
            assert 1.0 <= dur < 1.5
        else:
            assert 0.5 < dur < 6.0
    a, b = render.render(plans[1]), render.render(plans[1])
    assert np.array_equal(a, b)


@needs_espeak
def test_build_subset_writes_manifest_and_skips_when_done(tmp_path, monkeypatch):
    small = [p for p in plan_subset("ks") if p.id in ("ks-train-0000", "ks-dev-0003", "ks-test-0010")]
    monkeypatch.setattr(build, "plan_subset", lambda subset: small)
    manifest = build.build_subset(tmp_path, "ks", progress=False)
    rows = read_manifest(manifest)
    assert [r.id for r in rows] == [p.id for p in small]
    assert all(Path(r.path).is_file() and r.duration >= 1.0 for r in rows)
    assert (manifest.parent / "DONE").read_text().strip() == plan_hash(small)

    def boom(*a, **k):
        raise AssertionError("rendered again although DONE matches the plan")

    monkeypatch.setattr(build, "render_many", boom)
    from sure_bench.data.loaders import sure_mini as loader

    assert loader.load(tmp_path, "ks", progress=False) == rows


def test_missing_espeak_gives_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match=r"apt-get install espeak-ng"):
        render.synthesize("hello", "en-us")
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"apt-get install espeak-ng"):
        render.render_many([(plan_subset("ks")[0], tmp_path / "x.wav")])


def test_normalize_transcript():
    n = asterisk.normalize_transcript
    assert n("[this is a simple beep tone]") == ""
    assert n("(10 seconds of silence)") == ""
    assert n("Press 1 to mute, or * to cancel; # to end.") == "press one to mute or star to cancel pound to end"
    assert n("a 28.8 kilobit modem, dial 8500 or 600") == (
        "a twenty eight point eight kilobit modem dial eight five zero zero or six hundred")
    assert n('a polite "don\'t call" menu') == "a polite don't call menu"
    assert n("Call-Forward on Busy.  3D audio") == "call forward on busy three d audio"


def test_missing_asterisk_gives_install_hint(tmp_path):
    with pytest.raises(asterisk.AsteriskMissing, match=r"apt-get install asterisk-core-sounds-en-wav"):
        asterisk.plan_prompts(sounds=tmp_path / "nope", transcripts=tmp_path / "nope.txt.gz")


@needs_asterisk
def test_asterisk_manifest_parses(tmp_path):
    prompts = asterisk.plan_prompts()
    assert len(prompts) > 100
    assert {p.split for p in prompts} == {"train", "dev", "test"}
    assert all(re.fullmatch(r"[a-z']+( [a-z']+)*", p.label) for p in prompts)
    assert not any(p.name in ("beep", "beeperr", "silence/1", "tt-monkeys") for p in prompts)
    rows = read_manifest(build.build_subset(tmp_path, "asterisk", progress=False))
    assert [r.id for r in rows] == [p.id for p in prompts]
    assert not any((tmp_path / "sure-mini" / "asterisk").rglob("*.wav"))  # referenced, not copied
    for r in rows[:20]:
        info = sf.info(r.path)
        assert info.samplerate == 8000 and info.channels == 1 and r.duration > 0.1
