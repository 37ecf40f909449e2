"""Checks of what the model layer says against what the grounded core found in the
notes. The notes are the reference: where the model and the notes disagree, the
model's word does not change the score on its own.

- A claim the model calls wrong that the notes state in the same words (a run of whole
  words of a note statement the model was shown), that the grounded core credited as
  a covered point and found no inversion in, is a disagreement: shown to check, with
  no effect on the score. Anything less (a paraphrase, a claim the core only matched
  to a point, perhaps one it reverses) stays the model's to flag.
- A follow-up the model words must be about the notes (share a content word with
  the question, its points or the sections the model was shown), or the grounded
  one stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from interviewer.feedback import Feedback
from interviewer.text import stem_set

# Fewer words than this quote too little of a note statement to tell what it says
# ("is connectionless" lies in "UDP is connectionless" whatever the answer's subject).
MIN_BACKED_WORDS = 3


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _inside(short: list[str], long_: list[str]) -> bool:
    """Whether ``short`` is a run of whole words of ``long_``."""
    n = len(short)
    return n > 0 and any(long_[i : i + n] == short for i in range(len(long_) - n + 1))


def same_statement(a: str, b: str) -> bool:
    """Whether two quotes of the answer are the same statement: the words of one are
    a run of whole words of the other."""
    x, y = _words(a), _words(b)
    short, long_ = sorted((x, y), key=len)
    return _inside(short, long_)


def backed_by_notes(claim: str, grounded: Feedback, notes: Iterable[str]) -> bool:
    """The model calls ``claim`` wrong, yet the notes say it in the same words: the
    claim is a run of whole words of one of ``notes`` (the covered points' and the
    shown sections' text), the grounded core credited it (it is the evidence of a
    covered point), and no grounded rule found an inversion in it."""
    words = _words(claim)
    if len(words) < MIN_BACKED_WORDS:
        return False
    if not any(p.evidence and same_statement(claim, p.evidence) for p in grounded.covered):
        return False
    flagged = grounded.incorrect + grounded.to_check
    if any(same_statement(claim, c.text) for c in flagged):
        return False  # the core's own rules read it against the notes
    texts = [p.text for p in grounded.covered] + list(notes)
    return any(_inside(words, _words(text)) for text in texts)


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
