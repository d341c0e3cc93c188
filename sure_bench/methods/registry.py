"""Finding a method: a built-in name, a path to a `.py` module, or a `sure_bench.methods` entry point."""

from __future__ import annotations

import importlib
import importlib.util
from importlib.metadata import entry_points
from pathlib import Path

from sure_bench.methods import builtin
from sure_bench.methods.base import Method, MethodError, method_from_module

BUILTIN: tuple[str, ...] = tuple(builtin.names())  # the modules in methods/builtin/, found by glob


def load_method(spec: str) -> Method:
    """A built-in name, `peft:<TYPE|file>`, `path/to/method.py`, a folder holding `method.py`, or an entry point."""
    if spec.startswith("peft:"):
        from sure_bench.methods.hf_peft import load_peft_method

        return load_peft_method(spec.removeprefix("peft:"))
    if spec in BUILTIN:
        # the source results record: the name it had before methods/builtin/, so results stay comparable
        return method_from_module(importlib.import_module(f"{builtin.PACKAGE}.{spec}"), f"sure_bench.methods.{spec}")
    path = Path(spec)
    if path.is_dir():
        path = path / "method.py"
    if path.suffix == ".py":
        if not path.is_file():
            raise MethodError(f"method file {path} not found")
        mod_spec = importlib.util.spec_from_file_location(f"sure_bench_user_method_{path.stem}", path)
        module = importlib.util.module_from_spec(mod_spec)
        try:
            mod_spec.loader.exec_module(module)
        except Exception as e:
            raise MethodError(f"{path}: importing the method module failed: {type(e).__name__}: {e}") from None
        return method_from_module(module, str(path))
    for ep in entry_points(group="sure_bench.methods"):
        if ep.name == spec:
            return method_from_module(ep.load(), f"entry point {ep.value}")
    raise MethodError(f"unknown method {spec!r}: not a built-in ({', '.join(BUILTIN)}), a .py file, "
                      "a folder with method.py, or a 'sure_bench.methods' entry point")
