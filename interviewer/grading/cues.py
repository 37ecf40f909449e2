"""General language cues (hedging, discourse lead-ins, remarks about the writing,
limitation and replacement phrases, negation, opposites) read from ``cues.txt``: lists
of regular expression fragments, one per line, under ``[section]`` headers. They
describe how people write, never what any notes say. The second half reads texts with
them: what a negation bears on, which modifiers a text pairs with which nouns."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer import lexicon
from interviewer.text import NEGATIONS, STOPWORDS, lower_tokens, stem, stem_set, words

# Token sets of a text (``interviewer.text``'s), which the claim rules import from here.
from interviewer.text import all_stems as all_stems
from interviewer.text import lower_words as lower_words
from interviewer.text import negated as negated
from interviewer.text import negated_near as negated_near

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

CUES_FILE = Path(__file__).with_name("cues.txt")


def cue_list(name: str) -> tuple[str, ...]:
    return lexicon.lines(name, CUES_FILE)


def alternation(name: str) -> str:
    return lexicon.alternation(name, CUES_FILE)


def cue_regex(name: str) -> re.Pattern[str]:
    return lexicon.regex(name, path=CUES_FILE)


POINTER = cue_regex("pointer")
STRONG_DOUBT = cue_regex("strong_doubt")
MILD_DOUBT = cue_regex("mild_doubt")
DONT_KNOW = cue_regex("dont_know")


class _Antonyms(dict[str, str]):
    """Opposite words: the listed pairs, plus prefixed opposites a dictionary needs no
    entry for: over-/under- ("overestimate" / "underestimate") and un-...-ed
    ("labeled" / "unlabeled")."""

    def _derived(self, word: str) -> str | None:
        if over_under := opposite_stem(word):
            return over_under
        if word.startswith("un") and word.endswith("ed") and len(word) > 6:
            return word[2:]
        if word.endswith("ed") and len(word) > 4 and not word.startswith("un"):
            return "un" + word
        return None

    def __contains__(self, word: object) -> bool:
        return dict.__contains__(self, word) or (
            isinstance(word, str) and self._derived(word) is not None
        )

    def __missing__(self, word: str) -> str:
        got = self._derived(word)
        if got is None:
            raise KeyError(word)
        return got

    def get(self, word: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[word] if word in self else default  # noqa: SIM401 (recursion)


ANTONYMS = _Antonyms()
for _a, _b in (line.split() for line in cue_list("antonyms")):
    ANTONYMS.setdefault(_a, _b)
    ANTONYMS.setdefault(_b, _a)


def antonym_stems() -> dict[str, set[str]]:
    """The listed pairs as stems (the derived ones: see ``opposite_stem``)."""
    out: dict[str, set[str]] = {}
    # (From the lines, not the word map: a word may have several opposites, as
    # "maximise" has "minimise" and "minimize".)
    for a, b in (line.split() for line in cue_list("antonyms")):
        out.setdefault(stem(a), set()).add(stem(b))
        out.setdefault(stem(b), set()).add(stem(a))
    return out


def opposite_stem(st: str) -> str | None:
    """The prefixed opposite of a stem ("overfit" / "underfit"), or None."""
    for a, b in (("over", "under"), ("under", "over")):
        if st.startswith(a) and len(st) > len(a) + 2:
            return b + st[len(a) :]
    return None


def _affixes() -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]:
    pre, suf = [], []
    for line in cue_list("negative_affixes"):
        parts = line.split()
        if len(parts) == 2:
            pre.append((parts[0].rstrip("-"), int(parts[1])))
        else:
            suf.append((parts[0].lstrip("-"), parts[1].lstrip("-"), int(parts[2])))
    return pre, suf


_PREFIXES, _SUFFIXES = _affixes()


def affix_opposites(a: str, b: str) -> bool:
    """Two words that are opposites by a negative affix ("synchronously" /
    "asynchronously", "connectionless" / "connection-oriented"), lower case."""
    if a == b:
        return False
    for x, y in ((a, b), (b, a)):
        # (A hyphenated "non-X" is mostly a term of its own, "a non-repeatable
        # read", not a statement that X does not hold.)
        for p, n in _PREFIXES:
            if y.startswith(p) and y[len(p) :] == x and len(x) >= n:
                return True
        for s1, s2, n in _SUFFIXES:
            if x.endswith(s1) and y.endswith(s2):
                bx, by = x[: -len(s1)], y[: -len(s2)].rstrip("-")
                if bx == by and len(bx) >= n:
                    return True
    return False


# ---- reading a text with the cues ---------------------------------------------------

# Pronouns that stand for what a statement is about ("unlike X, it ...").
SUBJECT_PRONOUNS = frozenset({"it", "they", "this", "these"})
# Which way a word moves a quantity (up / down), and which size it gives one (high / low).
DIRECTION = dict(line.split() for line in cue_list("direction"))
MAGNITUDE = dict(line.split() for line in cue_list("magnitude"))


@lru_cache(maxsize=50_000)
def adj_pairs(text: str) -> frozenset[tuple[str, str]]:
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
    return max(_CONTRAST_PARTS.split(claim), key=lambda x: len(stem_set(x) & stems))


# A leading condition ("If we don't do this, ...", "Without it, ...") is not what the
# sentence states.
_CONDITION = re.compile(
    r"^\s*(?:if|unless|without|when|whenever)\b[^,;]{0,80}?(?:,|\bthen\b)", re.I
)
# A negation's scope ends at punctuation: "no preemption (resources ...)".
_SEGMENT = re.compile(r"[,;:()\[\]]")
NEGATIVE_VERBS = frozenset(cue_list("negative_verbs"))


def negation_over(text: str, shared: AbstractSet[str]) -> bool:
    """A negation of the stated part of ``text`` that bears on one of the ``shared``
    stems (within the four words after it): "uses no extra disk space" negates
    "extra disk space"; "no preemption ... and circular wait" does not negate
    "circular wait", nor "If we don't do this, features weigh more" its features."""
    body = _CONDITION.sub(" ", text)
    for segment in _SEGMENT.split(body):
        toks = lower_tokens(segment)
        for i, t in enumerate(toks):
            if t not in NEGATIONS and t not in NEGATIVE_VERBS:
                continue
            if t in NEGATIVE_VERBS and stem(t) in shared:
                continue  # the verb both sides use ("prevents deadlock") is no negation
            scope = toks[i + 1 : i + 5]
            # "does not prevent X": two negations cancel (unless both sides use the
            # verb: "is not enough to prevent it" denies "prevents deadlock").
            flips = 1 + sum(
                u in NEGATIONS or (u in NEGATIVE_VERBS and stem(u) not in shared) for u in scope
            )
            if flips % 2 and any(stem(u) in shared for u in scope):
                return True
            if any(stem(u) in shared for u in scope):
                return False
    return False


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
    toks = lower_tokens(text)
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
