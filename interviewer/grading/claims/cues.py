"""Language cues shared by the wrong-claim rules (exclusivity, size, fixes)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.text import ANTONYMS, NEGATIONS, STOPWORDS, stem, text_terms, words

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet


# ---- contradiction rules ------------------------------------------------------------------------

_EXCLUSIVE = re.compile(
    r"\b(only|just|solely|simply|always|entirely|purely)\b|\b(is|means|happens|occurs)\s+when\b|"
    r"\b(is|are)\s+(caused|due)\b|\bthe (only )?(cause|reason|problem) is\b",
    re.I,
)
_NOT_ONLY = re.compile(
    r"\bnot\s+(?:only|just|strictly|necessarily|solely|always|simply)\b"
    r"(?:\s+or\s+\w+)?(?:\s+(?:related|limited|due|talking|about|caused)\b)?"
    r"(?:\s+(?:to|about|by))?\s+(?:the\s+|a\s+)?(?P<x>[^,.;:!?()]{3,40})",
    re.I,
)
_SIZE_WORDS = {
    "big", "bigger", "biggest", "large", "larger", "huge", "size", "sized", "capacity",
    "capable", "small", "smaller", "deep", "deeper", "wide", "wider",
}  # fmt: skip
_FIX_CUE = re.compile(
    r"\b(fix|fixes|solve|solves|solution|remedy|cure|avoid|prevent|reduce|deal with|"
    r"to combat|address|mitigate|help|helps)\b",
    re.I,
)
_MORE_CUE = re.compile(
    r"\b(more|longer|increase|increasing|add|adding|extra|bigger|larger)\b", re.I
)
_EXCESS = re.compile(
    r"\b(?:too\s+(?:many|much|long|big|large|complex)|excessive(?:ly)?|overly)\s+"
    r"(?P<x>[A-Za-z-]+(?:\s+[A-Za-z-]+)?)",
    re.I,
)
_INSTEAD = re.compile(
    r"\b(?:instead\s+of|rather\s+than)\s+(?:for\s+)?(?P<y>[^,.;:!?()]{3,50})|"
    r"\breplac(?:e|es|ed|ing)\s+(?P<y2>.{3,80}?)\s+(?:by|with)\s+(?P<x2>[^,.;:!?]{3,80})",
    re.I,
)


_DATA_WORDS = {"data", "dataset", "datasets", "sample", "samples", "examples", "set", "sets"}


def _data_sized(claim: str) -> bool:
    """Every size word of the claim qualifies the data, not the model ('the dataset is
    too small', 'not enough samples')."""
    toks = [w.lower() for w in words(claim)]
    at = [i for i, w in enumerate(toks) if w in _SIZE_WORDS]
    return bool(at) and all(any(t in _DATA_WORDS for t in toks[max(0, i - 3) : i + 4]) for i in at)


def _norm_size(stems: AbstractSet[str]) -> set[str]:
    out = set(stems)
    for w in list(stems):
        if w in {stem(s) for s in _SIZE_WORDS}:
            out.add("size")
    return out


# Note sentences recur in every grade: the text analysis of a sentence is cached.
@lru_cache(maxsize=50_000)
def _stems(text: str) -> frozenset[str]:
    return frozenset(text_terms(text).unigrams)


@lru_cache(maxsize=50_000)
def _all_stems(text: str) -> frozenset[str]:
    """Stems of every word but stop words (generic words such as 'big' included)."""
    return frozenset(stem(w.lower()) for w in words(text) if w.lower() not in STOPWORDS)


@lru_cache(maxsize=50_000)
def _lower_words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in words(text))


def _negated_near(text: str, word: str) -> bool:
    """A negation among the three words before ``word`` ("does not speed up")."""
    toks = [w.lower() for w in words(text)]
    return any(
        t in NEGATIONS for i, w in enumerate(toks) if w == word for t in toks[max(0, i - 3) : i]
    )


@lru_cache(maxsize=50_000)
def _negated(text: str) -> bool:
    return any(w.lower() in NEGATIONS for w in words(text))


@lru_cache(maxsize=50_000)
def _adj_pairs(text: str) -> frozenset[tuple[str, str]]:
    """(antonym-bearing modifier, stemmed noun) pairs: 'high variance' -> (high, varianc)."""
    toks = words(text)
    out = set()
    for i, w in enumerate(toks[:-1]):
        low = w.lower()
        if low in ANTONYMS:
            nxt = toks[i + 1].lower()
            if nxt not in NEGATIONS and nxt.isalpha():
                out.add((low, stem(nxt)))
    return frozenset(out)
