"""--precision bf16 and --attention eager: wired into the encoder and the Trainer, and part of the run
identity (their own row), while results written before the options existed keep their hashes."""

from pathlib import Path

import pytest
import torch

from sure_bench.backbones.registry import load_backbone
from sure_bench.methods.registry import load_method
from sure_bench.methods.apply import apply_method
from sure_bench.results.store import read_result
from sure_bench.run.config import RunConfig
from tests.train.test_search import run_cli

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backbone, method", [("tiny-whisper", None), ("tiny-wav2vec2", None),
                                              ("tiny-wavlm", None), ("tiny-whisper", "prefix")])
def test_eager_attention_is_the_same_attention_without_sdpa(backbone, method, monkeypatch):
    """Eager never calls torch's SDPA (here it raises), in transformers' attention and in sure-bench's own
    (WavLM always, prefix tuning), and gives the same states to float rounding."""
    encoder = load_backbone(backbone).eval()
    if method:
        m = load_method(method)
        apply_method(encoder, m, m.make_config("default"))
    wave, lengths = torch.randn(2, 8000) * 0.1, torch.tensor([8000, 6000])
    with torch.no_grad():
        fused, mask = encoder(wave, lengths)
        encoder.set_attention("eager")

        def no_sdpa(*args, **kwargs):
            raise AssertionError("SDPA called under --attention eager")

        monkeypatch.setattr(torch.nn.functional, "scaled_dot_product_attention", no_sdpa)
        written, _ = encoder(wave, lengths)
    for a, b in zip(fused, written):
        assert torch.allclose(a[mask], b[mask], atol=1e-4)
    with pytest.raises(ValueError, match="unknown attention 'flash'"):
        encoder.set_attention("flash")


@pytest.mark.parametrize("method", ["linear", "lora"])  # cached-feature path and full-model path
def test_bf16_and_eager_runs_land_in_their_own_rows(toy_suite, tmp_path, cache_dir, method):
    out = tmp_path / "results"
    assert run_cli(toy_suite, out, "--lr", "1e-3", method=method) == 0
    assert run_cli(toy_suite, out, "--lr", "1e-3", "--precision", "bf16", "--attention", "eager", method=method) == 0
    plain = read_result(out / "tiny-whisper" / method / "toy-cls" / "seed0.json")
    other = read_result(out / "tiny-whisper" / f"{method}+bf16+eager" / "toy-cls" / "seed0.json")
    assert other.run.config["precision"] == "bf16" and other.run.config["attention"] == "eager"
    assert plain.run.hash != other.run.hash and other.run.label == f"{method}+bf16+eager"
    if method == "linear":  # the frozen states were computed under bf16 autocast, cached under their own key
        names = [p.name for p in (cache_dir / "features" / "pooled").rglob("*.f32")]
        assert any("bf16-eager" in n for n in names) and any("bf16" not in n for n in names)


def test_results_written_before_the_attention_option_keep_their_run_hash():
    found = sorted((REPO / "results").rglob("seed0.json"))
    checked = 0
    for path in found:
        result = read_result(path)
        if result.run and "attention" not in result.run.config:
            assert RunConfig.model_validate(result.run.config).hash == result.run.hash, path
            checked += 1
    assert checked > 0
