"""The anchored-task tables: for every task whose results carry anchors (a floor and a ceiling, e.g.
text-to-speech: the unadapted voice and the target's real audio re-vocoded), each row's mean ± std on
every metric the results score, the gain it makes from floor to ceiling, (x − floor) / (ceiling − floor)
(0: no better than the unadapted model, 1: as good as the real recordings through the same output path),
and its trainable parameters; the two anchors are rows of their own."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sure_bench.report.leaderboard import Board, row_names

SENTENCE = ("Per task with anchors: each row's test score on every metric (mean ± std over seeds), its gain from "
            "the floor to the ceiling, (x − floor) / (ceiling − floor) (0 %: the unadapted model, 100 %: the "
            "real recordings through the model's own mel → vocoder path), and its trainable parameters. "
            "floor: the pretrained model, unadapted, speaking in the voice the new one starts from; ceiling: the "
            "target's recordings re-vocoded. Anchors are computed once per task and backbone.")


def gain(x: float, floor: float, ceiling: float) -> float:
    """(x − floor) / (ceiling − floor); NaN when the anchors coincide."""
    span = ceiling - floor
    return (x - floor) / span if span else math.nan


def _fresh(frame: pd.DataFrame, board: Board) -> pd.DataFrame:
    """The board's ranked results, each with its board row name."""
    own = frame[frame["backbone"] == board.backbone]
    if not board.stale.empty:
        own = own[~own["path"].isin(board.stale["path"])]
    return own.assign(row=row_names(own)) if not own.empty else own.assign(row=pd.Series(dtype=str))


def anchored_tasks(frame: pd.DataFrame, board: Board) -> list[str]:
    """The board's tasks whose fresh results carry anchors."""
    own = _fresh(frame, board)
    return [t for t in board.tasks if (own.loc[own["anchors"].notna(), "task"] == t).any()]


def _fmt(x: float, fmt: str = ".3f") -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)


def anchored_table(frame: pd.DataFrame, board: Board, task: str) -> pd.DataFrame:
    """Rows: the board's rows on `task`, then floor and ceiling; columns: each metric, its gain, trainable %."""
    own = _fresh(frame, board)
    own = own[(own["task"] == task) & own["anchors"].notna()]
    anchors = own["anchors"].iloc[0]
    metrics = list(anchors["floor"])
    rows = []
    for row in board.rows.index:
        mine = own[own["row"] == row]
        if mine.empty:
            continue
        out = {"method": row}
        for m in metrics:
            values = [float(s[m]) for s in mine["scores"] if m in s]
            mean = float(np.mean(values)) if values else math.nan
            std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
            out[m] = f"{mean:.3f} ± {std:.3f} ({len(values)})" if values else "–"
            out[f"{m} gain"] = _fmt(100 * gain(mean, anchors["floor"][m], anchors["ceiling"][m]), ".0f") + " %"
        out["trainable %"] = _fmt(float(mine["percent"].mean()), ".3f")
        rows.append(out)
    for name in ("floor", "ceiling"):
        out = {"method": f"*{name}*"}
        for m in metrics:
            out[m] = f"{anchors[name][m]:.3f}"
            out[f"{m} gain"] = "0 %" if name == "floor" else "100 %"
        out["trainable %"] = "–"
        rows.append(out)
    return pd.DataFrame(rows)


def anchored_markdown(frame: pd.DataFrame, board: Board) -> list[str]:
    """Markdown lines of the board's anchored-task section (none when no task has anchors)."""
    tasks = anchored_tasks(frame, board)
    if not tasks:
        return []
    out = ["### Anchored tasks", "", SENTENCE, ""]
    for task in tasks:
        out += [f"#### {task}", "", anchored_table(frame, board, task).to_markdown(index=False), ""]
    return out
