"""TTS metrics on espeak-ng renderings: identical, pitch-raised and other-voice copies of known sentences."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from sure_bench.metrics import mel_cepstrum, speaker_embedding, whisper_asr
from sure_bench.metrics import tts as tts_metrics
from sure_bench.metrics.audio_io import read_audio
from sure_bench.metrics.mel_cepstrum import dtw_path, freqt, mcd_of
from sure_bench.metrics.registry import get_metric
from sure_bench.metrics.tts import (mcd, mcd_per_utterance, similarity_per_utterance, speaker_similarity, transcripts,
                                   tts_cer)

S1 = "The quick brown fox jumps over the lazy dog."
S2 = "She sells sea shells by the sea shore every morning."
S3 = "Please call me back before nine tomorrow."

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


@pytest.fixture(scope="module")
def wavs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """name -> path: `us1` (en-us, S1), `us1_slow`, `us1_high` (pitch 85), `f3_1` (en-us+f3), ..."""
    root = tmp_path_factory.mktemp("tts")
    specs = {
        "us1": (["-v", "en-us"], S1), "us2": (["-v", "en-us"], S2), "us3": (["-v", "en-us"], S3),
        "us1_slow": (["-v", "en-us", "-s", "140"], S1), "us2_slow": (["-v", "en-us", "-s", "140"], S2),
        "us1_high": (["-v", "en-us", "-p", "85"], S1), "us2_high": (["-v", "en-us", "-p", "85"], S2),
        "f3_1": (["-v", "en-us+f3"], S1), "f3_2": (["-v", "en-us+f3"], S2),
    }
    out = {}
    for name, (args, text) in specs.items():
        out[name] = str(root / f"{name}.wav")
        subprocess.run(["espeak-ng", *args, "-w", out[name], text], check=True)
    wave, rate = read_audio(out["us1"])
    out["us1_8k"] = str(root / "us1_8k.wav")
    sf.write(out["us1_8k"], soxr.resample(wave, rate, 8000), 8000)
    out["us1_quiet"] = str(root / "us1_quiet.wav")
    sf.write(out["us1_quiet"], 0.3 * wave, rate)
    rng = np.random.default_rng(0)
    for level in (0.003, 0.01, 0.03):
        out[f"us1_noise{level}"] = str(root / f"us1_noise{level}.wav")
        sf.write(out[f"us1_noise{level}"], wave + level * rng.standard_normal(len(wave)), rate, subtype="FLOAT")
    out["silence"] = str(root / "silence.wav")
    sf.write(out["silence"], np.zeros(2 * 16000, dtype=np.float32), 16000)
    return out


def _ref(wavs: dict[str, str], name: str, text: str = S1) -> dict[str, str]:
    return {"audio": wavs[name], "text": text}


def test_registered_directions_and_normalisation() -> None:
    m = get_metric("mcd")
    assert m.higher_is_better is False and m.upper is None
    assert m.normalised(5.0, 4.0) == pytest.approx(80.0)  # ref / x for an unbounded metric
    s = get_metric("speaker_similarity")
    assert s.higher_is_better is True and (s.lower, s.upper) == (-1.0, 1.0)
    assert get_metric("tts_cer").higher_is_better is False


def test_freqt_warps_and_unwarps() -> None:
    c = np.zeros(257)
    c[:12] = np.random.default_rng(1).standard_normal(12) / np.arange(1, 13)
    warped = freqt(c, 200, 0.42)
    assert not np.allclose(warped[:12], c[:12])
    np.testing.assert_allclose(freqt(warped, 30, -0.42)[:12], c[:12], atol=1e-9)
    np.testing.assert_allclose(freqt(c, 20, 0.0), c[:21])  # alpha 0: no warping


def test_dtw_path_by_hand() -> None:
    x, y = np.array([[0.0], [1.0], [2.0]]), np.array([[0.0], [0.0], [1.0], [2.0]])
    gi, ri = dtw_path(x, y)
    assert list(zip(gi, ri)) == [(0, 0), (0, 1), (1, 2), (2, 3)]


def test_mcd_identical_is_zero_and_ignores_loudness(wavs: dict[str, str]) -> None:
    assert mcd([_ref(wavs, "us1")], [wavs["us1"]]) == 0.0
    # c0 excluded: gain does not count (what remains is the 16-bit requantisation of the quieter copy)
    assert mcd([_ref(wavs, "us1")], [wavs["us1_quiet"]]) < 0.3


def test_mcd_other_voice_pitch_symmetry_and_noise(wavs: dict[str, str]) -> None:
    wave, rate = read_audio(wavs["us1"])
    other, _ = read_audio(wavs["f3_1"])
    high, _ = read_audio(wavs["us1_high"])
    d_other, d_back = mcd_of(other, wave, rate), mcd_of(wave, other, rate)
    assert d_other > 4.0 and mcd_of(high, wave, rate) > 2.0
    assert abs(d_other - d_back) < 0.05 * d_other
    noisy = [mcd([_ref(wavs, "us1")], [wavs[f"us1_noise{x}"]]) for x in (0.003, 0.01, 0.03)]
    assert 0.5 < noisy[0] < noisy[1] < noisy[2]
    two = mcd([_ref(wavs, "us1"), _ref(wavs, "us1")], [wavs["us1"], wavs["f3_1"]])
    assert two == pytest.approx(d_other / 2)  # the mean over utterances


def test_mcd_scores_in_the_reference_band(wavs: dict[str, str]) -> None:
    """A 22 kHz rendering against its own 8 kHz copy: compared at 8 kHz, nearly identical."""
    assert mcd([_ref(wavs, "us1_8k")], [wavs["us1"]]) < 0.5
    assert mcd([_ref(wavs, "us1_8k")], [wavs["f3_1"]]) > 3.0


def test_speaker_similarity(wavs: dict[str, str]) -> None:
    refs = [_ref(wavs, "us1"), _ref(wavs, "us2", S2)]
    assert speaker_similarity([_ref(wavs, "us1")], [wavs["us1"]]) > 0.99
    same = speaker_similarity(refs, [wavs["us1_slow"], wavs["us2_slow"]])
    high = speaker_similarity(refs, [wavs["us1_high"], wavs["us2_high"]])
    other = speaker_similarity(refs, [wavs["f3_1"], wavs["f3_2"]])
    assert same > 0.85 and same > high + 0.03 and same > other + 0.15, (same, high, other)
    # the centroid: one generated utterance against two references of the speaker
    each = similarity_per_utterance(refs, [wavs["us3"], wavs["us3"]])
    assert each[0] == pytest.approx(each[1]) and -1.0 <= each[0] <= 1.0


def test_reference_embeddings_are_cached(wavs: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    calls: list[int] = []
    real = speaker_embedding.embed_waves
    monkeypatch.setattr(speaker_embedding, "embed_waves", lambda w: calls.append(len(w)) or real(w))
    monkeypatch.setattr(tts_metrics, "_SCORED", type(tts_metrics._SCORED)())  # nothing remembered yet
    ref = tmp_path / "ref.wav"
    shutil.copyfile(wavs["us2"], ref)
    refs = [{"audio": str(ref), "text": S2}]
    first = speaker_similarity(refs, [wavs["f3_2"]])
    assert speaker_similarity(refs, [wavs["f3_2"]]) == first
    assert calls == [1, 1]  # the reference once, the generated utterance once (remembered by content)
    shutil.copyfile(wavs["us1"], ref)  # rewritten: new size and mtime, embedded again
    assert speaker_similarity(refs, [wavs["f3_2"]]) != first and calls == [1, 1, 1]


def test_a_generated_file_moved_after_scoring_is_not_scored_again(wavs: dict[str, str], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What `keep_predictions` relies on: the test split is scored, its WAVs move beside the result, and
    each sentence's own scores are read for the files at their new paths without computing them again."""
    monkeypatch.setattr(tts_metrics, "_SCORED", type(tts_metrics._SCORED)())
    generated = tmp_path / "scratch.wav"
    shutil.copyfile(wavs["us1_slow"], generated)
    refs = [_ref(wavs, "us1")]
    scores = (mcd_per_utterance(refs, [str(generated)]), similarity_per_utterance(refs, [str(generated)]),
              transcripts(refs, [str(generated)]))
    moved = tmp_path / "kept" / "u1.wav"
    moved.parent.mkdir()
    shutil.move(generated, moved)
    calls: list[str] = []
    stand_ins = ((speaker_embedding, "embed_waves"), (mel_cepstrum, "mcd_of"), (whisper_asr, "transcribe_files"))
    for module, name in stand_ins:
        monkeypatch.setattr(module, name, lambda *a, name=name: calls.append(name))
    again = (mcd_per_utterance(refs, [str(moved)]), similarity_per_utterance(refs, [str(moved)]),
             transcripts(refs, [str(moved)]))
    assert again == scores and calls == []
    moved.write_bytes(Path(wavs["f3_1"]).read_bytes())  # other content: scored afresh
    with pytest.raises(TypeError):  # the stand-in embedder returns nothing
        similarity_per_utterance(refs, [str(moved)])
    assert calls == ["embed_waves"]


