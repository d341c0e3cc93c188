"""The README's own-data example, run as written on the real FSDD copy."""

import re
import subprocess
from pathlib import Path

import pytest

from sure_bench.data.loaders import get_loader, select_split
from sure_bench.tasks.registry import load_task_file
from sure_bench.kinds import make_kind

REPO = Path(__file__).resolve().parents[2]
FSDD = REPO.parent / "shared" / "data" / "fsdd" / "recordings"


@pytest.mark.skipif(not FSDD.is_dir(), reason="needs ../shared/data/fsdd")
def test_readme_audiofolder_example_gives_fsdd_splits(tmp_path):
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("Your own data"):]
    shell = re.search(r"```bash\n(.*?)```", section, re.S).group(1).replace("/tmp/fsdd.csv", str(tmp_path / "f.csv"))
    spec = re.search(r"```yaml\n(.*?)```", section, re.S).group(1).replace("/tmp/fsdd.csv", str(tmp_path / "f.csv"))
    subprocess.run(["bash", "-c", shell], cwd=REPO, check=True)
    (tmp_path / "my-digits.yaml").write_text(spec)
    task = load_task_file(tmp_path / "my-digits.yaml")
    rows = get_loader(task.spec.dataset.loader).load(REPO.parent / "shared" / "data", **task.spec.dataset.args)
    sizes = {s: len(select_split(rows, task.split_selection(s))) for s in ("train", "dev", "test")}
    assert sizes == {"train": 2400, "dev": 300, "test": 300}
    assert {r.label for r in rows} == set(make_kind(task).labels) and rows[0].duration > 0
