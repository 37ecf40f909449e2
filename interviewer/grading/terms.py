"""Words: the tokenizer's English vocabulary (known words, rarity), term weights and
the key terms a point's coverage needs, and junk (gibberish, text addressed to the
grader)."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer import lexicon
from interviewer.errors import ConfigError
from interviewer.lexicon import WORDS_FILE
from interviewer.text import EXAMPLE_ASIDE, stem, text_terms, words

if TYPE_CHECKING:
    from collections.abc import Iterable


@lru_cache(maxsize=1)
def word_ranks() -> dict[str, int]:
    """The whole English words of the MiniLM tokenizer vocabulary (shipped with the
    embedder package) with their ids, which run roughly by frequency; empty when the
    vocabulary cannot be read."""
    try:
        from interviewer.embeddings import minilm_paths

        _, tok = minilm_paths()
        vocab = json.loads(tok.read_text(encoding="utf-8"))["model"]["vocab"]
        return {w: int(i) for w, i in vocab.items() if w.isalpha()}
    except (ConfigError, OSError, KeyError, ValueError):
        return {}


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """English word list, used to tell words from gibberish."""
    return frozenset(word_ranks())


def is_gibberish(text: str, extra_known: Iterable[str] = ()) -> bool:
    """True when most tokens are not words (keyboard mashing, random strings).
    ``extra_known``: more words (lower case) or stems that count as words, e.g. the
    notes' own vocabulary, so a terse answer of real terms from the notes is no junk."""
    toks = [w.lower() for w in words(text) if not w.isdigit()]
    if not toks:
        return not re.search(r"[A-Za-zÀ-ÿ]", text)
    from interviewer.language import ENGLISH, UNKNOWN, detect_language

    if detect_language(text) not in (ENGLISH, UNKNOWN):
        return False  # prose in another language (its stop words), not mashing
    vocab = known_words()
    extra = set(extra_known)
    if not vocab:  # no word list: fall back to a vowel heuristic
        vowelless = sum(1 for w in toks if len(w) > 3 and not re.search(r"[aeiouyáéíóú]", w))
        return vowelless / len(toks) > 0.5
    known = 0
    for w in toks:
        base = w.strip("'")
        if (
            base in vocab
            or base in extra
            or (extra and stem(base) in extra)
            or strip_accents(base) in vocab
            or (len(base) <= 2)
            or any(base.endswith(s) and base[: -len(s)] in vocab for s in ("s", "es", "ed", "ing"))
            or all(p in vocab for p in base.split("-") if p)
        ):
            known += 1
    return known / len(toks) < 0.5


# Text addressed to the grader: patterns in interviewer/words.txt.
INSTRUCTION = lexicon.regex("instructions", path=WORDS_FILE)


def is_instruction(text: str) -> bool:
    """Text addressed to the grader rather than an answer to the question."""
    return bool(INSTRUCTION.search(text))


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# The MiniLM WordPiece vocabulary lists whole English words roughly by frequency
# (id ~2000 = "the", ~30000 = rare; words it splits into pieces are rarer still).
# A small corpus cannot tell "fine" or "found" from "epoch" by IDF alone, so a word's
# weight is its IDF times this general-English rarity (0.5 for the commonest words).
FIRST_WORD_ID = 1996


def rarity(word: str) -> float:
    rank = word_ranks().get(word.lower())
    if rank is None:
        return 1.0
    span = math.log(30522 / FIRST_WORD_ID)
    return 0.5 + 0.5 * min(1.0, max(0.0, math.log(max(rank, FIRST_WORD_ID) / FIRST_WORD_ID) / span))


def idf_table(texts: Iterable[str]) -> tuple[dict[str, float], float]:
    """Weight of every term over the given texts (one text = one document): smoothed
    IDF times general-English rarity; a two-word term weighs a little more than its
    heavier word."""
    df: Counter[str] = Counter()
    rare: dict[str, float] = {}
    n = 0
    for text in texts:
        n += 1
        terms = text_terms(text)
        df.update(set(terms.unigrams) | set(terms.bigrams))
        for st, word in terms.surface.items():
            if st not in rare:
                rare[st] = rarity(word)
    idf = {t: math.log((n + 1) / (c + 0.5)) + 0.5 for t, c in df.items()}
    table = {t: round(v * rare.get(t, 1.0), 4) for t, v in idf.items() if " " not in t}
    for t in idf:
        if " " in t:
            a, b = t.split(" ", 1)
            table[t] = round(1.1 * max(table.get(a, 1.0), table.get(b, 1.0)), 4)
    # Sorted: the terms come out of sets, so without it a saved bank's bytes would
    # change with Python's hash seed from one run to the next.
    return dict(sorted(table.items())), round(math.log((n + 1) / 0.5) + 0.5, 4)


def key_terms(
    text: str,
    label: str | None,
    idf: dict[str, float],
    default_idf: float,
    question_terms: set[str],
    limit: int = 8,
) -> list[str]:
    """The terms that name this point: the label's terms first, then the rarest
    content words and two-word terms, leaving out the question's own words (every
    point of an overfitting question mentions overfitting) and the words of an
    illustration ("(e.g. whether a coin flip comes up heads or tails)")."""
    terms = text_terms(EXAMPLE_ASIDE.sub(" ", text) or text)
    chosen: list[str] = []
    if label:
        lab = text_terms(label)
        chosen.extend(dict.fromkeys(lab.bigrams + lab.unigrams))
    weights = {t: idf.get(t, default_idf) for t in terms.unigrams if t not in question_terms}
    if not weights:
        return chosen
    unigrams = [
        t for t, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])) if t not in chosen
    ][: max(3, limit - 2 - len(chosen))]
    picked = set(unigrams) | {t for t in chosen if " " not in t}
    bigrams = sorted(
        (
            bg
            for bg in dict.fromkeys(terms.bigrams)
            if bg not in chosen
            and any(p in picked for p in bg.split(" ", 1))
            and not any(p in question_terms for p in bg.split(" ", 1))
        ),
        key=lambda bg: -sum(weights.get(p, 0.0) for p in bg.split(" ", 1)),
    )[:3]
    return chosen + bigrams + unigrams
