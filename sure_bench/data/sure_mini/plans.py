"""Deterministic plans of the synthetic sure-mini subsets (pure: no I/O, fixed seeds).

A plan lists, per utterance, what to say, with which voice and espeak-ng settings, how to
augment it (noise, SNR, speed factor, padding) and its label, speaker and split. Committed
split files are written from plans alone, so they never depend on the rendered audio.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass

from sure_bench.data.sure_mini.voices import Voice, twin_of, voice_pool

SYNTH_SUBSETS: tuple[str, ...] = ("ser", "sid", "ic", "ks", "asr")
SPLITS: tuple[str, ...] = ("train", "dev", "test")
PLAN_VERSION = 1
SEEDS = {"ser": 1101, "sid": 2202, "ic": 3303, "ks": 4404, "asr": 5505}


@dataclass(frozen=True)
class PlannedUtterance:
    """One utterance to render; `label` is the class, the intent slots or the transcript."""

    id: str
    subset: str
    split: str
    label: str
    speaker: str
    text: str
    voice: str  # Voice.name
    pitch: int  # espeak -p, 0..99
    speed: int  # espeak -s, words per minute
    amplitude: int  # espeak -a, 0..200
    pitch_range: int  # SSML <prosody range="N%">
    word_gap: int  # espeak -g, units of 10 ms
    drive: float  # soft-clipping drive (0 = none)
    speed_factor: float  # resampling speed perturbation (tempo and pitch)
    noise: str  # none | white | pink | babble
    snr_db: float
    pad_before: float  # seconds of silence before the speech
    pad_after: float  # seconds after
    target_duration: float = 0.0  # >0: pad the clip (with noise) to this length


# --- text material ------------------------------------------------------------------------

_DETS = "the a my our his her this that some".split()
_ADJS = ("red green blue old young small big heavy bright dark warm cold quiet loud "
         "wooden broken empty fresh clean strange happy tired").split()
_NOUNS = ("cat dog bird horse farmer teacher doctor driver girl boy child window door table "
          "chair box letter map garden river bridge station kitchen lamp coat apple bread "
          "bottle basket boat train road hill tree flower stone picture book key ticket jacket zebra").split()
_PRONOUNS = "i you he she we they".split()
_VERBS = [("saw", "see"), ("found", "find"), ("liked", "like"), ("painted", "paint"),
          ("carried", "carry"), ("opened", "open"), ("cleaned", "clean"), ("bought", "buy"),
          ("sold", "sell"), ("wanted", "want"), ("moved", "move"), ("dropped", "drop"),
          ("kept", "keep"), ("made", "make"), ("took", "take"), ("watched", "watch"),
          ("fixed", "fix"), ("followed", "follow"), ("pushed", "push"), ("needed", "need")]
_AUX = "can't won't didn't don't will could should must".split()
_PREPS = "in near on under behind beside across past".split()
_TIMES = ["today", "last night", "every morning", "after dinner", "before noon", "at once",
          "this week", "again"]


def _np(rng: random.Random) -> list[str]:
    words = [rng.choice(_DETS)]
    if rng.random() < 0.5:
        words.append(rng.choice(_ADJS))
    words.append(rng.choice(_NOUNS))
    if words[0] == "a" and words[1][0] in "aeiou":
        words[0] = "an"
    return words


def make_sentence(rng: random.Random, max_words: int = 8) -> str:
    """A grammatical sentence of 3..max_words words from a small grammar (lowercase, apostrophes)."""
    while True:
        subj = [rng.choice(_PRONOUNS)] if rng.random() < 0.4 else _np(rng)
        past, base = rng.choice(_VERBS)
        verb = [past] if rng.random() < 0.55 else [rng.choice(_AUX), base]
        tail: list[str] = []
        r = rng.random()
        if r < 0.45:
            tail = [rng.choice(_PREPS)] + _np(rng)
        elif r < 0.7:
            tail = rng.choice(_TIMES).split()
        words = subj + verb + _np(rng) + tail
        if 3 <= len(words) <= max_words:
            return " ".join(words)


def unique_sentences(rng: random.Random, n: int, max_words: int = 8) -> list[str]:
    """n distinct sentences, in generation order."""
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen.setdefault(make_sentence(rng, max_words), None)
    return list(seen)


KEYWORDS: tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
UNKNOWN_WORDS: tuple[str, ...] = tuple(
    ("bed bird cat dog happy house marvin sheila tree wow zero one two three four five six "
     "seven eight nine learn follow forward backward visual yet note goal upper done dove "
     "lift ride stock toe yellow nose often").split())

_ROOMS = ("kitchen", "bedroom", "washroom")
_LANGS = ("chinese", "korean", "english", "german")
_INTENT_PHRASES: dict[tuple[str, str], list[str]] = {
    ("activate", "lights"): ["turn on the lights", "switch on the lights", "lights on",
                             "switch the lights on", "turn the lights on", "i need some light"],
    ("deactivate", "lights"): ["turn off the lights", "switch off the lights", "lights off",
                               "switch the lights off", "turn the lights off", "kill the lights"],
    ("increase", "heat"): ["turn up the heat", "increase the heating", "make it warmer",
                           "heat up", "it's too cold", "turn the heat up"],
    ("decrease", "heat"): ["turn down the heat", "decrease the heating", "make it cooler",
                           "heat down", "it's too hot", "turn the heat down"],
    ("increase", "volume"): ["turn up the volume", "increase the volume", "louder please",
                             "make it louder", "volume up", "i can't hear that"],
    ("decrease", "volume"): ["turn down the volume", "decrease the volume", "quieter please",
                             "make it quieter", "volume down", "that's too loud"],
    ("activate", "music"): ["play music", "play some music", "start the music",
                            "put on some music", "music on", "resume the music"],
    ("deactivate", "music"): ["stop the music", "pause the music", "turn off the music",
                              "music off", "stop playing music", "no more music"],
    ("activate", "lamp"): ["turn on the lamp", "switch on the lamp", "lamp on", "turn the lamp on"],
    ("deactivate", "lamp"): ["turn off the lamp", "switch off the lamp", "lamp off",
                             "turn the lamp off"],
}
_ROOM_PHRASES: dict[tuple[str, str], list[str]] = {
    ("activate", "lights"): ["turn on the {r} lights", "turn on the lights in the {r}",
                             "{r} lights on", "switch on the {r} lights"],
    ("deactivate", "lights"): ["turn off the {r} lights", "turn off the lights in the {r}",
                               "{r} lights off", "switch off the {r} lights"],
    ("increase", "heat"): ["turn up the heat in the {r}", "make the {r} warmer",
                           "increase the {r} heating", "{r} heat up"],
    ("decrease", "heat"): ["turn down the heat in the {r}", "make the {r} cooler",
                           "decrease the {r} heating", "{r} heat down"],
}
_BRING = ["bring me the {o}", "get me the {o}", "fetch the {o}", "go get the {o}", "i need the {o}",
          "bring the {o} please"]
_CHANGE = ["change language to {o}", "switch to {o}", "set the language to {o}", "use {o}",
           "{o} please", "i want to use {o}"]


def intent_phrasings() -> dict[str, list[str]]:
    """Every intent label `action|object|location` with its phrasings (FSC-style, 31 intents)."""
    out: dict[str, list[str]] = {}
    for (act, obj), phrases in _INTENT_PHRASES.items():
        out[f"{act}|{obj}|none"] = list(phrases)
        for room in _ROOMS if (act, obj) in _ROOM_PHRASES else ():
            out[f"{act}|{obj}|{room}"] = [p.format(r=room) for p in _ROOM_PHRASES[(act, obj)]]
    for obj in ("newspaper", "juice", "socks", "shoes"):
        out[f"bring|{obj}|none"] = [p.format(o=obj) for p in _BRING]
    for lang in _LANGS:
        out[f"change language|{lang}|none"] = [p.format(o=lang) for p in _CHANGE]
    return out


# Speaking styles: (pitch offset, rate factor, amplitude, pitch range %, word gap, drive).
STYLES: dict[str, tuple[int, float, int, int, int, float]] = {
    "neutral": (0, 1.00, 100, 70, 0, 0.0),
    "happy": (12, 1.12, 125, 165, 0, 0.0),
    "sad": (-10, 0.80, 70, 25, 3, 0.0),
    "angry": (5, 1.08, 180, 120, 1, 2.5),
}
# (white, pink, babble, none) probabilities and SNR range in dB, per subset.
NOISE = {"ser": (8, 20), "sid": (3, 18), "ic": (5, 20), "ks": (0, 18), "asr": (10, 30)}


# --- planning ----------------------------------------------------------------------------

def _clip(x: float, lo: int, hi: int) -> int:
    return int(max(lo, min(hi, round(x))))


def _utt(rng: random.Random, subset: str, split: str, n: int, label: str, text: str, voice: Voice,
         pitch: float = 0.0, rate: float = 1.0, amp: float = 100, prange: float = 100,
         gap: int = 0, drive: float = 0.0, target: float = 0.0) -> PlannedUtterance:
    """Add the per-utterance jitter and augmentation draws shared by all subsets."""
    lo, hi = NOISE[subset]
    noise = rng.choices(("white", "pink", "babble", "none"), weights=(3, 3, 4, 1))[0]
    return PlannedUtterance(
        id=f"{subset}-{split}-{n:04d}", subset=subset, split=split, label=label,
        speaker=voice.name, text=text, voice=voice.name,
        pitch=_clip(voice.pitch + pitch + rng.uniform(-6, 6), 0, 99),
        speed=_clip(voice.speed * rate * rng.uniform(0.92, 1.08), 80, 400),
        amplitude=_clip(amp + rng.uniform(-15, 15), 10, 200),
        pitch_range=_clip(prange + rng.uniform(-25, 25), 10, 200),
        word_gap=gap, drive=round(drive * rng.uniform(0.7, 1.3), 3) if drive else 0.0,
        speed_factor=round(rng.uniform(0.92, 1.08), 3), noise=noise,
        snr_db=round(rng.uniform(lo, hi), 2),
        pad_before=round(rng.uniform(0.05, 0.3), 3), pad_after=round(rng.uniform(0.05, 0.3), 3),
        target_duration=target)


def _voice_split(rng: random.Random, n_train: int, n_dev: int, n_test: int) -> dict[str, list[Voice]]:
    pool = list(voice_pool())
    rng.shuffle(pool)
    return {"train": pool[:n_train], "dev": pool[n_train:n_train + n_dev],
            "test": pool[n_train + n_dev:n_train + n_dev + n_test]}


def _plan_ser(rng: random.Random) -> list[PlannedUtterance]:
    voices = _voice_split(rng, 12, 4, 8)
    texts = unique_sentences(rng, 60, max_words=6)
    out = []
    for split, per_class in (("train", 40), ("dev", 20), ("test", 40)):
        for n in range(per_class * len(STYLES)):
            style = list(STYLES)[n % len(STYLES)]
            dp, rate, amp, prange, gap, drive = STYLES[style]
            v = voices[split][(n // len(STYLES)) % len(voices[split])]
            out.append(_utt(rng, "ser", split, n, style, rng.choice(texts), v, pitch=dp + rng.uniform(-5, 5),
                            rate=rate, amp=amp, prange=prange, gap=gap, drive=drive))
    return out


def _plan_sid(rng: random.Random) -> list[PlannedUtterance]:
    pool = list(voice_pool())
    rng.shuffle(pool)
    # 8 confusable pairs (same variant, two accents) plus 8 single voices: 24 speakers.
    voices = pool[:16] + [twin_of(v) for v in pool[:8]]
    # 16 training sentences a voice: with 8 (the first plan) a trained head's test accuracy moved by 6
    # points from seed to seed, more than the gaps between methods (docs/protocol.md, "sid-mini v2").
    counts = {"train": 16, "dev": 6, "test": 15}
    texts = unique_sentences(rng, len(voices) * sum(counts.values()))
    out, k = [], 0
    for split, per_voice in counts.items():
        n = 0
        for _ in range(per_voice):
            for v in voices:
                out.append(_utt(rng, "sid", split, n, v.name, texts[k], v, pitch=rng.uniform(-4, 4)))
                n, k = n + 1, k + 1
    return out


def _plan_ic(rng: random.Random) -> list[PlannedUtterance]:
    voices = _voice_split(rng, 16, 6, 10)
    intents = intent_phrasings()
    out = []
    for split, per_intent in (("train", 10), ("dev", 3), ("test", 6)):
        n = 0
        for rep in range(per_intent):
            for label, phrases in intents.items():
                v = rng.choice(voices[split])
                out.append(_utt(rng, "ic", split, n, label, rng.choice(phrases), v))
                n += 1
    return out


def _plan_ks(rng: random.Random) -> list[PlannedUtterance]:
    voices = _voice_split(rng, 16, 6, 12)
    out = []
    for split, per_class in (("train", 20), ("dev", 8), ("test", 20)):
        n = 0
        for rep in range(per_class):
            for label in KEYWORDS + ("unknown",):
                word = rng.choice(UNKNOWN_WORDS) if label == "unknown" else label
                v = voices[split][rep % len(voices[split])]
                out.append(_utt(rng, "ks", split, n, label, word, v, rate=0.85, target=1.0))
                n += 1
    return out


def _plan_asr(rng: random.Random) -> list[PlannedUtterance]:
    voices = _voice_split(rng, 20, 5, 10)
    counts = {"train": 800, "dev": 100, "test": 200}
    texts = unique_sentences(rng, sum(counts.values()))
    out, k = [], 0
    for split, count in counts.items():
        for n in range(count):
            v = voices[split][n % len(voices[split])]
            out.append(_utt(rng, "asr", split, n, texts[k], texts[k], v))
            k += 1
    return out


_PLANNERS = {"ser": _plan_ser, "sid": _plan_sid, "ic": _plan_ic, "ks": _plan_ks, "asr": _plan_asr}


def plan_subset(subset: str) -> list[PlannedUtterance]:
    """The full, deterministic plan of one synthetic subset (all splits, in a fixed order)."""
    if subset not in _PLANNERS:
        raise ValueError(f"unknown synthetic sure-mini subset {subset!r}; known: {list(SYNTH_SUBSETS)}")
    return _PLANNERS[subset](random.Random(SEEDS[subset]))


def plan_hash(plans: list[PlannedUtterance]) -> str:
    """Content hash of a plan (and of the plan format version)."""
    h = hashlib.sha256(f"sure-mini plan v{PLAN_VERSION}\n".encode())
    for p in plans:
        h.update(json.dumps(asdict(p), sort_keys=True).encode() + b"\n")
    return h.hexdigest()[:16]
