"""Text-to-speech metrics: mel-cepstral distortion, speaker similarity and intelligibility (CER).

Every metric is `fn(references, predictions) -> float` over a split: each reference is a dict
`{"audio": <path of the target speaker's real recording of the sentence>, "text": <the sentence>}` (an
optional `"speaker"` key groups references by speaker for `speaker_similarity`), each prediction the path
of the generated WAV. A generated utterance is scored in its reference's band: it is resampled (soxr) to
the reference recording's rate first, so 8 kHz references score an 8 kHz rendering.

* `mcd` (dB, lower better, unbounded): mean over utterances of the DTW-aligned mel-cepstral distortion,
  ESPnet's recipe with c0 excluded; every convention is in `metrics/mel_cepstrum.py`.
* `speaker_similarity` (cosine in [-1, 1], higher better): per utterance, the cosine between the generated
  utterance's GE2E embedding (resemblyzer's weights, `metrics/speaker_embedding.py`) and the centroid of
  the target speaker's reference recordings (L2-normalised mean of their embeddings, each distinct
  recording once), averaged over utterances. Reference embeddings are cached in memory per file.
* `speaker_id_accuracy` (higher better): the share of generated utterances whose GE2E embedding is
  nearer (cosine) to the target's centroid than to the centroid of any other candidate voice; the
  candidates are listed in the JSON file the reference's `"voices"` key names (`{voice: [recordings]}`:
  for tts-mini, the backbone's pretraining voices), the target's centroid is its reference recordings'.
* `tts_cer` (lower better): the embedded Whisper tiny.en (`metrics/whisper_asr.py`) transcribes each
  generated utterance; CER against the sentences after `normalize_text`, as the `cer` metric computes it
  (corpus-level character edit distance over reference characters, empty references left out).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import soundfile as sf

from sure_bench.metrics.audio_io import check_pairs, content_key, read_audio, read_in_band
from sure_bench.metrics.registry import register

# What each generated file scored, by its content: a file scored once (the test split's metrics) is not
# scored again when it has moved (the kept predictions name each sentence's own scores), and the two
# metrics that embed it share one embedding.
_SCORED: OrderedDict[tuple, Any] = OrderedDict()
_SCORED_MAX = 4096


def _per_file(what: str, predictions: Sequence[str], context: Sequence[Any],
              compute: Callable[[list[int]], Sequence[Any]]) -> list[Any]:
    """`compute(indices)` for the predictions not scored yet (by content and `context`), the rest remembered."""
    keys = [(what, content_key(p), c) for p, c in zip(predictions, context)]
    todo = [i for i, k in enumerate(keys) if k not in _SCORED]
    if todo:
        for i, value in zip(todo, compute(todo)):
            _SCORED[keys[i]] = value
    out = [_SCORED[k] for k in keys]
    while len(_SCORED) > _SCORED_MAX:
        _SCORED.popitem(last=False)
    return out


def _generated_embeddings(predictions: Sequence[str], bands: list[int]) -> np.ndarray:
    from sure_bench.metrics.speaker_embedding import embed_files

    paths = [str(p) for p in predictions]
    return np.stack(_per_file("ge2e", paths, bands,
                              lambda todo: list(embed_files([paths[i] for i in todo], band=[bands[i] for i in todo]))))


def _rate(path: str) -> int:
    return int(sf.info(str(path)).samplerate)


def mcd_per_utterance(references: Sequence[Mapping[str, Any]], predictions: Sequence[str]) -> list[float]:
    """MCD in dB of each generated utterance against its reference recording."""
    from sure_bench.metrics.mel_cepstrum import mcd_of

    refs = check_pairs(references, predictions, "audio")

    def compute(todo: list[int]) -> list[float]:
        out = []
        for i in todo:
            reference, rate = read_audio(refs[i]["audio"])
            out.append(mcd_of(read_in_band(predictions[i], rate), reference, rate))
        return out

    return _per_file("mcd", [str(p) for p in predictions], [str(r["audio"]) for r in refs], compute)


def mcd(references: Sequence[Mapping[str, Any]], predictions: Sequence[str]) -> float:
    """Mean mel-cepstral distortion (dB) over utterances."""
    return float(np.mean(mcd_per_utterance(references, predictions)))


def similarity_per_utterance(references: Sequence[Mapping[str, Any]], predictions: Sequence[str]) -> list[float]:
    """Cosine of each generated utterance's speaker embedding with its speaker's reference centroid."""
    from sure_bench.metrics.speaker_embedding import centroid

    refs = check_pairs(references, predictions, "audio")
    speakers = [str(r.get("speaker", "")) for r in refs]
    centroids = {speaker: centroid(list(dict.fromkeys(str(r["audio"]) for r, s in zip(refs, speakers) if s == speaker)))
                 for speaker in dict.fromkeys(speakers)}
    generated = _generated_embeddings(predictions, [_rate(r["audio"]) for r in refs])
    return [float(g @ centroids[s]) for g, s in zip(generated, speakers)]


def speaker_similarity(references: Sequence[Mapping[str, Any]], predictions: Sequence[str]) -> float:
    """Mean cosine between generated utterances and the target speaker's reference centroid."""
    return float(np.mean(similarity_per_utterance(references, predictions)))


