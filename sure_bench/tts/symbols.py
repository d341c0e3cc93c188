"""The phoneme vocabulary: one symbol per character of espeak-ng's IPA output (`espeak-ng -q --ipa`).

The list is fixed here so a checkpoint's symbol ids never change; a character outside it maps to `UNKNOWN`.
"""

from __future__ import annotations

PAD, UNKNOWN = "_", "?"
_PUNCTUATION = " ,.!;:-'\"()"
_MARKS = "ˈˌːˑ‿̩̯̃͡ʰʲʷˠˤ̪̥"  # stress, length, linking, tie, nasal, syllabic, non-syllabic, secondary articulations
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_IPA = ("æɐɑɒɔəɚɛɜɝɞɘɤɨɪɯɵɶʉʊʌʏøœᵻᵿ"  # vowels
        "βçðɕɖɟɡɣɦɧɬɭɮɰɱɲɳɴɸɹɺɻɽɾʀʁʂʃʈʋʎʐʑʒʔʕʙʛʜʝʟχθŋɫʍɥ")  # consonants
SYMBOLS: tuple[str, ...] = (PAD, UNKNOWN, *_PUNCTUATION, *_MARKS, *_LETTERS, *_IPA)
_INDEX = {s: i for i, s in enumerate(SYMBOLS)}
assert len(_INDEX) == len(SYMBOLS), "duplicate symbol"


def encode(phonemes: str) -> list[int]:
    """IPA string -> symbol ids (newlines from multi-clause espeak output become spaces)."""
    text = " ".join(phonemes.split())
    return [_INDEX.get(c, 1) for c in text]


def unknown_characters(phonemes: str) -> set[str]:
    """Characters of `phonemes` that are not in the vocabulary (for checking a corpus)."""
    return {c for c in " ".join(phonemes.split()) if c not in _INDEX}
