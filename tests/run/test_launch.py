"""Cells and launchers: the local launcher (submitit processes) gives the inline launcher's result files,
a killed cell resumes to the same result, two runs of one cell train it once, and the SLURM path writes
the job arrays it should (checked with a stand-in `sbatch`, no cluster)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sure_bench.cli.main import main
from sure_bench.results.store import read_result
from sure_bench.run.lock import CellBusy, CellLock, holder

TASKS, SEEDS = ["toy-cls", "toy-slots"], ["0", "1"]


def _args(toy_suite, out: Path, *extra: str, method: str = "linear") -> list[str]:
    data, tasks = toy_suite
    return ["run", "--method", method, "--backbone", "tiny-whisper", "--tasks-dir", str(tasks), "--data-root",
            str(data), "--output", str(out), "--no-progress", *extra]


def _results(root: Path, method: str = "linear") -> dict[str, tuple]:
    out = {}
    for path in sorted((root / "tiny-whisper" / method).rglob("seed*.json")):
        r = read_result(path)
        preds = path.with_name(f"seed{r.seed}.predictions.jsonl").read_text()
        out[str(path.relative_to(root))] = (r.scores, r.train.lr, r.train.test_loss, r.run.hash, preds)
    return out


def test_local_launcher_gives_the_inline_results(toy_suite, tmp_path, cache_dir):
    """A 2-task x 2-seed matrix with a 2-point grid: 4 grid cells, then 4 seed cells, each in its own process."""
    common = ["--tasks", *TASKS, "--seeds", *SEEDS, "--lr-grid", "1e-2", "1e-3"]
    assert main(_args(toy_suite, tmp_path / "inline", *common)) == 0
    assert main(_args(toy_suite, tmp_path / "local", *common, "--launcher", "local")) == 0
    inline, local = _results(tmp_path / "inline"), _results(tmp_path / "local")
    assert len(inline) == 4 and inline == local
    logs = list((tmp_path / "local" / ".launch").rglob("*_log.out"))
    assert len(logs) == 8  # one submitit job per cell
    for task in TASKS:
        points = sorted((tmp_path / "local" / "tiny-whisper" / "linear" / task / "lr-search").glob("*.json"))
        assert [p.name for p in points] == ["lr0.001.json", "lr0.01.json"]


def _parses(path: Path) -> bool:
    """A checkpoint counts once its trainer_state.json (written last) is complete."""
    try:
        json.loads(path.read_text())
        return True
    except (OSError, ValueError):
        return False


def _lock_pid(work: Path, timeout: float = 120) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        who = holder(work)
        if who and any(_parses(p) for p in (work / "checkpoints").glob("checkpoint-*/trainer_state.json")):
            return int(who["pid"])
        time.sleep(0.05)
    raise AssertionError(f"no cell held {work} with a checkpoint within {timeout} s")


def test_a_cell_killed_under_the_local_launcher_resumes_to_the_same_result(toy_suite, tmp_path):
    env = {**os.environ, "SURE_BENCH_CACHE": str(tmp_path / "cache")}
    cli = [sys.executable, "-m", "sure_bench.cli.main"]
    common = ["--tasks", "toy-cls", "--lr", "1e-3"]
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    subprocess.run([*cli, *_args(toy_suite, clean, *common, method="finetune")], env=env, check=True,
                   capture_output=True)
    launcher = subprocess.Popen([*cli, *_args(toy_suite, killed, *common, "--launcher", "local", method="finetune")],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    work = killed / ".work" / "tiny-whisper" / "finetune" / "toy-cls" / "seed0"
    os.kill(_lock_pid(work), signal.SIGKILL)  # the cell's own process, mid-training
    assert launcher.wait(timeout=120) != 0  # the launcher reports the failed job
    assert list((work / "checkpoints").glob("checkpoint-*")), "killed before its first checkpoint"
    assert not (killed / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json").exists()
    assert holder(work) is None  # its holder is gone: the lock is free
    subprocess.run([*cli, *_args(toy_suite, killed, *common, "--launcher", "local", method="finetune")], env=env,
                   check=True, capture_output=True)
    a = _results(clean, "finetune")
    b = _results(killed, "finetune")
    assert a == b and read_result(killed / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json").train.resumed_from


def test_a_cell_held_by_another_process_is_skipped_naming_the_holder(toy_suite, tmp_path, cache_dir, capsys):
    out = tmp_path / "results"
    work = out / ".work" / "tiny-whisper" / "linear" / "toy-cls" / "seed0"
    hold = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom sure_bench.run.lock import CellLock\n"
                             f"with CellLock({str(work)!r}):\n    print('held', flush=True)\n    time.sleep(120)"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert hold.stdout.readline().strip() == "held"
        assert main(_args(toy_suite, out, "--tasks", "toy-cls", "--lr", "1e-3")) == 0
        said = capsys.readouterr().out
        assert f"is being trained by pid {hold.pid}" in said
        assert not (out / "tiny-whisper" / "linear" / "toy-cls" / "seed0.json").exists()
        with pytest.raises(CellBusy, match=f"pid {hold.pid}"):
            CellLock(work).__enter__()
    finally:
        hold.kill()
        hold.wait()
    assert main(_args(toy_suite, out, "--tasks", "toy-cls", "--lr", "1e-3")) == 0  # a dead holder's lock is free
    assert (out / "tiny-whisper" / "linear" / "toy-cls" / "seed0.json").is_file()


def test_two_concurrent_runs_of_one_cell_train_it_once(toy_suite, tmp_path):
    """Both started together (the issue's case: a second terminal, a resubmitted job): one trains, the
    other skips, because the cell is locked or, if it came late, already done."""
    env = {**os.environ, "SURE_BENCH_CACHE": str(tmp_path / "cache")}
    cmd = [sys.executable, "-m", "sure_bench.cli.main",
           *_args(toy_suite, tmp_path / "out", "--tasks", "toy-cls", "--lr", "1e-3", method="finetune")]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    trained = [o for o in outputs if "toy-cls seed 0 lr 0.001: test accuracy" in o]
    assert len(trained) == 1, outputs
    other = outputs[1 - outputs.index(trained[0])]
    assert "is being trained by pid" in other or "skip toy-cls seed 0: done" in other
    assert (tmp_path / "out" / "tiny-whisper" / "finetune" / "toy-cls" / "seed0.json").is_file()


def test_slurm_launcher_submits_two_arrays_with_the_profile(toy_suite, tmp_path, cache_dir, monkeypatch):
    """A stand-in sbatch records each job script and answers like SLURM; nothing runs."""
    bin_dir, scripts = tmp_path / "bin", tmp_path / "scripts"
    bin_dir.mkdir()
    scripts.mkdir()
    (bin_dir / "sbatch").write_text("#!/bin/sh\nn=$(ls %s | wc -l)\ncp \"$1\" %s/job$n.sh\n"
                                    "echo \"Submitted batch job $((4242 + n))\"\n" % (scripts, scripts))
    (bin_dir / "srun").write_text("#!/bin/sh\nexit 0\n")  # submitit checks that it is on a cluster
    for tool in ("sbatch", "srun"):
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    profile = tmp_path / "cluster.yaml"
    profile.write_text("partition: gpu\ntime_min: 90\ngpus_per_node: 1\ncpus_per_task: 8\nmem_gb: 48\n"
                       "array_parallelism: 3\nsetup: [module load cuda]\n")
    out = tmp_path / "results"
    assert main(_args(toy_suite, out, "--tasks", *TASKS, "--seeds", *SEEDS, "--lr-grid", "1e-2", "1e-3",
                      "--launcher", "slurm", "--cluster-profile", str(profile), "--mem-gb", "64")) == 0
    grid, seeds = (scripts / "job0.sh").read_text(), (scripts / "job1.sh").read_text()
    for script in (grid, seeds):
        for line in ("#SBATCH --partition=gpu", "#SBATCH --time=90", "#SBATCH --gpus-per-node=1",
                     "#SBATCH --cpus-per-task=8", "#SBATCH --mem=64GB", "module load cuda"):
            assert line in script, (line, script)
    assert "#SBATCH --array=0-3%3" in grid and "#SBATCH --array=0-3%3" in seeds  # 4 grid cells, 4 seeds
    assert "--dependency=afterany:4242" in seeds and "dependency" not in grid
    assert not list(out.rglob("seed*.json"))  # submitted, not run


def test_a_bad_cluster_profile_names_the_field(toy_suite, tmp_path, cache_dir, capsys):
    profile = tmp_path / "cluster.yaml"
    profile.write_text("partition: gpu\ngpus: 2\n")
    assert main(_args(toy_suite, tmp_path / "r", "--tasks", "toy-cls", "--launcher", "slurm",
                      "--cluster-profile", str(profile))) == 2
    assert "field 'gpus'" in capsys.readouterr().err


@pytest.mark.parametrize("cores, cpus, expected", [(2, 1, (2, 1)), (2, 4, (1, 2)), (16, 4, (4, 4)), (1, 1, (1, 1))])
def test_the_local_launcher_never_runs_more_threads_than_cores(monkeypatch, cores, cpus, expected):
    from sure_bench.run import launch

    monkeypatch.setattr(launch.os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    at_once, threads = launch.local_slots(cpus)
    assert (at_once, threads) == expected and at_once * threads <= cores
