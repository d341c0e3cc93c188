"""Plots (matplotlib, PNG): normalised score vs trainable parameters with the Pareto frontier; per-task bars."""

from __future__ import annotations

import math
from pathlib import Path

from sure_bench.report.leaderboard import REFERENCE, Board


def plot_boards(boards: list[Board], folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for b in boards:
        rows = b.rows[b.rows["complete"]]
        fig, ax = plt.subplots(figsize=(6, 4))
        pts = [(m, max(r.percent, 1e-3), r.norm) for m, r in rows.iterrows() if not math.isnan(r.norm)]
        for m, x, y in pts:
            ax.scatter(x, y, color="tab:red" if rows.loc[m, "pareto"] else "tab:blue")
            ax.annotate(m, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        front = sorted((x, y) for m, x, y in pts if rows.loc[m, "pareto"])
        if front:
            ax.plot(*zip(*front), color="tab:red", lw=1, ls="--", label="Pareto frontier")
            ax.legend(fontsize=7)
        ax.set_xscale("log")
        ax.set_xlabel("trainable parameters (% of backbone; linear probe drawn at 0.001)")
        ax.set_ylabel(f"normalised score ({REFERENCE} = 100)")
        ax.set_title(b.backbone)
        fig.tight_layout()
        path = folder / f"{b.backbone}-pareto.png"
        fig.savefig(path, dpi=120, metadata={"Software": None})
        plt.close(fig)
        written.append(path)
        fig, axes = plt.subplots(1, len(b.tasks), figsize=(3 * len(b.tasks), 3.2), squeeze=False)
        for ax, task in zip(axes[0], b.tasks):
            methods = [m for m in b.rows.index if (m, task) in b.cells]
            cells = [b.cells[(m, task)] for m in methods]
            ax.bar(range(len(methods)), [c["mean"] for c in cells], yerr=[c["std"] for c in cells], capsize=3)
            ax.set_xticks(range(len(methods)), methods, rotation=60, ha="right", fontsize=7)
            ax.set_title(task, fontsize=9)
        fig.tight_layout()
        path = folder / f"{b.backbone}-tasks.png"
        fig.savefig(path, dpi=120, metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    return written
