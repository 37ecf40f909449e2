"""Checks of what the model layer says against what the grounded core found in the
notes. The notes are the reference: where the model and the notes disagree, the
model's word does not change the score on its own.

- A claim the model calls wrong, that the grounded core matched to a point of the
  notes it covers, is a disagreement: shown to check, with no effect on the score.
- A follow-up the model words must be about the notes (share a content word with
  the question, its points or the sections the model was shown), or the grounded
  one stands.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from interviewer.feedback import Feedback
from interviewer.text import stem_set

# Share of the shorter text that must lie in one block of the longer one for a claim
# and a piece of evidence to be the same statement.
SAME_STATEMENT = 0.8


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def same_statement(a: str, b: str) -> bool:
    """Whether two quotes of the answer are (nearly) the same words: one inside the
    other, or sharing a block of most of the shorter one."""
    x, y = _norm(a), _norm(b)
    if not x or not y:
        return False
    short, long_ = sorted((x, y), key=len)
    if short in long_:
        return True
    block = difflib.SequenceMatcher(None, short, long_, autojunk=False).find_longest_match(
        0, len(short), 0, len(long_)
    )
    return block.size >= SAME_STATEMENT * len(short)


def backed_by_notes(claim: str, grounded: Feedback) -> bool:
    """The model calls ``claim`` wrong, yet the grounded core found it making a point
    of the notes (it is the evidence of a covered point)."""
    return any(p.evidence and same_statement(claim, p.evidence) for p in grounded.covered)


def follow_up_on_notes(follow_up: str, grounded: Feedback, sections: Iterable[str]) -> bool:
    """Whether a model's follow-up shares a content word with the question, the
    points of the notes it was graded on, or the sections the model was shown."""
    asked = stem_set(follow_up)
    if not asked:
        return False
    known = set(stem_set(grounded.question))
    for p in grounded.covered + grounded.partial + grounded.missed:
        known |= stem_set(p.text)
    for text in sections:
        known |= stem_set(text)
    return bool(asked & known)
