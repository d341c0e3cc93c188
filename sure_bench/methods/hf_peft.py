"""Any Hugging Face peft method (`--method peft:<TYPE>` or `--method peft:<config.yaml|json>`).

`target_modules` (and IA3's `feedforward_modules`) may name view roles (q, k, v, out, ffn_up, ffn_down, and the
layer norms attn_norm, ffn_norm, e.g. for LN_TUNING); they are mapped to each family's module names, so one
config runs on every backbone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from sure_bench.backbones.view import ALL_ROLES, BackboneView
from sure_bench.methods.base import Method, MethodConfig, MethodError

LR = "default"

DEFAULTS: dict[str, dict[str, Any]] = {
    "LORA": {"r": 8, "lora_alpha": 16, "target_modules": ["q", "v"]},
    "DORA": {"peft_type": "LORA", "r": 8, "lora_alpha": 16, "use_dora": True, "target_modules": ["q", "v"]},
    "RSLORA": {"peft_type": "LORA", "r": 8, "lora_alpha": 16, "use_rslora": True, "target_modules": ["q", "v"]},
    "IA3": {"target_modules": ["k", "v", "ffn_down"], "feedforward_modules": ["ffn_down"]},
    "LOHA": {"r": 8, "alpha": 16, "target_modules": ["q", "v"]},
    "LOKR": {"r": 8, "alpha": 16, "target_modules": ["q", "v"]},
    "VERA": {"r": 64, "target_modules": ["q", "v"]},
}


class Config(MethodConfig):
    peft_type: str
    options: dict[str, Any] = {}


def _map_roles(view: BackboneView, names: Any) -> Any:
    if not isinstance(names, list):
        return names
    out: list[str] = []
    for n in names:
        out.extend(view.module_names(n) if n in ALL_ROLES else [n])
    return out


def make_apply(cfg_type: str):
    def apply(view: BackboneView, config: Config) -> None:
        from peft import get_peft_config, inject_adapter_in_model

        options = dict(config.options)
        for key in ("target_modules", "feedforward_modules"):
            if key in options:
                options[key] = _map_roles(view, options[key])
        try:
            peft_config = get_peft_config({"peft_type": config.peft_type, **options})
            inject_adapter_in_model(peft_config, view.model)
        except (ValueError, TypeError, KeyError) as e:
            raise MethodError(f"peft:{cfg_type}: HF peft rejected the config {config.options}: {e}") from None

    return apply


def load_peft_method(spec: str) -> Method:
    """`TYPE` (a known default config) or a path to a YAML/JSON file holding `peft_type` and its fields."""
    path = Path(spec)
    if path.suffix in (".yaml", ".yml", ".json"):
        if not path.is_file():
            raise MethodError(f"peft config file {path} not found")
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        if not isinstance(data, dict) or "peft_type" not in data:
            raise MethodError(f"{path}: a peft config needs a mapping with 'peft_type' (e.g. LORA, IA3) and its fields")
        options = {k: v for k, v in data.items() if k != "peft_type"}
        # submissions/<name>/peft.yaml is named after its folder; other files after themselves
        name = path.resolve().parent.name if path.stem == "peft" else f"peft-{path.stem}"
        peft_type = str(data["peft_type"]).upper()
    else:
        key = spec.upper()
        if key not in DEFAULTS:
            raise MethodError(f"no default config for peft type {spec!r}: known {sorted(DEFAULTS)}; "
                              "or give a YAML/JSON file: --method peft:my_config.yaml")
        options = {k: v for k, v in DEFAULTS[key].items() if k != "peft_type"}
        name, peft_type = f"peft-{key.lower()}", DEFAULTS[key].get("peft_type", key)
    preset = {"peft_type": peft_type, "options": options}
    return Method(name, LR, Config, {"default": preset}, make_apply(peft_type), f"peft:{spec}")
