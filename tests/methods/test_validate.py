"""`validate` passes the built-in methods and fails broken modules with a reason; out-of-tree loading."""

import textwrap

import pytest

from sure_bench.cli.main import main
from sure_bench.methods.base import MethodError
from sure_bench.methods.registry import load_method
from sure_bench.methods.validate import validate_method

FAMILIES = ("tiny-wav2vec2", "tiny-wavlm", "tiny-whisper")

HEADER = """
from torch import nn
from sure_bench.methods.base import MethodConfig
NAME = "broken"
class Config(MethodConfig):
    pass
"""

BROKEN = {
    "raises": ("def apply(view, config):\n    raise RuntimeError('boom')\n", "raised RuntimeError: boom"),
    "trains_frozen": (textwrap.dedent("""
        import torch
        class Sneaky(nn.Module):
            def __init__(self, hidden, target):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(hidden))
                self.target = [target]
            def forward(self, y):
                if self.training:  # e.g. a running average written into a backbone weight
                    self.target[0].bias.data.add_(1e-3)
                return y * (self.scale - 1)
        def apply(view, config):
            for i in range(view.num_layers):
                view.insert("after_ffn", i, Sneaky(view.hidden_size, view.layers[i].q))
        """), "frozen backbone weights changed"),
    "lies": (textwrap.dedent("""
        import torch
        def apply(view, config):
            for i in range(view.num_layers):
                view.insert("after_ffn", i, nn.Linear(view.hidden_size, view.hidden_size))
        def declared_params(view, config):
            return 10
        """), "declares 10 trainable parameters"),
    "no_gradient": (textwrap.dedent("""
        import torch
        class Dead(nn.Module):
            def __init__(self, hidden):
                super().__init__()
                self.w = nn.Parameter(torch.ones(hidden))
            def forward(self, y):
                return y * 0 + self.w * 0
        def apply(view, config):
            view.insert("after_ffn", 0, Dead(view.hidden_size))
        """), "got no gradient"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_method_fails_validate_with_reason(tmp_path, kind):
    body, reason = BROKEN[kind]
    path = tmp_path / f"{kind}.py"
    path.write_text(HEADER + body)
    report = validate_method(load_method(str(path)), load_method(str(path)).make_config(), FAMILIES[:1])
    assert not report.ok
    assert any(reason in line for line in report.failed), report.failed


@pytest.mark.parametrize("spec", ["linear", "bottleneck", "conv_adapter", "prefix", "lora", "peft:IA3"])
def test_builtin_methods_validate(spec):
    method = load_method(spec)
    report = validate_method(method, method.make_config(), FAMILIES)
    assert report.ok, report.failed
    assert len(report.passed) == len(FAMILIES)


def test_validate_cli_exit_codes(tmp_path, capsys):
    path = tmp_path / "lies.py"
    path.write_text(HEADER + BROKEN["lies"][0])
    assert main(["validate", "--method", str(path)]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out and "declares 10 trainable parameters" in out


def test_method_from_folder_and_bad_modules(tmp_path):
    folder = tmp_path / "my_method"
    folder.mkdir()
    (folder / "method.py").write_text(HEADER + "def apply(view, config):\n    pass\n")
    assert load_method(str(folder)).name == "broken"
    (tmp_path / "nothing.py").write_text("x = 1\n")
    with pytest.raises(MethodError, match="lacks \\['NAME', 'Config', 'apply'\\]"):
        load_method(str(tmp_path / "nothing.py"))
    (tmp_path / "syntax.py").write_text("def (:\n")
    with pytest.raises(MethodError, match="importing the method module failed: SyntaxError"):
        load_method(str(tmp_path / "syntax.py"))
    with pytest.raises(MethodError, match="no default config for peft type 'NOPE'"):
        load_method("peft:NOPE")


def test_peft_config_file_with_roles(tmp_path):
    cfg = tmp_path / "my_ia3.yaml"
    cfg.write_text("peft_type: IA3\ntarget_modules: [k, v, ffn_up]\nfeedforward_modules: [ffn_up]\n")
    method = load_method(f"peft:{cfg}")
    assert method.name == "peft-my_ia3"
    report = validate_method(method, method.make_config(), ("tiny-wavlm", "tiny-whisper"))
    assert report.ok, report.failed


def test_methods_table_for_a_config_only_backbone(capsys):
    assert main(["methods", "--backbone", "wav2vec2-large-xlsr-53", "--method", "lora", "bottleneck"]) == 0
    out = capsys.readouterr().out
    assert "315,438,720 in the backbone" in out
    assert "786,432" in out  # LoRA r=8 on q and v: 24 layers x 2 x 8 x (1024 + 1024)


def test_docs_example_method_validates(tmp_path):
    from conftest import REPO

    text = (REPO / "docs" / "methods.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert 20 <= len(code.strip().splitlines()) <= 40
    (tmp_path / "scaled_adapter.py").write_text(code)
    method = load_method(str(tmp_path / "scaled_adapter.py"))
    report = validate_method(method, method.make_config("wide"), ("tiny-wavlm", "tiny-whisper"))
    assert report.ok, report.failed


def test_docs_parallel_variant_validates(tmp_path):
    """The doc's parallel form (the same adapter at `parallel_ffn`) is a valid method too."""
    from conftest import REPO

    text = (REPO / "docs" / "methods.md").read_text()
    blocks = text.split("```python\n")
    code, parallel = blocks[1].split("```", 1)[0], blocks[2].split("```", 1)[0]
    sequential = code[code.index("def apply("):code.index("def declared_params(")].strip()
    assert 'view.insert("parallel_ffn"' in parallel
    (tmp_path / "parallel_adapter.py").write_text(code.replace(sequential, parallel.strip()))
    method = load_method(str(tmp_path / "parallel_adapter.py"))
    report = validate_method(method, method.make_config(), ("tiny-wav2vec2", "tiny-whisper"))
    assert report.ok, report.failed


def test_method_from_an_entry_point(monkeypatch):
    import importlib.metadata

    from sure_bench.methods import registry

    class EP:
        name, value = "my_adapter", "sure_bench.methods.builtin.bottleneck"

        def load(self):
            import sure_bench.methods.builtin.bottleneck as module

            return module

    monkeypatch.setattr(registry, "entry_points", lambda group: [EP()] if group == "sure_bench.methods" else [])
    method = load_method("my_adapter")
    assert method.name == "bottleneck" and method.source == "entry point sure_bench.methods.builtin.bottleneck"
    assert importlib.metadata  # the real lookup is importlib.metadata.entry_points(group=...)


def test_builtins_are_found_by_glob_and_keep_their_names_and_sources(capsys):
    from sure_bench.methods import builtin
    from sure_bench.methods.registry import BUILTIN

    assert set(BUILTIN) >= {"linear", "finetune", "bottleneck", "conv_adapter", "prefix", "lora"}
    assert list(BUILTIN) == builtin.names()
    for name in BUILTIN:
        method = load_method(name)  # a module's NAME is its file's name, and results record the same source
        assert method.name == name and method.source == f"sure_bench.methods.{name}"
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(name in help_text for name in BUILTIN) and "peft:" in help_text
