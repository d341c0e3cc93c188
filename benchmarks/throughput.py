"""Training-step throughput of a backbone under linear and finetune, on random 16 kHz clips.

    python benchmarks/throughput.py [--backbone whisper-tiny.en] [--seconds 2] [--batch 16] [--steps 5]

Prints samples per second for a forward pass (no grad), a linear-probe step and a fine-tuning step.
"""

from __future__ import annotations

import argparse
import time

import torch

from sure_bench.backbones.registry import load_backbone
from sure_bench.heads.classifier import PooledClassifier


def bench(fn, steps: int) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backbone", default="whisper-tiny.en")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args()
    enc = load_backbone(args.backbone)
    head = PooledClassifier(enc.hidden_size, enc.num_layers + 1, [10])
    n = int(args.seconds * 16000)
    wave, lengths = torch.randn(args.batch, n) * 0.1, torch.full((args.batch,), n)
    labels = torch.zeros(args.batch, 1, dtype=torch.long)

    def forward():
        with torch.no_grad():
            enc(wave, lengths)

    def step(train_backbone: bool):
        for p in enc.parameters():
            p.requires_grad_(train_backbone)
        enc.freeze_frontend()
        states, mask = enc(wave, lengths)
        head.loss(head(states, mask), mask, labels).backward()

    print(f"{args.backbone}, batch {args.batch} x {args.seconds:g} s, torch threads {torch.get_num_threads()}")
    for name, fn in [("forward (no grad)", forward), ("linear step", lambda: step(False)),
                     ("finetune step", lambda: step(True))]:
        t = bench(fn, args.steps)
        print(f"  {name:18s} {t * 1000:8.1f} ms/batch  {args.batch / t:8.1f} samples/s")


if __name__ == "__main__":
    main()