def test_tts_cer(wavs: dict[str, str]) -> None:
    refs = [_ref(wavs, "us1"), _ref(wavs, "us2", S2)]
    good = tts_cer(refs, [wavs["us1"], wavs["us2"]])
    assert good < 0.3, transcripts(refs, [wavs["us1"], wavs["us2"]])
    assert tts_cer([_ref(wavs, "us1")], [wavs["silence"]]) > 0.7
    assert tts_cer([_ref(wavs, "us1")], [wavs["us3"]]) > 0.5


def test_bad_inputs(wavs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="'audio'"):
        mcd([{"text": S1}], [wavs["us1"]])
    with pytest.raises(ValueError, match="1 references but 2 predictions"):
        speaker_similarity([_ref(wavs, "us1")], [wavs["us1"], wavs["us2"]])
    with pytest.raises(ValueError, match="no mel-cepstrum setting for 11025"):
        wave, rate = read_audio(wavs["us1"])
        mcd_of(wave, wave, 11025)
    assert not math.isnan(mcd([_ref(wavs, "us1")], [wavs["us1_8k"]]))  # generated 8 kHz, reference 22 kHz
    # a generated clip the VAD hears no speech in (silence) is scored as it sounds, not an error
    assert -1.0 <= speaker_similarity([_ref(wavs, "us1")], [wavs["silence"]]) < 0.8


def test_speaker_id_accuracy(wavs: dict[str, str], tmp_path: Path) -> None:
    """The target (en-us, references us1 and us2) is told from the candidates: its own slow renderings
    are identified as it, f3's renderings are not; a candidate that is the target itself is left out."""
    import json

    from sure_bench.metrics.tts import speaker_id_accuracy

    voices = tmp_path / "voices.json"
    voices.write_text(json.dumps({"f3": [wavs["f3_1"], wavs["f3_2"]], "target": [wavs["us1"]]}))
    refs = [{**_ref(wavs, "us1"), "speaker": "target", "voices": str(voices)},
            {**_ref(wavs, "us2", S2), "speaker": "target", "voices": str(voices)}]
    assert speaker_id_accuracy(refs, [wavs["us1_slow"], wavs["us2_slow"]]) == 1.0
    assert speaker_id_accuracy(refs, [wavs["f3_1"], wavs["us2_slow"]]) == 0.5
    with pytest.raises(ValueError, match="'voices'"):
        speaker_id_accuracy([_ref(wavs, "us1")], [wavs["us1"]])
