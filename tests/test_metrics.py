import pytest

from sure_bench.metrics.registry import compute
from sure_bench.metrics.text import normalize_text


def test_normaliser():
    assert normalize_text("Hello, World!  It's 3 o'clock.") == "hello world it's three o'clock"
    assert normalize_text("'quoted' Café") == "quoted cafe"


def test_classification_metrics():
    s = compute(["accuracy", "macro_f1"], ["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert s["accuracy"] == 0.75
    assert s["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


def test_slot_metrics():
    s = compute(["accuracy", "slot_accuracy"], ["on|lamp", "off|fan"], ["on|fan", "off|fan"])
    assert s["accuracy"] == 0.5 and s["slot_accuracy"] == 0.75


def test_asr_metrics_after_normaliser():
    s = compute(["wer", "cer"], ["Hello world."], ["hello word"])
    assert s["wer"] == 0.5
    assert s["cer"] == pytest.approx(1 / 11)


def test_unknown_metric():
    with pytest.raises(ValueError, match="unknown metric"):
        compute(["bleu"], ["a"], ["a"])
