"""tts-mini: a deterministic, offline multi-speaker TTS corpus (sentences, voices, render, build).

sentences: the committed sentence list and its split rule; phonemes: espeak-ng IPA; voices: the 12
pretraining voices and the held-out target; piper: the target's ONNX runner; render: audio to 16 kHz
WAV; build: plan, manifest and the command line.
"""
