"""Rule family: a correlation reversed. The claim says "the smaller the X, the less Y"
where a note sentence ties a small X to more Y ("a very small X wastes Y"), or the
other way round: the product of the two directions differs. Directions come from the
general [magnitude] and [direction] cues; a note outcome with no such word is taken
as stated (up), or denied (down) when negated. The note must say the claim's whole
outcome right after the sized X, with nothing between but stop words and direction
words: a verb between ("prevents", "avoids", "makes ... stable") may turn it round,
and an outcome worded otherwise ("less noise" / "more stable") is not compared."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.cues import (
    DIRECTION,
    MAGNITUDE,
    all_stems,
    lower_tokens,
    negated_near,
)
from interviewer.text import STOPWORDS, stem, words

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.claims.registry import NoteSentence

_SIGN = {w: 1 if d == "high" else -1 for w, d in MAGNITUDE.items()}
for _w, _d in DIRECTION.items():
    _SIGN.setdefault(_w, 1 if _d == "up" else -1)

# "the smaller the quantum, the less time is wasted"
CORRELATIVE = re.compile(
    r"\bthe\s+(?P<a>[a-z]+)\s+(?P<x>[^,;]{1,60}?)\s*,\s*the\s+(?P<b>[a-z]+)\s+(?P<y>[^,.;]+)",
    re.I,
)
# How far before a word its size or direction word may stand ("a very small quantum").
_REACH = 3
# How many words the claim's outcome may span in the note sentence.
_OUTCOME_SPAN = 8


def _first_content(text: str) -> str | None:
    for w in words(text):
        low = w.lower()
        if low not in STOPWORDS and low.isalpha():
            return stem(low)
    return None


def _sign_before(toks: Sequence[str], at: int, start: int = 0) -> int | None:
    for t in reversed(toks[max(start, at - _REACH) : at]):
        if t in _SIGN:
            return _SIGN[t]
    return None


def reversed_correlation(
    claim: str, sentences: Sequence[NoteSentence], qterms: AbstractSet[str]
) -> Finding | None:
    """See the module docstring."""
    m = CORRELATIVE.search(claim)
    if m is None:
        return None
    a, b = m.group("a").lower(), m.group("b").lower()
    x = _first_content(m.group("x"))
    if a not in _SIGN or b not in _SIGN or x is None:
        return None
    claimed = _SIGN[a] * _SIGN[b]
    y = all_stems(m.group("y")) - {x} - qterms
    if not y:
        return None
    for kp, sent, _ in sentences:
        toks = lower_tokens(sent)
        stems_ = [stem(t) for t in toks]
        for j in (j for j, s in enumerate(stems_) if s == x):
            size = _sign_before(toks, j)
            # the outcome: the claim's outcome words, every one, right after the sized thing
            i = next((i for i in range(j + 1, len(stems_)) if stems_[i] in y), None)
            if size is None or i is None or not y <= set(stems_[i : i + _OUTCOME_SPAN]):
                continue
            if any(t not in STOPWORDS and t not in _SIGN for t in toks[j + 1 : i]):
                continue
            said = _sign_before(toks, i, j + 1)
            if said is None:
                said = -1 if negated_near(sent, toks[i]) else 1
            if size * said != claimed:
                return quoting(kp, "Your notes say the opposite", sent, "reversed-correlation")
            break
    return None
