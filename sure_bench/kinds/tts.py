"""Text-to-speech speaker adaptation: the pretrained FastSpeech model (`--backbone` a checkpoint of
`python -m sure_bench.tts.pretrain`, or `tiny-fastspeech`) learns one new voice, the task's target
`speaker`, from its adapt recordings; any method goes where `placement` says ("decoder", "encoder" or
"encoder+decoder"). The placement is a field of the task, so it is in the spec hash: runs with different
placements never mix (a changed placement makes the old results stale).

The trained module is the backbone plus the kind's head, `TargetSpeaker`: the new voice's speaker
embedding row, started from a pretraining voice (`init_speaker`: "nearest", the voice whose recordings are
closest to the target's adapt recordings by GE2E cosine, or a named one). Targets are the recordings'
log-mels and the sentences' phonemes (the loader's `phonemes(data_root, **args)`), batched by the kind's
own collator. dev and test sentences are synthesized (predicted durations, Griffin-Lim) in the target
voice; predictions are `{"id", "reference": {"audio", "text", "speaker"}, "prediction": <wav path>}` with
absolute paths; test WAVs are kept beside the result as `seed<k>.audio/<id>.wav`, dev WAVs in a scratch
folder. Scored by mcd (primary), speaker_similarity and tts_cer; dev is scored on every metric the task
names, each epoch (a dev set of a few dozen sentences takes seconds on the tiny model). Each reference
also names the JSON of the backbone's voices (`voices_file`), the candidates of `speaker_id_accuracy`.
Results carry the task's anchors (`ANCHORS`): the floor, the unadapted model in the init voice, and the
ceiling, the target's test recordings through the same log-mel -> Griffin-Lim path."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import torch
from pydantic import Field
from torch import nn

from sure_bench.kinds.base import KindError, KindFields, TaskKind

NAME = "tts"
PAD = -100.0  # padding of predicted mels across eval batches (the Trainer's own padding index)


class Fields(KindFields):
    METRICS: ClassVar[frozenset[str]] = frozenset({"mcd", "speaker_similarity", "speaker_id_accuracy", "tts_cer"})

    speaker: str = Field(description="the target voice (the loader's speaker) the model adapts to")
    placement: Literal["decoder", "encoder", "encoder+decoder"] = Field(
        "decoder", description="the stacks a method's modules go into (part of the spec hash)")
    init_speaker: str = Field("nearest", description="the pretraining voice whose embedding row the new voice "
                                                     "starts from; 'nearest': closest by GE2E cosine")
    griffin_lim_iterations: int = Field(32, gt=0, description="vocoder iterations of each synthesized sentence")


class TargetSpeaker(nn.Module):
    """The new voice's speaker embedding row (the head every method trains)."""

    def __init__(self, hidden: int):
        super().__init__()
        self.row = nn.Parameter(torch.zeros(hidden))


