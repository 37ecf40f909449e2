"""Rule family: the opposite quantifier. The claim restates a clause of a note sentence
with a quantifier of the contradicting kind: "never" where the note says "usually",
"any one" where it says "all four", "none" where it says "every" (general English
classes in ``cues.txt``). Both clauses must be about the same thing: most content words
of the claim's clause are in the note's clause."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.cues import _stems
from interviewer.grading.claims.registry import Finding
from interviewer.grading.coverage import _short
from interviewer.grading.cues import cue_list
from interviewer.text import words

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.models import KeyPoint

_CLASSES = dict(line.split() for line in cue_list("quantifier_classes"))
_OPPOSED = {frozenset(line.split()) for line in cue_list("quantifier_opposites")}
_QUANTIFIER_STEMS = _stems(" ".join(w for k in _CLASSES for w in k.split("-")))
_CLAUSE = re.compile(r"[,;:()]|\b(?:and|but|while|whereas|so|which|because)\b", re.I)
# Shared content words a clause needs to be the same statement as the other.
MIN_SHARED = 2
MIN_SHARE = 0.6


def quantifier_class(text: str) -> frozenset[str]:
    """The quantifier classes the text uses ("any one of them" -> {"one"})."""
    toks = [w.lower() for w in words(text)]
    out = set()
    skip = False
    for a, b in zip(toks, [*toks[1:], ""][: len(toks)], strict=True):
        if skip:
            skip = False
            continue
        two = _CLASSES.get(f"{a}-{b}")
        if two is not None:
            out.add(two)
            skip = True
        elif a in _CLASSES:
            out.add(_CLASSES[a])
    return frozenset(out)


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def _content(text: str, qterms: AbstractSet[str]) -> AbstractSet[str]:
    return _stems(text) - _QUANTIFIER_STEMS - qterms


def _opening(text: str) -> str | None:
    """The first content word's stem: the head of what the sentence is about."""
    return next((s for w in words(text) for s in _stems(w)), None)


def opposite_quantifier(
    claim: str,
    sentences: Sequence[tuple[KeyPoint, str, object]],
    qterms: AbstractSet[str],
    context: str | None = None,
) -> Finding | None:
    """See the module docstring. A claim clause with more than one class ("all or
    none") or none, and a note clause likewise, is no evidence; nor is a note sentence
    about another thing than the one the claim's sentence (``context``) opens with
    ("Ridge ... never exactly to zero" / "the lasso ... some exactly zero")."""
    head = _opening(context or claim)
    for c_clause in _clauses(claim):
        c_cls = quantifier_class(c_clause)
        if len(c_cls) != 1:
            continue
        # (The question's words are shared by every clause about it.)
        c_content = _content(c_clause, frozenset())
        c_own = c_content - qterms
        if len(c_content) < MIN_SHARED:
            continue
        for kp, sent, _ in sentences:
            if head is not None and head not in qterms and head not in _stems(sent):
                continue
            for s_clause in _clauses(sent):
                s_cls = quantifier_class(s_clause)
                if len(s_cls) != 1 or frozenset(c_cls | s_cls) not in _OPPOSED:
                    continue
                shared = c_content & _content(s_clause, frozenset())
                if (
                    len(shared) >= MIN_SHARED
                    and len(shared) >= MIN_SHARE * len(c_content)
                    and (shared & c_own or not c_own)
                ):
                    return Finding(
                        kp,
                        f"Your notes say otherwise: “{_short(sent, 200)}”",
                        "opposite-quantifier",
                    )
    return None
