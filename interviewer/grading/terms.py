"""Key-term selection: rarity, idf, the terms a point's coverage needs."""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from interviewer.grading.language import word_ranks
from interviewer.text import EXAMPLE_ASIDE, text_terms

if TYPE_CHECKING:
    from collections.abc import Iterable


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
        for stem, word in terms.surface.items():
            if stem not in rare:
                rare[stem] = rarity(word)
    idf = {t: math.log((n + 1) / (c + 0.5)) + 0.5 for t, c in df.items()}
    table = {t: round(v * rare.get(t, 1.0), 4) for t, v in idf.items() if " " not in t}
    for t in idf:
        if " " in t:
            a, b = t.split(" ", 1)
            table[t] = round(1.1 * max(table.get(a, 1.0), table.get(b, 1.0)), 4)
    return table, round(math.log((n + 1) / 0.5) + 0.5, 4)


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