class TTSModel(nn.Module):
    """forward(tokens, token_lengths, mel_lengths, labels=log-mels) -> {"loss", "preds"}; in eval mode
    preds are the synthesized log-mels (B, T, n_mels), padded with -100."""

    def __init__(self, backbone: nn.Module, head: TargetSpeaker):
        super().__init__()
        self.backbone, self.head = backbone, head

    def train(self, mode: bool = True) -> "TTSModel":
        super().train(mode)
        if not any(p.requires_grad for p in self.backbone.parameters()):
            self.backbone.eval()  # a frozen backbone runs without dropout
        return self

    def forward(self, tokens: torch.Tensor, token_lengths: torch.Tensor, mel_lengths: torch.Tensor,
                labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        speakers = self.head.row[None, :].expand(tokens.shape[0], -1)
        out: dict[str, torch.Tensor] = {}
        if labels is not None:
            out["loss"] = self.backbone(tokens, token_lengths, speakers, labels, mel_lengths)["loss"]
        if not self.training:
            mel, lengths = self.backbone.model.infer(tokens, token_lengths, speakers)
            frames = torch.arange(mel.shape[1], device=mel.device)[None, :] < lengths[:, None]
            out["preds"] = mel.masked_fill(~frames[..., None], PAD)
        return out


class TTSCollator:
    """Rows (16 kHz audio, id) -> symbol ids, their lengths, log-mels (`labels`) and mel lengths."""

    def __init__(self, kind: "Kind"):
        self.kind = kind

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        from sure_bench.tts.audio import log_mel
        from sure_bench.tts.symbols import encode

        tokens = [torch.tensor(encode(self.kind.phonemes[str(r["id"])]), dtype=torch.long) for r in rows]
        mels = [log_mel(torch.from_numpy(np.array(r["audio"], dtype=np.float32))).T for r in rows]
        tl, ml = torch.tensor([len(t) for t in tokens]), torch.tensor([m.shape[0] for m in mels])
        batch_tokens = torch.zeros(len(rows), int(tl.max()), dtype=torch.long)
        batch_mels = torch.zeros(len(rows), int(ml.max()), mels[0].shape[1])
        for i, (t, m) in enumerate(zip(tokens, mels)):
            batch_tokens[i, : len(t)], batch_mels[i, : len(m)] = t, m
        return {"tokens": batch_tokens, "token_lengths": tl, "mel_lengths": ml, "labels": batch_mels}


class Kind(TaskKind):
    NAME = NAME
    FIELDS = Fields
    ANCHORS = True  # floor: the unadapted model in the init voice; ceiling: the target's recordings re-vocoded

    def __init__(self, task, data_root: Path | None = None):
        super().__init__(task, data_root)
        self._phonemes: dict[str, str] | None = None
        self._rows: list | None = None
        self._by_id: dict | None = None  # utterance id -> corpus row, built on first use
        self._voices_file: tuple[tuple[str, ...], Path] | None = None  # (voices, their file), written once
        self._scratch: Path | None = None
        self.init_voice: str | None = None  # the pretraining voice the new row started from (after `model`)
        self.voices: list[str] = []  # the backbone's voices: the candidates of speaker_id_accuracy (after `model`)

    # --- the corpus -------------------------------------------------------------------------------
    def _loader_args(self) -> dict[str, Any]:
        return {**self.spec.dataset.args, "progress": False}

    @property
    def phonemes(self) -> dict[str, str]:
        """{utterance id: IPA} from the loader (`phonemes(data_root, **args)`)."""
        if self._phonemes is None:
            from sure_bench.data.loaders import default_data_root, get_loader

            loader = get_loader(self.spec.dataset.loader)
            if not hasattr(loader, "phonemes"):
                raise KindError(f"{self.task.file}: loader {self.spec.dataset.loader!r} has no phonemes(); "
                                "a tts task needs one")
            self._phonemes = loader.phonemes(Path(self.data_root or default_data_root()), **self._loader_args())
        return self._phonemes

    def _corpus(self) -> list:
        if self._rows is None:
            from sure_bench.data.loaders import default_data_root, get_loader

            loader = get_loader(self.spec.dataset.loader)
            self._rows = loader.load(Path(self.data_root or default_data_root()), **self._loader_args())
        return self._rows

    def unusable(self, utterance: Any) -> str | None:
        if utterance.speaker != self.spec.speaker:
            return f"not the target voice {self.spec.speaker!r}"
        if why := super().unusable(utterance):
            return why
        return None if self.phonemes.get(utterance.id) else "no phonemes"

    def crop_samples(self) -> int | None:
        return None  # a recording is the target of its whole sentence

    # --- the model ----------------------------------------------------------------------------------
    def backbone(self, encoder: nn.Module) -> nn.Module:
        from sure_bench.backbones.families.fastspeech import TTSBackbone

        if not isinstance(encoder, TTSBackbone):
            raise KindError(f"task {self.spec.task}: kind tts needs a TTS backbone: pass --backbone "
                            "fastspeech-tts-mini (packaged), a checkpoint of python -m sure_bench.tts.pretrain, or "
                            f"tiny-fastspeech; got {encoder.name if hasattr(encoder, 'name') else type(encoder).__name__}")
        return TTSBackbone(encoder.model, self.spec.placement, encoder.name, encoder.weights_sha256)

    def head(self, hidden: int, num_states: int, recipe: str) -> nn.Module:
        return TargetSpeaker(hidden)

    def model(self, encoder: nn.Module, head: nn.Module) -> nn.Module:
        speakers = self.voices = list(encoder.model.config.speakers)
        self.init_voice = self.init_voice or self.choose_init_voice(speakers)
        with torch.no_grad():
            head.row.copy_(encoder.model.speaker.weight[speakers.index(self.init_voice)])
        return TTSModel(encoder, head)

    def choose_init_voice(self, speakers: list[str]) -> str:
        """`init_speaker` if named, else the pretraining voice nearest to the target's training recordings
        (`tts.voices.nearest`)."""
        if self.spec.init_speaker != "nearest":
            if self.spec.init_speaker not in speakers:
                raise KindError(f"{self.task.file}: init_speaker {self.spec.init_speaker!r} is not a voice of "
                                f"the backbone ({speakers})")
            return self.spec.init_speaker
        from sure_bench.data.loaders import select_split
        from sure_bench.tts.voices import nearest

        rows = self._corpus()
        train = [r.path for r in select_split(rows, self.task.split_selection("train")) if r.speaker == self.spec.speaker]
        chosen = nearest(train, self.voice_recordings(speakers))
        if chosen is None:
            raise KindError(f"{self.task.file}: no recording of any backbone voice ({speakers}) in the task's "
                            "corpus nor in tts-mini; name init_speaker")
        return chosen

    def voice_recordings(self, voices: list[str]) -> dict[str, list[str]]:
        """{backbone voice: up to 8 of its recordings} from the task's corpus, else tts-mini's (`tts.voices`)."""
        from sure_bench.data.loaders import default_data_root
        from sure_bench.tts.voices import recordings

        return recordings(voices, self._corpus(), Path(self.data_root or default_data_root()))

    def collator(self):
        return TTSCollator(self)

    def targets(self, rows: Sequence[dict[str, Any]]) -> torch.Tensor | None:
        return None  # the collator batches the mels

    # --- predictions --------------------------------------------------------------------------------
    def _folder(self, split: str) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="sure-bench-tts-"))
        folder = self._scratch / split
        shutil.rmtree(folder, ignore_errors=True)  # the previous epoch's dev audio
        folder.mkdir(parents=True)
        return folder

    def predictions(self, split: str, ids: Sequence[str], labels: Sequence[str],
                    outputs: np.ndarray) -> list[dict[str, Any]]:
        folder, voices = self._folder(split), self.voices_file()
        records = []
        for uid, text, mel in zip(ids, labels, outputs):
            mel = np.asarray(mel, dtype=np.float32)
            mel = mel[~np.all(mel == PAD, axis=-1)]
            records.append(self._record(str(uid), str(text), self._write(folder, str(uid), mel), voices))
        return records

    def _write(self, folder: Path, uid: str, mel: np.ndarray) -> Path:
        import soundfile as sf

        from sure_bench.tts.audio import griffin_lim

        wave = griffin_lim(torch.from_numpy(np.asarray(mel, dtype=np.float32)).T, self.spec.griffin_lim_iterations)
        path = folder / f"{uid}.wav"
        sf.write(str(path), wave.numpy(), 16000, subtype="PCM_16")
        return path

    def voices_file(self) -> Path:
        """JSON {voice: [up to 8 of its recordings]} of the backbone's voices (the candidates
        `speaker_id_accuracy` tells the target from), written once per task and voices."""
        from sure_bench.files import default_cache_dir
        from sure_bench.tts.voices import voices_file

        if not (self._voices_file and self._voices_file[0] == tuple(self.voices)):
            path = voices_file(self.spec.task, self.voice_recordings(self.voices), default_cache_dir())
            self._voices_file = (tuple(self.voices), path)
        return self._voices_file[1]

    def _record(self, uid: str, text: str, path: Path, voices: Path) -> dict[str, Any]:
        if self._by_id is None:
            self._by_id = {r.id: r for r in self._corpus()}
        return {"id": str(uid), "prediction": str(path),
                "reference": {"audio": str(Path(self._by_id[str(uid)].path).resolve()), "text": str(text),
                              "speaker": self.spec.speaker, "voices": str(voices)}}

    def ceiling_predictions(self, split: str, ids: Sequence[str], labels: Sequence[str],
                            waves: Sequence[np.ndarray]) -> list[dict[str, Any]]:
        """The target's own recordings of the split (16 kHz, as decoded for training) through the model's
        mel -> Griffin-Lim path: what a perfect acoustic model would score with this vocoder."""
        from sure_bench.tts.audio import log_mel

        folder, voices = self._folder(f"{split}-ceiling"), self.voices_file()
        records = []
        for uid, text, wave in zip(ids, labels, waves):
            mel = log_mel(torch.from_numpy(np.asarray(wave, dtype=np.float32))).T.numpy()
            records.append(self._record(str(uid), str(text), self._write(folder, str(uid), mel), voices))
        return records

    def keep_predictions(self, records: list[dict[str, Any]], folder: Path, stem: str) -> list[dict[str, Any]]:
        """Move the synthesized WAVs to `folder/<stem>.audio/` (beside the result), name them there, and add
        each sentence's own scores: `"utterance": {"mcd", "speaker_similarity", "transcript"}` (Whisper's)."""
        from sure_bench.metrics.tts import mcd_per_utterance, similarity_per_utterance, transcripts

        out_dir = Path(folder) / f"{stem}.audio"
        out_dir.mkdir(parents=True, exist_ok=True)
        kept = []
        for r in records:
            source, target = Path(r["prediction"]), out_dir / f"{r['id']}.wav"
            if source != target:
                shutil.move(str(source), target)
            kept.append({**r, "prediction": str(target.resolve())})
        if kept:
            refs, preds = [r["reference"] for r in kept], [r["prediction"] for r in kept]
            columns = zip(mcd_per_utterance(refs, preds), similarity_per_utterance(refs, preds),
                          transcripts(refs, preds))
            kept = [{**r, "utterance": {"mcd": round(m, 4), "speaker_similarity": round(c, 4), "transcript": t}}
                    for r, (m, c, t) in zip(kept, columns)]
        return kept
