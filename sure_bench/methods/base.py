"""The method interface: a module with NAME, LR, Config, PRESETS and apply(view, config).

- `NAME`: the method's name in results and the leaderboard.
- `LR`: which of the task budget's learning rates to use: "finetune" or "default".
- `Config`: a `MethodConfig` (pydantic) subclass holding every hyperparameter.
- `PRESETS`: named configs, at least "default".
- `apply(view, config)`: add modules through `view.insert(...)` or set `requires_grad` on view
  parameters. The runner has frozen everything before; it counts what changed afterwards.
- `declared_params(view, config) -> int` (optional): how many parameters the method says it trains
  (added plus unfrozen); `sure-bench validate` checks it against the count.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, ValidationError


class MethodConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MethodError(ValueError):
    """A method module or its config is unusable; the message says which and why."""


@dataclass(frozen=True)
class Method:
    name: str
    lr_family: str
    config_cls: type[MethodConfig]
    presets: dict[str, dict[str, Any]]
    apply: Callable[..., None]
    source: str
    declared_params: Callable[..., int] | None = None

    def make_config(self, preset: str = "default", overrides: dict[str, Any] | None = None) -> MethodConfig:
        if preset not in self.presets:
            raise MethodError(f"method {self.name!r} has no preset {preset!r}; presets: {sorted(self.presets)}")
        try:
            return self.config_cls(**{**self.presets[preset], **(overrides or {})})
        except ValidationError as e:
            raise MethodError(f"method {self.name!r} preset {preset!r}: invalid config: {e}") from None


def config_hash(name: str, config: MethodConfig) -> str:
    payload = json.dumps({"method": name, "config": config.model_dump(mode="json")}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def method_from_module(module: ModuleType, source: str) -> Method:
    """Check a module has the interface and wrap it."""
    missing = [a for a in ("NAME", "Config", "apply") if not hasattr(module, a)]
    if missing:
        raise MethodError(f"{source}: method module lacks {missing}; see docs/methods.md for the interface")
    if not (isinstance(module.Config, type) and issubclass(module.Config, MethodConfig)):
        raise MethodError(f"{source}: Config must subclass sure_bench.methods.base.MethodConfig")
    lr = getattr(module, "LR", "default")
    if lr not in ("finetune", "default"):
        raise MethodError(f"{source}: LR must be 'finetune' or 'default', got {lr!r}")
    presets = dict(getattr(module, "PRESETS", {}) or {"default": {}})
    presets.setdefault("default", {})
    return Method(module.NAME, lr, module.Config, presets, module.apply, source,
                  getattr(module, "declared_params", None))
