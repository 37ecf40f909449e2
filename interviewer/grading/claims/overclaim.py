"""Rule family: overclaims (an answer says always/only where the notes limit)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.cues import cue_regex, negated
from interviewer.grading.models import KeyPoint
from interviewer.text import ANAPHOR_START, stem_set

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

    from interviewer.grading.answer import Claim
    from interviewer.grading.claims.registry import NoteSentence


# An answer that claims something has no limits at all.
_OVERCLAIM = cue_regex("overclaim")
# A note sentence that names a limitation.
_LIMITATION = cue_regex("limitation")


def overclaim(
    claim: Claim, antecedent: str | None, sentences: list[NoteSentence], qterms: AbstractSet[str]
) -> Finding | None:
    """The claim says something has no downside / is all you need,
    while a note sentence about the same thing names its limitation ("Accuracy ...
    may have undesirable effects"). A leading pronoun ("It is all you need") refers to
    the previous sentence."""
    text = claim.text
    m = _OVERCLAIM.search(text)
    if m is None or negated(text[: m.start()]) or re.search(r"\bnot\b", text[: m.start()]):
        return None
    about = set(stem_set(text[: m.start()] + " " + text[m.end() :])) - set(qterms)
    if ANAPHOR_START.match(text) and antecedent:
        about |= set(stem_set(antecedent)) - set(qterms)
    about -= {"need", "problem", "downsid", "drawback"}
    if not about:
        return None
    best: tuple[int, KeyPoint, str] | None = None
    for kp, sent, _ in sentences:
        if not _LIMITATION.search(sent):
            continue
        shared = len(about & stem_set(sent))
        if shared and (best is None or shared > best[0]):
            best = (shared, kp, sent)
    if best is None:
        return None
    return quoting(best[1], "Your notes point out a limitation", best[2], "overclaim", 220)
