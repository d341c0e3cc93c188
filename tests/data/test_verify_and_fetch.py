import hashlib
import http.server
import io
import socket
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sure_bench.cli.main import main
from sure_bench.data.catalog import DatasetInfo, Download, all_datasets
from sure_bench.data.fetch import FetchError, fetch
from sure_bench.cli.data_cmd import verify_dataset

REAL_FSDD = Path(__file__).resolve().parents[3] / "shared" / "data"


def _fake_fsdd(root: Path) -> Path:
    rec = root / "fsdd" / "recordings"
    rec.mkdir(parents=True)
    for digit in range(2):
        for index in range(12):
            sf.write(rec / f"{digit}_alice_{index}.wav", np.full(800 + 80 * index, 0.1, np.float32), 8000)
    return rec


def _tasks_dir(tmp_path: Path, test_size: int) -> Path:
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "ks-fake.yaml").write_text(f"""
task: ks-fake
version: 1
kind: utterance_classification
dataset: {{loader: fsdd}}
splits: {{train: {{subset: train}}, dev: {{subset: dev}}, test: {{subset: test, size: {test_size}}}}}
audio: {{max_seconds: 1.0}}
labels: [zero, one]
metrics: {{primary: accuracy, higher_is_better: true}}
budget: {{epochs: 1, batch_size: 2, patience: 0, lr: {{finetune: 1.0e-4, default: 1.0e-3}}}}
""")
    return tasks


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_verify_names_every_missing_corrupt_or_changed_file_and_modifies_nothing(tmp_path, capsys):
    rec = _fake_fsdd(tmp_path / "data")
    tasks = _tasks_dir(tmp_path, test_size=10)
    assert main(["data", "manifest", "fsdd", "--data-root", str(tmp_path / "data"), "--checksums",
                 "--out", str(tasks / "manifests" / "fsdd.csv")]) == 0
    assert verify_dataset("fsdd", tmp_path / "data", tasks, checksums=True).ok

    (rec / "0_alice_3.wav").unlink()
    (rec / "1_alice_4.wav").write_bytes(b"RIFF garbage")
    sf.write(rec / "1_alice_7.wav", np.zeros(4000, np.float32), 8000)  # right format, wrong length
    wav = rec / "0_alice_9.wav"
    raw = bytearray(wav.read_bytes())
    raw[-1] ^= 1  # same duration, different content
    wav.write_bytes(bytes(raw))
    before = _snapshot(tmp_path / "data")

    report = verify_dataset("fsdd", tmp_path / "data", tasks, checksums=True)
    problems: dict[str, str] = {}
    for where, problem in report.problems:
        key = Path(where).name if where.endswith(".wav") else where
        problems[key] = problems.get(key, "") + problem + "; "
    assert problems["0_alice_3.wav"] == "missing; "
    assert "unreadable audio" in problems["1_alice_4.wav"]
    assert "expected" in problems["1_alice_7.wav"] and "±1 %" in problems["1_alice_7.wav"]
    assert "sha256" in problems["0_alice_9.wav"]
    assert "has 9 utterances" in problems["ks-fake test"] and "release has 10" in problems["ks-fake test"]
    assert _snapshot(tmp_path / "data") == before

    assert main(["data", "verify", "fsdd", "--data-root", str(tmp_path / "data"), "--tasks-dir", str(tasks)]) == 1
    out = capsys.readouterr().out
    assert "0_alice_3.wav: missing" in out and "nothing was modified" in out


def test_verify_without_a_committed_manifest_decodes_what_the_loader_finds(tmp_path):
    rec = _fake_fsdd(tmp_path / "data")
    (rec / "0_alice_5.wav").write_bytes(b"broken")
    report = verify_dataset("fsdd", tmp_path / "data", _tasks_dir(tmp_path, test_size=10))
    assert [(Path(w).name, p.split(" (")[0]) for w, p in report.problems] == [("0_alice_5.wav", "unreadable audio")]
    assert report.checked == 24 and "no committed manifest" in report.notes[0]


@pytest.mark.skipif(not (REAL_FSDD / "fsdd" / "recordings").is_dir(), reason="needs ../shared/data/fsdd")
def test_real_fsdd_copy_matches_the_committed_manifest():
    report = verify_dataset("fsdd", REAL_FSDD, checksums=True)
    assert report.ok and report.checked == 3000


class _Server:
    def __init__(self, folder: Path):
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **k)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.requests = 0
        inner = self.httpd.finish_request

        def counted(*a, **k):
            self.requests += 1
            return inner(*a, **k)

        self.httpd.finish_request = counted
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    buf = io.BytesIO()
    wav = io.BytesIO()
    sf.write(wav, np.zeros(1600, np.float32), 16000, format="WAV")
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("toyset/clips/a.wav")
        info.size = len(wav.getvalue())
        tar.addfile(info, io.BytesIO(wav.getvalue()))
    (site / "toyset.tar.gz").write_bytes(buf.getvalue())
    server = _Server(site)
    yield server, "sha256:" + hashlib.sha256(buf.getvalue()).hexdigest()
    server.close()


