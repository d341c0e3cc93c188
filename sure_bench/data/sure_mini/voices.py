"""The pool of synthetic espeak-ng voices used by sure-mini.

A voice is an English language voice (accent: pronunciation rules, intonation) plus a
variant (formants, base pitch, breathiness), plus a base pitch and speaking rate of its own.
The pool is a fixed list, independent of what the local espeak-ng install reports, so plans
(and hence committed splits) are identical on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

# espeak-ng English voices (`espeak-ng --voices=en`, the eSpeak "gmw" ones; MBROLA ones need extra packages).
LANGUAGES: tuple[str, ...] = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)

# espeak-ng variants (`espeak-ng --voices=variant`, file names under voices/!v), minus duplicates
# (caleb and klatt6 render exactly like klatt), whispered voices (no pitch), and novelty ones.
VARIANTS: tuple[str, ...] = (
    "f1", "f2", "f3", "f4", "f5",
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8",
    "klatt", "klatt2", "klatt3", "klatt4", "klatt5",
    "Alex", "Alicia", "Andrea", "Andy", "Annie", "AnxiousAndy", "Denis", "Diogo",
    "Gene", "Gene2", "Henrique", "Hugo", "Jacky", "Lee", "Marco", "Mario",
    "Michael", "Mike", "Nguyen", "RicishayMax", "Storm", "Tweaky",
    "adam", "anika", "announcer", "antonio", "aunty", "belinda", "benjamin", "boris",
    "croak", "david", "ed", "edward", "edward2", "grandma", "grandpa", "gustave",
    "iven", "iven2", "iven3", "john", "kaukovalta", "linda", "marcelo", "max",
    "michel", "miguel", "norbert", "pablo", "paul", "pedro", "quincy", "rob",
    "robert", "sandro", "shelby", "steph", "steph2", "steph3", "travis", "victor", "zac",
)

# How many voices (the last ones of the pool) are kept apart to make babble noise only.
N_BABBLE = 6


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker: `espeak-ng -v <lang>+<variant> -p <pitch> -s <speed>`."""

    lang: str
    variant: str
    pitch: int  # base pitch, espeak -p scale 0..99 (default 50)
    speed: int  # base rate, words per minute (espeak default 175)

    @property
    def name(self) -> str:
        """Stable voice name, also the speaker label: e.g. `en-gb-scotland+f3`."""
        return f"{self.lang}+{self.variant}"

    @property
    def espeak_voice(self) -> str:
        """The `-v` argument for espeak-ng."""
        return f"{self.lang}+{self.variant}"


def _build_pool() -> tuple[Voice, ...]:
    """Pair every variant with a language (cycling) and give it its own base pitch and rate."""
    voices = []
    for i, variant in enumerate(VARIANTS):
        lang = LANGUAGES[(i * 3) % len(LANGUAGES)]
        pitch = 36 + (i * 7) % 29  # 36..64
        speed = 150 + (i * 11) % 41  # 150..190
        voices.append(Voice(lang, variant, pitch, speed))
    return tuple(voices)


ALL_VOICES: tuple[Voice, ...] = _build_pool()
BABBLE_VOICES: tuple[Voice, ...] = ALL_VOICES[-N_BABBLE:]
VOICES: tuple[Voice, ...] = ALL_VOICES[:-N_BABBLE]
_BY_NAME = {v.name: v for v in ALL_VOICES}


def voice_pool() -> tuple[Voice, ...]:
    """The speaker voices (babble-only voices excluded), in a fixed order."""
    return VOICES


def twin_of(voice: Voice) -> Voice:
    """A confusable sibling: same variant, another accent, slightly other pitch and rate."""
    lang = LANGUAGES[(LANGUAGES.index(voice.lang) + 1) % len(LANGUAGES)]
    pitch = voice.pitch + 6 if voice.pitch < 58 else voice.pitch - 6
    return Voice(lang, voice.variant, pitch, voice.speed - 10 if voice.speed > 160 else voice.speed + 10)


def get_voice(name: str) -> Voice:
    """Look a voice up by its name (`lang+variant`)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown sure-mini voice {name!r}") from None
