"""A task's two anchors, computed once per (task spec, backbone weights) and carried in every result of
that task: the floor (the kind's model with no method and no training) and the ceiling (the split's real
targets through the model's output path, `kind.ceiling_predictions`), both scored on test by every metric
the task names. Only kinds with `ANCHORS` have them (text-to-speech: the unadapted voice, and the
target's recordings re-vocoded). Cached as JSON under `<cache>/anchors/`."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sure_bench.files import default_cache_dir, write_atomic

if TYPE_CHECKING:
    from sure_bench.run.runner import Cell


def anchors_path(cell: "Cell") -> Path:
    sha = (cell.run.backbone_sha256 or cell.pristine.weights_sha256 or "unknown")[:16]
    root = Path(cell.opts.cache_dir or default_cache_dir())
    return root / "anchors" / f"{cell.task.spec.task}-{cell.task.spec_hash[:16]}-{sha}.json"


def task_anchors(cell: "Cell") -> dict[str, dict[str, float]] | None:
    """{'floor': {metric: test score}, 'ceiling': {...}}, from the cache or computed now; None for a kind
    without anchors."""
    if not cell.kind.ANCHORS:
        return None
    path = anchors_path(cell)
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))["anchors"]
    from sure_bench.train.loop import evaluate_untrained, score_records

    kind, spec, test = cell.kind, cell.task.spec, cell.splits["test"]
    encoder = kind.backbone(copy.deepcopy(cell.pristine))
    for p in encoder.parameters():
        p.requires_grad_(False)
    head = kind.head(encoder.hidden_size, encoder.num_layers + 1, cell.run.head)
    model = kind.model(encoder, head).eval()
    with tempfile.TemporaryDirectory(prefix="sure-bench-anchors-") as work:
        floor, _ = evaluate_untrained(model, kind, spec, test, "test-floor", Path(work))
    ceiling, _ = score_records(spec, kind.ceiling_predictions("test", list(test["id"]), list(test["label"]),
                                                              list(test["audio"])))
    anchors = {"floor": floor, "ceiling": ceiling}
    write_atomic(path, json.dumps({"task": spec.task, "spec_hash": cell.task.spec_hash,
                                   "backbone_sha256": cell.run.backbone_sha256, "anchors": anchors}, indent=2) + "\n")
    cell.opts.console.print(f"{spec.task} anchors: floor {floor}, ceiling {ceiling} -> {path}")
    return anchors
