"""Text-to-speech track: a small FastSpeech-style acoustic model for PEFT speaker adaptation.

`model` (the network), `symbols` (the IPA vocabulary), `audio` (mel and Griffin-Lim), `mas` (monotonic
alignment search), `data` (the tts-mini manifest, batches), `checkpoint` and `pretrain` (the CLI). Its view
for PEFT methods is built in `sure_bench.backbones.families.fastspeech`.
"""
