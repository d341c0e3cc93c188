"""tts-mini: the sentence split rule, a tiny build (espeak-ng voices only), idempotence, the loader."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
import soundfile as sf

from sure_bench.data.tts_corpus import build as tts_build
from sure_bench.data.tts_corpus.sentences import (HELD_OUT, assign_splits, compose, load_sentences,
                                                  read_sentences)
from sure_bench.data.tts_corpus.voices import PRETRAIN_VOICES, TARGET_VOICE

PRE, TGT = "espeak-en-us-m1", "espeak-en-gb-f2"  # a tiny build: one pretraining voice, an espeak target


def _need_espeak():
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (sudo apt-get install espeak-ng)")


def test_split_rule_is_deterministic_sized_and_disjoint():
    sents = load_sentences()
    assert 1100 <= len(sents) <= 1300
    again = assign_splits(list(reversed(read_sentences())))
    assert {s.id: s.split for s in sents} == {s.id: s.split for s in again}  # order does not matter
    counts = Counter(s.split for s in sents)
    assert {k: counts[k] for k, _ in HELD_OUT} == dict(HELD_OUT)
    assert counts["pretrain"] == len(sents) - sum(n for _, n in HELD_OUT)
    for s in sents:
        assert 5 <= len(s.text.split()) <= 15, s.text


def test_plan_keeps_held_out_sentences_away_from_pretraining():
    plans = tts_build.plan()
    by_split: dict[str, set[str]] = {}
    for p in plans:
        by_split.setdefault(p.split, set()).add(p.text)
    assert by_split["pretrain"].isdisjoint(by_split["adapt"] | by_split["dev"] | by_split["test"])
    assert by_split["adapt"].isdisjoint(by_split["dev"] | by_split["test"])
    assert by_split["dev"].isdisjoint(by_split["test"])
    pre_voices = {p.voice.name for p in plans if p.split == "pretrain"}
    assert pre_voices == {v.name for v in PRETRAIN_VOICES} and len(pre_voices) == 12
    assert {p.voice.name for p in plans if p.split != "pretrain"} == {TARGET_VOICE.name}
    assert len({p.id for p in plans}) == len(plans)
    assert 2800 <= sum(p.split == "pretrain" for p in plans) <= 3600


def test_composed_sentences_are_reproducible():
    assert compose(20) == compose(20)
    assert compose(20, seed=1) != compose(20)


def test_tiny_build_reads_back_and_rebuild_is_a_no_op(tmp_path):
    _need_espeak()
    manifest = tts_build.build(tmp_path, max_per_voice=3, voices=[PRE], target=TGT, progress=False)
    rows = tts_build.read_tts_manifest(manifest)
    assert list(rows[0]) == list(tts_build.COLUMNS)
    assert Counter((r["speaker"], r["split"]) for r in rows) == {
        (PRE, "pretrain"): 3, (TGT, "adapt"): 3, (TGT, "dev"): 3, (TGT, "test"): 3}
    for r in rows:
        path = manifest.parent / r["path"]
        assert r["path"] == f"wav/{r['speaker']}/{r['id']}.wav"
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        audio, _ = sf.read(str(path))
        assert 0.5 < len(audio) / 16000 < 10 and abs(len(audio) / 16000 - float(r["duration"])) < 1e-3
        assert 0.01 < abs(audio).max() < 0.95
        assert r["phonemes"] and any(ch in r["phonemes"] for ch in "ˈəɪ"), r["phonemes"]
    mtimes = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.wav")}
    manifest_mtime = manifest.stat().st_mtime_ns
    tts_build.build(tmp_path, max_per_voice=3, voices=[PRE], target=TGT, progress=False)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.wav")} == mtimes
    assert manifest.stat().st_mtime_ns == manifest_mtime
    # A removed file is rendered again; the others are kept.
    victim = next(iter(mtimes))
    victim.unlink()
    (manifest.parent / "DONE").unlink()
    tts_build.build(tmp_path, max_per_voice=3, voices=[PRE], target=TGT, progress=False)
    assert victim.is_file()
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items() if p != victim)


def test_loader_returns_utterances_with_splits_and_phonemes(tmp_path):
    _need_espeak()
    from sure_bench.data.loaders import tts_mini

    rows = tts_mini.load(tmp_path, max_per_voice=2, voices=[PRE], target=TGT, progress=False)
    assert Counter(r.subset for r in rows) == {"pretrain": 2, "adapt": 2, "dev": 2, "test": 2}
    texts = {s.id: s.text for s in load_sentences()}
    for r in rows:
        assert r.speaker == (PRE if r.subset == "pretrain" else TGT)
        assert r.label == texts[r.id.rsplit("_", 1)[1]]
        assert sf.info(r.path).samplerate == 16000 and r.duration > 0
    ph = tts_mini.phonemes(tmp_path, max_per_voice=2, voices=[PRE], target=TGT, progress=False)
    assert set(ph) == {r.id for r in rows} and all(ph.values())
