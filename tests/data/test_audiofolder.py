import numpy as np
import pytest
import soundfile as sf

from sure_bench.data.audio import BadAudioError
from sure_bench.data.cache import decode_manifest
from sure_bench.data.loaders import audiofolder
from sure_bench.data.manifest import ManifestError


def test_audiofolder_reads_csv_and_names_broken_files(tmp_path):
    (tmp_path / "mine" / "clips").mkdir(parents=True)
    sf.write(tmp_path / "mine" / "clips" / "a.wav", np.zeros(8000, dtype=np.float32), 8000)
    sf.write(tmp_path / "mine" / "clips" / "b.flac", np.zeros(16000, dtype=np.float32), 16000)
    (tmp_path / "mine" / "clips" / "c.wav").write_bytes(b"broken")
    (tmp_path / "mine" / "meta.csv").write_text(
        "file,emotion,who\nclips/a.wav,happy,s1\nclips/b.flac,sad,s2\nclips/c.wav,sad,s3\n")
    rows = audiofolder.load(tmp_path, folder="mine", csv_file="meta.csv", path_column="file",
                            label_column="emotion", speaker_column="who")
    assert [r.id for r in rows] == ["clips/a", "clips/b", "clips/c"]
    assert rows[0].duration == 1.0 and rows[1].label == "sad" and rows[2].speaker == "s3"
    with pytest.raises(BadAudioError, match="c.wav"):
        decode_manifest(rows, tmp_path / "cache", show_progress=False)
    ok = decode_manifest(rows, tmp_path / "cache", skip_bad_audio=True, show_progress=False)
    assert len(ok.dataset) == 2 and ok.skipped[0]["id"] == "clips/c"


def test_audiofolder_errors_name_the_file_and_columns(tmp_path):
    with pytest.raises(FileNotFoundError, match="metadata.csv not found"):
        audiofolder.load(tmp_path)
    (tmp_path / "metadata.csv").write_text("filename,text\n")
    with pytest.raises(ManifestError, match=r"missing column\(s\) \['path', 'label'\]"):
        audiofolder.load(tmp_path)
