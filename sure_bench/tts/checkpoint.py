"""TTS checkpoints: fp16 safetensors weights (config in the metadata) and a JSON card beside them
(`tts.safetensors` -> `tts.json`); the resume state of a pretraining run in `<out>.resume.pt`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from sure_bench.tts.data import file_sha256
from sure_bench.tts.model import FastSpeech, TTSConfig


def card_path(weights: Path) -> Path:
    return Path(weights).with_suffix(".json")


def save_checkpoint(model: FastSpeech, path: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write the weights in fp16 (the mel statistics stay fp32) and the card (with the weights' sha256)."""
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: (v if k.startswith("mel_") else v.half()).detach().cpu().contiguous()
               for k, v in model.state_dict().items()}
    save_file(tensors, str(path), metadata={"config": json.dumps(model.config.to_dict())})
    card = {**card, "config": model.config.to_dict(), "weights_sha256": file_sha256(path),
            "parameters": sum(p.numel() for p in model.parameters())}
    card_path(path).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def load_checkpoint(path: Path) -> tuple[FastSpeech, dict[str, Any]]:
    """(model in fp32, eval mode; its card, or {} when there is none)."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(path), framework="pt") as f:
        config = TTSConfig(**json.loads(f.metadata()["config"]))
    model = FastSpeech(config)
    model.load_state_dict({k: v.float() for k, v in load_file(str(path)).items()})
    card = card_path(path)
    return model.eval(), (json.loads(card.read_text(encoding="utf-8")) if card.is_file() else {})
