"""Language cues shared by the wrong-claim rules (exclusivity, size, fixes)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.grading.cues import ANTONYMS, cue_list, cue_regex
from interviewer.text import NEGATIONS, STOPWORDS, stem, stem_set, words

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
_INSTEAD = cue_regex("instead")


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


# The claim rules' name for the shared, cached stem set of a text.
_stems = stem_set


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


# Where a statement turns to another one: each side has its own polarity.
_CONTRAST_PARTS = re.compile(r"\bbut\b|;|,\s*(?:while|whereas|although|though|yet)\b", re.I)


def aligned_part(claim: str, stems: AbstractSet[str]) -> str:
    """The part of the claim (split where it turns: "but", ";", "while") that shares
    the most words with ``stems``: in "shrinks them close to zero but not exactly to
    zero" a negation belongs to its own part only."""
    return max(_CONTRAST_PARTS.split(claim), key=lambda x: len(_stems(x) & stems))


# A leading condition ("If we don't do this, ...", "Without it, ...") is not what the
# sentence states.
_CONDITION = re.compile(
    r"^\s*(?:if|unless|without|when|whenever)\b[^,;]{0,80}?(?:,|\bthen\b)", re.I
)


def negation_over(text: str, shared: AbstractSet[str]) -> bool:
    """A negation of the stated part of ``text`` that bears on one of the ``shared``
    stems (within the four words after it): "uses no extra disk space" negates
    "extra disk space"; "no preemption ... and circular wait" does not negate
    "circular wait", nor "If we don't do this, features weigh more" its features."""
    body = _CONDITION.sub(" ", text)
    for segment in _SEGMENT.split(body):
        toks = [w.lower() for w in words(segment)]
        for i, t in enumerate(toks):
            if t not in NEGATIONS and t not in _NEGATIVE_VERBS:
                continue
            if t in _NEGATIVE_VERBS and stem(t) in shared:
                continue  # the verb both sides use ("prevents deadlock") is no negation
            scope = toks[i + 1 : i + 5]
            # "does not prevent X": two negations cancel (unless both sides use the
            # verb: "is not enough to prevent it" denies "prevents deadlock").
            flips = 1 + sum(
                u in NEGATIONS or (u in _NEGATIVE_VERBS and stem(u) not in shared) for u in scope
            )
            if flips % 2 and any(stem(u) in shared for u in scope):
                return True
            if any(stem(u) in shared for u in scope):
                return False
    return False


# A negation's scope ends at punctuation: "no preemption (resources ...)".
_SEGMENT = re.compile(r"[,;:()\[\]]")
_NEGATIVE_VERBS = frozenset(cue_list("negative_verbs"))


# How near a word and its negation stand to name both alternatives ("IS NULL / IS NOT
# NULL", "cached or not cached").
_BOTH_WAYS_SPAN = 6


@lru_cache(maxsize=50_000)
def both_ways(text: str) -> bool:
    """The text names a thing both plain and negated, close together ("test it with IS
    NULL / IS NOT NULL"), in one clause: it states neither polarity, so no negation
    contradicts it ("A is not B, but C is B" states both, of two things)."""
    return any(_both_in(part) for part in re.split(r"[,;]|\bbut\b", text))


def _both_in(text: str) -> bool:
    toks = [w.lower() for w in words(text)]
    for i, t in enumerate(toks):
        if t not in NEGATIONS:
            continue
        for j in range(i + 1, min(i + 4, len(toks))):
            w = toks[j]
            if w in STOPWORDS or w in NEGATIONS:
                continue
            lo, hi = max(0, i - _BOTH_WAYS_SPAN), min(len(toks), j + _BOTH_WAYS_SPAN)
            if any(
                k != j and toks[k] == w and not NEGATIONS & set(toks[max(0, k - 3) : k])
                for k in range(lo, hi)
            ):
                return True
            break
    return False
