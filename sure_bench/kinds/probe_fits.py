"""The closed-form reference probes a kind offers (`--method probe`), on the frozen encoder's pooled states
(B, num_states, hidden) per split, standardised on train: a logistic regression per slot for classes, a
cosine of the standardised states for verification. Each returns the probe's dev and test scores and its
test records, as a trained method would."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from sure_bench.metrics.registry import compute


def _standardised(features: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    from sklearn.preprocessing import StandardScaler

    flat = {s: f.reshape(len(f), -1) for s, f in features.items()}
    scaler = StandardScaler().fit(flat["train"])
    return {s: scaler.transform(f) for s, f in flat.items()}


def _scores(names: Sequence[str], records: list[dict[str, Any]]) -> dict[str, float]:
    return compute(names, [r["reference"] for r in records], [r["prediction"] for r in records])


def logistic_probe(kind, features: dict[str, np.ndarray], splits: dict, c_grid: Sequence[float],
                   max_iter: int) -> dict[str, Any]:
    """A logistic regression (lbfgs) per slot; its inverse L2 strength C chosen on dev."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    spec = kind.spec
    x = _standardised(features)
    y = np.array([kind.encode(str(lab)) for lab in splits["train"]["label"]])
    names = [spec.metrics.primary, *spec.metrics.also]
    sign = 1 if spec.metrics.higher_is_better else -1

    def records(split: str, models: list) -> list[dict[str, Any]]:
        ids = np.stack([m.classes_[m.predict_proba(x[split]).argmax(1)] for m in models], axis=1)
        ds = splits[split]
        return kind.predictions(split, list(ds["id"]), list(ds["label"]), ids)

    best: dict[str, Any] | None = None
    for c in c_grid:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            models = [LogisticRegression(C=c, max_iter=max_iter).fit(x["train"], y[:, k]) for k in range(y.shape[1])]
        dev = _scores(names, records("dev", models))
        if best is None or sign * dev[spec.metrics.primary] > sign * best["dev"][spec.metrics.primary]:
            test_records = records("test", models)
            best = {"c": c, "dev": dev, "test": _scores(names, test_records), "records": test_records,
                    "head": sum(m.coef_.size + m.intercept_.size for m in models)}
    assert best is not None
    return best


def cosine_probe(kind, features: dict[str, np.ndarray], splits: dict) -> dict[str, Any]:
    """Trials scored by the cosine of the standardised pooled states: nothing trains."""
    x = _standardised(features)
    names = [kind.spec.metrics.primary, *kind.spec.metrics.also]
    out: dict[str, Any] = {"c": None, "head": 0}
    for split in ("dev", "test"):
        ds = splits[split]
        recs = kind.predictions(split, list(ds["id"]), list(ds["label"]), x[split])
        out[split] = _scores(names, recs)
        out["records"] = recs
    return out
