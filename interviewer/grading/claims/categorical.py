"""Rule family: categorical and directional opposites."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.cues import lower_tokens, lower_words
from interviewer.text import stem, stem_set

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet


_FORMULA_DEF = re.compile(
    r"(?:^|\b(?:compute|computes|calculate|is|gives|get)\s+)(?P<s>[A-Z][\w-]{1,30})\s*=\s*"
    r"(?P<f>[^=]{3,200}?)(?=\s+and\s+[A-Z][\w-]*\s*=|$)"
)

# Opposites that describe the subject as a whole (how it trains, which way it goes),
# so that they contradict wherever they sit in the sentence, unlike quantities
# ('reduces variance' / 'increase in the bias' differ in what they qualify).
_CATEGORICAL = {
    frozenset(p)
    for p in (
        ("sequenti", "parallel"), ("forward", "backward"),
        ("input", "output"),
    )
}  # fmt: skip
_DIRECTION = {"forward", "backward", "input", "output"}
_CLAUSE_BREAK = re.compile(r"[,;:()]|\b(?:unlike|whereas|while|but|and then)\b", re.I)


def _categorical(a: str, b: str, claim: str, sent: str, subject: AbstractSet[str]) -> bool:
    """The flipped pair is categorical, and the claim says it of the subject itself:
    the subject and the word in one clause ("Boosting trains many models
    independently and in parallel" against "Boosting: Build a sequential set of
    classifiers"); a direction word as a direction ("moving forward to the output"),
    not a name ("the forward pass")."""
    sa, sb = stem(a.lower()), stem(b.lower())
    if frozenset((sa, sb)) not in _CATEGORICAL:
        return False
    clause = next(
        (
            c for c in _CLAUSE_BREAK.split(claim)
            if c and a.lower() in lower_words(c) and subject & stem_set(c)
        ),
        None,
    )  # fmt: skip
    if clause is None:
        return False
    if sa in _DIRECTION or sb in _DIRECTION:
        return _directional(claim, a) and _directional(sent, b)
    return True


# Words before a direction word that make it say which way something goes.
_LEADS_TO = frozenset(
    "from at to toward towards moving going iterating propagating propagates runs run goes "
    "go starting".split()
)


def _directional(text: str, word: str) -> bool:
    """'moving forward to the output', 'iterating backward from the last layer',
    'from the input layer': the word says which way something goes."""
    toks = lower_tokens(text)
    for i, t in enumerate(toks):
        if t != word.lower():
            continue
        before = toks[i - 1] if i else ""
        after = toks[i + 1] if i + 1 < len(toks) else ""
        if before in _LEADS_TO:
            return True
        if after in ("to", "from", "through", "toward", "towards", ""):
            return True
        if after == "layer" and before in ("the", "from", "at", "to"):
            return toks[i - 2] in ("from", "at", "to") if i >= 2 else False
    return False
