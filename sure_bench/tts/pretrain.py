"""Pretrain the TTS model on the tts-mini corpus within a time budget; resumable, deterministic per seed.

    python -m sure_bench.tts.pretrain --data-root D --out tts.safetensors --minutes 30 --seed 0

Reads `D/tts-mini/manifest.csv` (split `train` trains; `dev`, else `test`, is held out), writes the fp16
weights, their card (`tts.json`: config, seed, steps, manifest sha256, command, final losses) and the resume
state (`tts.resume.pt`, every `--save-every` steps and at the end). Started again with the same arguments it
resumes from that state; the steps it takes do not depend on the stops (only how many fit in the time does).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import shlex
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import torch

from sure_bench.tts.checkpoint import save_checkpoint
from sure_bench.tts.data import Item, bucketed_batches, collate, file_sha256, load_items, manifest_path, \
    mel_statistics, read_manifest
from sure_bench.tts.evaluate import heldout_losses
from sure_bench.tts.model import FastSpeech, TTSConfig

LOGGED = ("loss", "mel_l1", "prior_nll", "duration")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m sure_bench.tts.pretrain", description=__doc__.split("\n")[0])
    p.add_argument("--data-root", type=Path, required=True, help="folder holding tts-mini/manifest.csv")
    p.add_argument("--out", type=Path, required=True, help="weights file (.safetensors); card and resume state beside it")
    p.add_argument("--minutes", type=float, default=30.0, help="training time budget, over all resumed runs")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: only the time budget)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3, help="peak AdamW rate (linear warmup, then 1/sqrt decay)")
    p.add_argument("--warmup", type=int, default=300, help="warmup steps")
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--save-every", type=int, default=500, help="steps between resume states")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--fresh", action="store_true", help="ignore an existing resume state")
    p.add_argument("--tiny", action="store_true", help="the tiny test architecture (smoke runs)")
    return p.parse_args(argv)


def _rate(step: int, args: argparse.Namespace) -> float:
    """Linear warmup to `--lr`, then inverse-square-root decay (a function of the step only)."""
    s = step + 1
    return args.lr * min(s / args.warmup, math.sqrt(args.warmup / s))


def _resume_path(out: Path) -> Path:
    return out.with_suffix(".resume.pt")


def _build(args: argparse.Namespace, speakers: list[str], train: list[Item]) -> FastSpeech:
    torch.manual_seed(args.seed)
    if args.tiny:
        from sure_bench.backbones.families.fastspeech import TINY

        config = TINY["tiny-fastspeech"]()
        config.speakers = speakers
    else:
        config = TTSConfig(speakers=speakers)
    model = FastSpeech(config)
    model.mel_mean, model.mel_std = mel_statistics(train)
    return model


def _save_state(path: Path, model: FastSpeech, opt: torch.optim.Optimizer, step: int, elapsed: float,
                identity: dict[str, Any]) -> None:
    state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "elapsed": elapsed,
             "rng": torch.get_rng_state(), "identity": identity}
    torch.save(state, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").replace(path)


PRETRAIN_SPLITS = ("pretrain", "train")  # tts-mini's name, and a plain corpus's


def _split(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """(training, held-out) utterances of the pretraining voices. Held out: their dev (else test) rows;
    where dev and test belong to another voice only (tts-mini's held-out target, never heard here), every
    50th pretraining utterance by the sha256 of its id."""
    train = [it for it in items if it.split in PRETRAIN_SPLITS]
    voices = {it.speaker for it in train}
    held = ([it for it in items if it.split == "dev" and it.speaker in voices]
            or [it for it in items if it.split == "test" and it.speaker in voices])
    if not held:
        chosen = {it.id for it in train if int(hashlib.sha256(it.id.encode()).hexdigest(), 16) % 50 == 0}
        held = [it for it in train if it.id in chosen]
        train = [it for it in train if it.id not in chosen]
    return train, held


def train(args: argparse.Namespace, argv: list[str] | None = None) -> dict[str, Any]:
    """Run (or resume) pretraining; returns the card written beside the weights."""
    if args.threads:
        torch.set_num_threads(args.threads)
    manifest = manifest_path(args.data_root)
    rows = [r for r in read_manifest(manifest) if r["split"] in (*PRETRAIN_SPLITS, "dev", "test")]
    train_items, held = _split(load_items(rows))
    if not train_items:
        raise SystemExit(f"{manifest}: no usable utterance in split {' or '.join(PRETRAIN_SPLITS)}")
    speakers = sorted({it.speaker for it in train_items})  # the pretraining voices: a held-out target is not one
    model = _build(args, speakers, train_items)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    identity = {"seed": args.seed, "manifest_sha256": file_sha256(manifest), "config": model.config.to_dict(),
                "batch_size": args.batch_size, "lr": args.lr, "warmup": args.warmup}
    step, elapsed = 0, 0.0
    resume = _resume_path(args.out)
    if resume.is_file() and not args.fresh:
        state = torch.load(resume, weights_only=False)
        if state["identity"] != identity:
            raise SystemExit(f"{resume} is from another configuration, seed or corpus; use --fresh to start over")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, elapsed = state["step"], state["elapsed"]
        torch.set_rng_state(state["rng"])
        print(f"resumed at step {step} ({elapsed / 60:.1f} min trained)", flush=True)
    lengths = [it.mel.shape[0] for it in train_items]
    batch_size = min(args.batch_size, len(train_items))
    n_batches = len(bucketed_batches(lengths, batch_size, args.seed, 0))
    print(f"{len(train_items)} training utterances ({sum(lengths) / 6000:.1f} min of audio), {len(held)} held out, "
          f"{len(speakers)} speakers, {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
    window: dict[str, list[float]] = defaultdict(list)
    last: dict[str, float] = {}
    started, window_start = time.monotonic() - elapsed, time.monotonic()
    model.train()

    def out_of_budget() -> bool:
        return time.monotonic() - started >= args.minutes * 60 or (args.max_steps and step >= args.max_steps)

    while not out_of_budget():
        epoch, position = divmod(step, n_batches)
        for batch in bucketed_batches(lengths, batch_size, args.seed, epoch)[position:]:
            for group in opt.param_groups:
                group["lr"] = _rate(step, args)
            opt.zero_grad(set_to_none=True)
            out = model(*collate([train_items[i] for i in batch], speakers))
            out["loss"].backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            for k in LOGGED:
                window[k].append(float(out[k].detach()))
            if step % args.log_every == 0:
                last = {k: sum(v) / len(v) for k, v in window.items()}
                rate = len(window["loss"]) / (time.monotonic() - window_start)
                print(f"step {step:6d}  " + "  ".join(f"{k} {v:.4f}" for k, v in last.items())
                      + f"  {rate:.2f} steps/s  {(time.monotonic() - started) / 60:.1f} min", flush=True)
                window, window_start = defaultdict(list), time.monotonic()
            if step % args.save_every == 0:
                _save_state(resume, model, opt, step, time.monotonic() - started, identity)
            if out_of_budget():
                break
    elapsed = time.monotonic() - started
    if window["loss"]:
        last = {k: sum(v) / len(v) for k, v in window.items()}
    _save_state(resume, model, opt, step, elapsed, identity)
    final = {"train": last, "heldout": heldout_losses(model, held) if held else {}}
    print(f"done: {step} steps in {elapsed / 60:.1f} min; held-out {final['heldout']}", flush=True)
    command = "python -m sure_bench.tts.pretrain " + shlex.join(sys.argv[1:] if argv is None else argv)
    card = {"model": "fastspeech", "seed": args.seed, "steps": step, "minutes_trained": round(elapsed / 60, 2),
            "data_manifest": str(manifest), "data_manifest_sha256": identity["manifest_sha256"],
            "speakers": speakers, "train_utterances": len(train_items), "heldout_utterances": len(held),
            "batch_size": batch_size, "lr": args.lr, "warmup": args.warmup, "weight_decay": args.weight_decay,
            "command": command, "torch": torch.__version__, "final_losses": final}
    return save_checkpoint(model.eval(), args.out, card)


def main(argv: list[str] | None = None) -> int:
    train(parse_args(argv), argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
