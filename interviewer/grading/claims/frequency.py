"""Rule family: the opposite frequency. The claim says "never" of exactly what a note
clause says happens "usually" or "sometimes" ("the TLB is never flushed" / "usually
flushing the TLB"), or the other way round. Only that pair: "always" against "never" is
often the same statement in other words ("always in order" / "never out of order"), and
"each" against "either" or "every" against "any one" depend on the rest of the
sentence. The two clauses must say the same thing word for word but for the
frequency: no other negation, no comparison, no condition on either side."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.cues import cue_list, lower_words
from interviewer.text import NEGATIONS, stem_set, words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.grading.claims.registry import NoteSentence

_NEVER = frozenset({"never"})
_SOMETIMES = frozenset(cue_list("hedged_frequency")) - {"rarely", "seldom"}
_FREQUENCY_STEMS = stem_set(" ".join(_NEVER | _SOMETIMES))
_CLAUSE = re.compile(r"[,;:()]|\b(?:and|but|while|whereas|so|which|because)\b", re.I)
# A condition or a scope anywhere in either sentence ("If every thread ...", "With
# tagged entries, ...") limits what the frequency is about.
_CONDITIONS = (
    frozenset(cue_list("subordinate_openers"))
    | frozenset(cue_list("attached_openers"))
    | frozenset(cue_list("framing"))
    | {"between", "within", "across", "among", "except", "inside", "outside"}
)
_COMPARISON = frozenset({"than", "versus", "vs"})
# Content words both clauses must share (the frequency aside).
MIN_SHARED = 2


def _kind(clause_words: frozenset[str]) -> str | None:
    never = bool(clause_words & _NEVER)
    some = bool(clause_words & _SOMETIMES)
    if never == some or clause_words & (NEGATIONS - _NEVER):
        return None  # both, neither, or another negation besides
    return "never" if never else "some"


def _scoped(sentence: str, clause: str) -> bool:
    """Whether a clause of the sentence other than ``clause`` opens with a condition or
    a preposition, or the sentence compares."""
    low = lower_words(sentence)
    if low & _COMPARISON or low & {"if", "when", "whenever", "unless", "once"}:
        return True
    for part in _CLAUSE.split(sentence):
        first = next(iter(words(part)), "").lower()
        if part.strip() and part.strip() != clause.strip() and first in _CONDITIONS:
            return True
    return False


def opposite_frequency(
    claim: str, sentences: Sequence[NoteSentence], context: str | None = None
) -> Finding | None:
    """See the module docstring; ``context``: the sentence the claim is a clause of."""
    whole = context or claim
    for c_clause in _CLAUSE.split(claim):
        kind = _kind(lower_words(c_clause))
        if kind is None:
            continue
        content = stem_set(c_clause) - _FREQUENCY_STEMS
        if len(content) < MIN_SHARED or _scoped(whole, c_clause):
            continue
        for kp, sent, _ in sentences:
            for s_clause in _CLAUSE.split(sent):
                s_kind = _kind(lower_words(s_clause))
                if s_kind is None or s_kind == kind:
                    continue
                if stem_set(s_clause) - _FREQUENCY_STEMS != content or _scoped(sent, s_clause):
                    continue
                return quoting(kp, "Your notes say otherwise", sent, "opposite-frequency")
    return None
