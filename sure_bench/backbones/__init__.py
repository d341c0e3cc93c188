"""Pretrained speech encoders behind one family-neutral view (`registry.load_backbone`)."""

DEFAULT_BACKBONE = "whisper-tiny.en"  # embedded (offline); here so the CLI can name it without importing torch