def _info(url: str, checksum: str) -> DatasetInfo:
    return DatasetInfo(name="toyset", title="toy", license="CC0", homepage="http://example.org", folder="toyset",
                       layout="toyset/clips/*.wav", downloads=(Download(url, checksum),))


def test_fetch_downloads_checks_and_unpacks_once(served, tmp_path):
    server, checksum = served
    root = tmp_path / "root"
    fetch(_info(f"{server.url}/toyset.tar.gz", checksum), root, show_progress=False)
    assert sf.info(str(root / "toyset" / "clips" / "a.wav")).frames == 1600
    assert server.requests == 1
    fetch(_info(f"{server.url}/toyset.tar.gz", checksum), root, show_progress=False)
    assert server.requests == 1  # the kept archive still matches its checksum: nothing downloaded again


def test_fetch_only_some_archives(served, tmp_path):
    server, checksum = served
    info = _info(f"{server.url}/toyset.tar.gz", checksum)
    with pytest.raises(FetchError, match=r"no archive matches \['test-clean'\]; its archives are \['toyset.tar.gz'\]"):
        fetch(info, tmp_path, show_progress=False, only=["test-clean"])
    assert server.requests == 0
    fetch(info, tmp_path, show_progress=False, only=["toyset"])
    assert (tmp_path / "toyset" / "clips" / "a.wav").is_file()


def test_fetch_rejects_a_wrong_checksum_and_leaves_no_file(served, tmp_path):
    server, _ = served
    with pytest.raises(FetchError, match="checksum mismatch.*deleted"):
        fetch(_info(f"{server.url}/toyset.tar.gz", "sha256:" + "0" * 64), tmp_path, show_progress=False)
    assert list((tmp_path / "downloads").iterdir()) == [] and not (tmp_path / "toyset").exists()


def test_fetch_network_errors_are_clear(served, tmp_path):
    server, checksum = served
    with pytest.raises(FetchError, match="could not download .*missing.tar.gz: HTTP 404.*by hand from http://example.org"):
        fetch(_info(f"{server.url}/missing.tar.gz", checksum), tmp_path, show_progress=False)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match="could not download .*refused"):
        fetch(_info(f"http://127.0.0.1:{port}/toyset.tar.gz", checksum), tmp_path, show_progress=False)
    assert not any(p.name.endswith(".part") for p in (tmp_path / "downloads").iterdir())


def test_fetch_of_a_form_licensed_dataset_says_where_to_get_it(tmp_path, capsys):
    assert main(["data", "fetch", "fsdd", "--data-root", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "cannot be downloaded by the harness" in err and "github.com/Jakobovski" in err


def test_every_loader_describes_its_release():
    infos = all_datasets()
    assert {"fsdd", "audiofolder", "manifest", "sure_mini"} <= set(infos)
    for name, info in infos.items():
        assert info.name == name and info.title and info.license and info.layout, name
        for d in info.downloads:
            assert d.url.startswith("https://") or d.url.startswith("http://"), (name, d.url)
            assert d.checksum.split(":")[0] in ("sha256", "md5") and len(d.checksum.split(":")[1]) in (32, 64), name


def test_verify_reports_a_release_that_is_not_there_and_goes_on(tmp_path):
    _fake_fsdd(tmp_path / "data")
    tasks = _tasks_dir(tmp_path, test_size=10)
    (tasks / "ks-other.yaml").write_text((tasks / "ks-fake.yaml").read_text().replace("ks-fake", "ks-other")
                                         .replace("{loader: fsdd}", "{loader: fsdd, args: {folder: elsewhere}}"))
    report = verify_dataset("fsdd", tmp_path / "data", tasks)
    assert [w for w, _ in report.problems] == ["ks-other (loader args {'folder': 'elsewhere'})"]
    assert "FSDD not found" in report.problems[0][1] and report.checked == 24


def test_manifest_and_verify_refuse_loaders_that_need_a_task(tmp_path, capsys):
    assert main(["data", "manifest", "hf_hub", "--data-root", str(tmp_path), "--out", str(tmp_path / "m.csv")]) == 2
    assert "its loader needs ['path']" in capsys.readouterr().err and not (tmp_path / "m.csv").exists()
    assert main(["data", "verify", "audiofolder", "--data-root", str(tmp_path)]) == 2
    assert "generic loader for your own data" in capsys.readouterr().err
