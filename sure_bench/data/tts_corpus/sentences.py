"""The tts-mini sentence list and its split rule (pure: no audio, no subprocesses).

`tasks/tts/sentences.txt` is committed: the 720 Harvard sentences (IEEE 1969) followed by sentences
composed by the small grammar below from a fixed seed. `python -m sure_bench.data.tts_corpus.sentences
--write tasks/tts/sentences.txt HARVARD.txt` rewrites it (HARVARD.txt: one Harvard sentence a line).

Split rule: sentences are ordered by the sha256 of their text; the first 30 are `test`, the next 20
`dev`, the next 75 `adapt` (about 3 minutes of the target voice), all others `pretrain`. Only the
held-out target voice reads test, dev and adapt sentences, so no test or dev sentence is ever heard in
pretraining or adaptation.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path

SENTENCES_FILE = Path(__file__).resolve().parents[3] / "tasks" / "tts" / "sentences.txt"
SPLITS: tuple[str, ...] = ("pretrain", "adapt", "dev", "test")
HELD_OUT: tuple[tuple[str, int], ...] = (("test", 30), ("dev", 20), ("adapt", 75))  # in hash order
N_COMPOSED = 480
GRAMMAR_SEED = 1969


@dataclass(frozen=True)
class Sentence:
    id: str  # "s" + the first 10 hex digits of sha256(text)
    text: str
    split: str


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentence_id(text: str) -> str:
    return "s" + digest(text)[:10]


def read_sentences(path: Path | None = None) -> list[str]:
    """Non-empty, stripped lines of the sentence file (default: the committed one), duplicates refused."""
    path = Path(path or SENTENCES_FILE)
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [t for t in lines if t and not t.startswith("#")]
    seen: set[str] = set()
    for t in texts:
        if t in seen:
            raise ValueError(f"{path}: duplicate sentence {t!r}")
        seen.add(t)
    return texts


def assign_splits(texts: list[str]) -> list[Sentence]:
    """The split of every sentence (in the input order) by the rule in the module docstring."""
    order = sorted(texts, key=digest)
    split_of: dict[str, str] = {}
    pos = 0
    for split, n in HELD_OUT:
        for t in order[pos:pos + n]:
            split_of[t] = split
        pos += n
    ids = {sentence_id(t) for t in texts}
    if len(ids) != len(texts):
        raise ValueError("two sentences share a sentence id (sha256 prefix); make them differ")
    return [Sentence(sentence_id(t), t, split_of.get(t, "pretrain")) for t in texts]


def load_sentences(path: Path | None = None) -> list[Sentence]:
    """The committed sentences with their ids and splits."""
    return assign_splits(read_sentences(path))


# --- the grammar of composed sentences -----------------------------------------------------

_NAMES = ("Anna Ben Clara David Emma Frank Grace Henry Iris Jack Laura Martin Nora Oscar Paula "
          "Robert Sarah Thomas Uma Victor Wendy").split()
_ADJS = ("old new small large quiet noisy bright dark warm cold heavy light narrow wide clean dusty "
         "wooden yellow green silver broken empty").split()
_THINGS = [("lamp", "lamps"), ("basket", "baskets"), ("letter", "letters"), ("window", "windows"),
           ("bicycle", "bicycles"), ("kettle", "kettles"), ("blanket", "blankets"), ("ladder", "ladders"),
           ("bottle", "bottles"), ("ticket", "tickets"), ("candle", "candles"), ("parcel", "parcels"),
           ("suitcase", "suitcases"), ("mirror", "mirrors"), ("shovel", "shovels"), ("jacket", "jackets"),
           ("notebook", "notebooks"), ("umbrella", "umbrellas"), ("wagon", "wagons"), ("drum", "drums")]
_PLACES = ("kitchen garden station market harbour library village bridge valley meadow workshop "
           "cellar hallway orchard museum bakery").split() + ["school yard", "river bank"]
_PEOPLE = ("farmer teacher baker sailor painter doctor driver neighbour gardener captain "
           "student miller tailor clerk nurse").split()
_ANIMALS = ("dog cat horse goat duck rabbit owl fox sheep pony").split()
_VERBS = [("carried", "carry"), ("painted", "paint"), ("opened", "open"), ("cleaned", "clean"),
          ("moved", "move"), ("mended", "mend"), ("found", "find"), ("lost", "lose"), ("sold", "sell"),
          ("brought", "bring"), ("dropped", "drop"), ("packed", "pack"), ("wrapped", "wrap"),
          ("borrowed", "borrow"), ("hid", "hide"), ("washed", "wash")]
_INTRANS = ("slept ran waited laughed sang shouted rested wandered listened hurried").split()
_PREPS = "in near behind beside under across inside".split()
_TIMES = ("this morning|last night|on Sunday|after lunch|before dawn|in the spring|every evening|"
          "at noon|late in the autumn|early on Monday|during the storm|after the rain").split("|")
_ADVS = "slowly quietly gladly carefully loudly softly quickly patiently".split()
_NUMBERS = "two three four five six seven eight nine ten twelve twenty".split()
_WEATHER = ("the wind was cold|the sky was grey|the sun was bright|the fog was thick|"
            "the road was wet|the air was still").split("|")


def _compose_one(r: random.Random) -> str:
    c = r.choice
    thing, things = c(_THINGS)
    past, base = c(_VERBS)
    templates = (
        lambda: f"The {c(_PEOPLE)} {past} the {c(_ADJS)} {thing} to the {c(_PLACES)}.",
        lambda: f"{c(_NAMES)} {past} a {c(_ADJS)} {thing} {c(_PREPS)} the {c(_PLACES)} {c(_TIMES)}.",
        lambda: f"Please {base} the {thing} before the {c(_PEOPLE)} comes home.",
        lambda: f"Did the {c(_PEOPLE)} {base} the {c(_ADJS)} {thing} {c(_TIMES)}?",
        lambda: f"There were {c(_NUMBERS)} {c(_ADJS)} {things} {c(_PREPS)} the {c(_PLACES)}.",
        lambda: f"When {c(_WEATHER)}, the {c(_ANIMALS)} {c(_INTRANS)} {c(_PREPS)} the {c(_PLACES)}.",
        lambda: f"{c(_NAMES)} and {c(_NAMES)} {c(_INTRANS)} {c(_ADVS)} {c(_PREPS)} the {c(_ADJS)} {c(_PLACES)}.",
        lambda: f"We asked the {c(_PEOPLE)} to {base} {c(_NUMBERS)} {things} {c(_TIMES)}.",
        lambda: f"The {c(_ANIMALS)} {c(_INTRANS)} {c(_ADVS)} while the {c(_PEOPLE)} {past} the {thing}.",
        lambda: f"Nobody knew why the {c(_ADJS)} {thing} was left {c(_PREPS)} the {c(_PLACES)}.",
        lambda: f"{c(_TIMES).capitalize()}, {c(_NAMES)} will {base} the {thing} {c(_ADVS)}.",
        lambda: f"Is the {c(_ADJS)} {thing} still {c(_PREPS)} the {c(_PLACES)}, or did {c(_NAMES)} {base} it?",
    )
    return c(templates)()


def compose(n: int = N_COMPOSED, seed: int = GRAMMAR_SEED, avoid: set[str] | frozenset = frozenset()) -> list[str]:
    """`n` distinct grammar sentences of 5-15 words, the same for the same seed on every machine."""
    r = random.Random(seed)
    out: list[str] = []
    seen = set(avoid)
    while len(out) < n:
        s = _compose_one(r)
        if s not in seen and 5 <= len(s.split()) <= 15:
            seen.add(s)
            out.append(s)
    return out


def write_sentence_file(harvard: list[str], path: Path) -> int:
    """Write the sentence file: a header, the Harvard sentences, then the composed ones."""
    composed = compose(avoid=set(harvard))
    header = ["# tts-mini sentences: see SOURCE.md beside this file.",
              f"# lines 1-{len(harvard)} (after the header): Harvard sentences (IEEE 1969);",
              f"# then {len(composed)} composed by sure_bench/data/tts_corpus/sentences.py (seed {GRAMMAR_SEED})."]
    path.write_text("\n".join(header + harvard + composed) + "\n", encoding="utf-8")
    return len(harvard) + len(composed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sure_bench.data.tts_corpus.sentences",
                                 description="rewrite the committed tts-mini sentence list")
    ap.add_argument("harvard", type=Path, help="the Harvard sentences, one a line")
    ap.add_argument("--write", type=Path, default=SENTENCES_FILE)
    args = ap.parse_args(argv)
    harvard = [t.strip() for t in args.harvard.read_text(encoding="utf-8").splitlines() if t.strip()]
    n = write_sentence_file(harvard, args.write)
    counts = {s: 0 for s in SPLITS}
    for s in load_sentences(args.write):
        counts[s.split] += 1
    print(f"wrote {n} sentences to {args.write}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
