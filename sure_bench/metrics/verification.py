"""Speaker-verification metrics over trial scores: equal error rate and the minimum detection cost.

References are "target" / "nontarget" per trial, predictions the trial's score (higher: same speaker)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import roc_curve

from sure_bench.metrics.registry import register

TARGET, NONTARGET = "target", "nontarget"
P_TARGET, C_MISS, C_FA = 0.01, 1.0, 1.0  # the VoxCeleb / NIST SRE operating point of minDCF


def _rates(refs: Sequence[str], scores: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """(false-accept, miss) rates over every threshold."""
    bad = sorted({r for r in refs} - {TARGET, NONTARGET})
    if bad:
        raise ValueError(f"trial references must be {TARGET!r} or {NONTARGET!r}, got {bad[:3]}")
    labels = np.array([r == TARGET for r in refs])
    if labels.all() or not labels.any():
        raise ValueError("verification needs both target and nontarget trials")
    fa, hit, _ = roc_curve(labels, np.asarray(scores, dtype=np.float64))
    return fa, 1.0 - hit


def eer(refs: Sequence[str], scores: Sequence[float]) -> float:
    """Where the miss rate equals the false-accept rate (interpolated between the two nearest thresholds)."""
    fa, miss = _rates(refs, scores)
    i = int(np.nonzero(miss <= fa)[0][0])  # fa rises and miss falls along the curve
    if i == 0:
        return float((fa[0] + miss[0]) / 2)
    # the crossing of the segments (fa, miss)[i-1] -> [i] with the diagonal
    d0, d1 = miss[i - 1] - fa[i - 1], miss[i] - fa[i]
    t = d0 / (d0 - d1) if d0 != d1 else 0.0
    return float(fa[i - 1] + t * (fa[i] - fa[i - 1]))


def min_dcf(refs: Sequence[str], scores: Sequence[float]) -> float:
    """Minimum normalised detection cost at P_target 0.01, C_miss = C_fa = 1."""
    fa, miss = _rates(refs, scores)
    cost = C_MISS * miss * P_TARGET + C_FA * fa * (1 - P_TARGET)
    return float(cost.min() / min(C_MISS * P_TARGET, C_FA * (1 - P_TARGET)))


register("eer", eer, higher_is_better=False, description="equal error rate of the trials")
register("min_dcf", min_dcf, higher_is_better=False, description="minimum normalised detection cost, P_target 0.01")
