"""The run configuration: everything outside the task spec that changes what is trained or how.

It is typed and hashed; its hash is stored in every result file and checked before a finished cell is
skipped, and the report never averages results whose hashes differ. Its label (method, preset, head
recipe) names the result folder and the report's row, so a run with another head lands beside the
plain one instead of being skipped as done.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sure_bench.heads.featurizer import DEFAULT_HEAD
from sure_bench.results.store import method_label

LATER_DEFAULTS = {"attention": "sdpa"}  # every result before the field existed ran with SDPA attention
PROTOCOL = 1  # bump when the search or training protocol changes what a configuration means


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    protocol: int = PROTOCOL
    backbone: str
    backbone_sha256: str
    method: str
    preset: str = "default"
    method_config_hash: str
    head: str = DEFAULT_HEAD
    lr_grid: tuple[float, ...] | None = Field(
        None, description="--lr-grid / --lr: the rates to search (one rate: no search); None: the task's "
                          "budget.lr_grid, else the LR family's default grid")
    precision: Literal["fp32", "bf16"] = Field(
        "fp32", description="bf16: bfloat16 autocast for the forward pass (weights and optimizer stay fp32)")
    attention: Literal["sdpa", "eager"] = Field(
        "sdpa", description="torch's fused scaled-dot-product attention, or the same written out")

    @field_validator("lr_grid")
    @classmethod
    def _sorted(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        """The same rates in another order are the same configuration."""
        return tuple(sorted(set(v))) if v else None

    @property
    def hash(self) -> str:
        """Fields added after results were written are left out while at the value those results had."""
        fields = self.model_dump(mode="json")
        for name, value in LATER_DEFAULTS.items():
            if fields[name] == value:
                del fields[name]
        payload = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def label(self) -> str:
        """method[@preset][+head][+bf16][+eager]: the result folder's and the report row's name."""
        return run_label(self.method, self.preset, self.head, self.precision, self.attention)


def run_label(method: str, preset: str = "default", head: str = DEFAULT_HEAD, precision: str = "fp32",
              attention: str = "sdpa") -> str:
    label = method_label(method, preset)
    for value, default in ((head, DEFAULT_HEAD), (precision, "fp32"), (attention, "sdpa")):
        label = label if value == default else f"{label}+{value}"
    return label
