"""One run on two processes (torchrun, gloo on CPU): DDP training, one writer, every test item scored once."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from sure_bench.results.store import read_result

REPO = Path(__file__).resolve().parents[2]


def _torchrun(args: list[str], env: dict) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29517",
           "-m", "sure_bench.cli.main", "run", *args]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_two_processes_train_one_cell_and_write_once(toy_suite, tmp_path, cache_dir):
    data, tasks = toy_suite
    out = tmp_path / "out"
    env = {**os.environ, "SURE_BENCH_CACHE": str(cache_dir), "OMP_NUM_THREADS": "1"}
    args = ["--method", "lora", "--backbone", "tiny-whisper", "--tasks-dir", str(tasks), "--data-root", str(data),
            "--output", str(out), "--tasks", "toy-cls", "toy-ctc", "--seeds", "0", "--no-progress"]
    done = _torchrun(args, env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for task in ("toy-cls", "toy-ctc"):
        path = out / "tiny-whisper" / "lora" / task / "seed0.json"
        result = read_result(path)  # validates against the schema
        preds = [json.loads(x)["id"] for x in path.with_name("seed0.predictions.jsonl").read_text().splitlines()]
        test_ids = [r["id"] for r in csv.DictReader((tasks / "splits" / task / "test.csv").open())]
        assert sorted(preds) == sorted(test_ids)  # every test utterance exactly once, gathered from both ranks
        assert result.data.sizes["test"] == len(test_ids)
    assert done.stdout.count("-> ") == 2  # one process reports each result: the main one writes
    again = _torchrun(args, env)
    assert again.returncode == 0 and again.stdout.count("skip") == 2  # both processes agree the cells are done