def speaker_id_accuracy(references: Sequence[Mapping[str, Any]], predictions: Sequence[str]) -> float:
    """Share of generated utterances identified as their target speaker among the candidate voices."""
    import json

    from sure_bench.metrics.speaker_embedding import centroid

    refs = check_pairs(references, predictions, "voices")
    generated = _generated_embeddings(predictions, [_rate(r["audio"]) for r in refs])
    candidates: dict[str, dict[str, np.ndarray]] = {}
    targets: dict[str, np.ndarray] = {}
    hits = []
    for r, g in zip(refs, generated):
        voices_file, speaker = str(r["voices"]), str(r.get("speaker", ""))
        if voices_file not in candidates:
            voices = json.loads(open(voices_file, encoding="utf-8").read())
            candidates[voices_file] = {v: centroid(p) for v, p in voices.items() if p and v != speaker}
        if speaker not in targets:
            targets[speaker] = centroid(list(dict.fromkeys(str(x["audio"]) for x in refs
                                                            if str(x.get("speaker", "")) == speaker)))
        own = float(g @ targets[speaker])
        hits.append(all(own > float(g @ c) for c in candidates[voices_file].values()))
    return float(np.mean(hits))


def transcripts(references: Sequence[Mapping[str, Any]], predictions: Sequence[str]) -> list[str]:
    """Whisper tiny.en transcripts of the generated utterances, each in its reference's band."""
    from sure_bench.metrics.whisper_asr import transcribe_files

    refs = check_pairs(references, predictions, "text")
    band = [_rate(r["audio"]) if "audio" in r else 16000 for r in refs]
    paths = [str(p) for p in predictions]
    return _per_file("whisper", paths, band,
                     lambda todo: transcribe_files([paths[i] for i in todo], [band[i] for i in todo]))


def tts_cer(references: Sequence[Mapping[str, Any]], predictions: Sequence[str]) -> float:
    """CER of Whisper tiny.en's transcripts of the generated audio against the sentences."""
    from sure_bench.metrics.speech_recognition import cer

    hyps = transcripts(references, predictions)
    return cer([str(r["text"]) for r in references], hyps)


register("mcd", mcd, higher_is_better=False, upper=None,
         description="mel-cepstral distortion (dB, DTW, c0 excluded) against the target's recordings")
register("speaker_similarity", speaker_similarity, higher_is_better=True, lower=-1.0, upper=1.0,
         description="cosine of GE2E speaker embeddings with the target speaker's centroid")
register("speaker_id_accuracy", speaker_id_accuracy, higher_is_better=True,
         description="share of generated utterances nearest (GE2E cosine) to the target among all candidate voices")
register("tts_cer", tts_cer, higher_is_better=False,
         description="character error rate of Whisper tiny.en transcripts of the generated speech")
