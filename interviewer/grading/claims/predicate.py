"""Rule family: a bare predication with the other polarity. A note sentence says "S is
P" or "S isn't P" of its own subject, in so many words ("Networks aren't reliable,
so ..."); the claim says the same of the same S with the other polarity ("... because
networks are reliable"). The phrase is too short for the phrase-level rule, but a
subject and a one-word predicate that both agree leave no room for another reading."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.cues import _stems
from interviewer.grading.claims.registry import Finding
from interviewer.grading.cues import cue_list
from interviewer.text import _content, stem
from interviewer.text import clip as _short

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.grading.models import KeyPoint

_COPULA = r"(?P<v>is not|are not|isn't|aren't|isn’t|aren’t|is|are)"
_PRED = r"(?:(?P<adv>[a-z]+ly)\s+)?(?P<p>[a-z][a-z-]+)"
# The note's own statement: the sentence opens with it and the predicate ends there.
_NOTE = re.compile(
    r"^(?:the\s+|a\s+|an\s+)?(?P<s>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+" + _COPULA
    + r"\s+" + _PRED + r"\s*(?:[,;.:]|$|\s+(?:so|because|but|and|since)\b)",
    re.I,
)
# The claim may say it inside a longer sentence ("..., because networks are reliable").
_CLAIM = re.compile(
    r"(?:^|\b)(?P<s>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+" + _COPULA + r"\s+" + _PRED
    + r"\b(?!\s+(?:than|as|to|for|of|in|on|at|by|with|from)\b)",
    re.I,
)
# Sentences of a note sentence the splitter left joined (markup after the stop), each
# without its leading markup.
_PARTS = re.compile(r"(?:^|(?<=[.!?]))\s*[*_\"“(•-]*\s*")
# A claim said inside a report, supposition or rejection is not the answer's own claim.
_FRAMING = frozenset(cue_list("framing"))
_NOT_PREDICATES = frozenset(
    "only always never also just still often usually generally mostly not no".split()
)


def _statements(text: str, pattern: re.Pattern[str]) -> list[tuple[frozenset[str], str, bool]]:
    """(subject stems, predicate stem, negated) of each bare predication."""
    out = []
    finder = pattern.finditer if pattern is _CLAIM else lambda t: filter(None, [pattern.match(t)])
    for m in finder(text):
        before = set(re.findall(r"[a-z]+", text[: m.start("s")].lower()))
        if pattern is _CLAIM and before & _FRAMING:
            continue
        p = m.group("p").lower()
        if p in _NOT_PREDICATES or not _content(p):
            continue
        subj = frozenset(_stems(m.group("s")))
        if not subj:
            continue
        v = m.group("v").lower()
        neg = "not" in v or "n't" in v or "n’t" in v
        out.append((subj, stem(p), neg))
    return out


def negated_predicate(
    claim: str, sentences: Sequence[tuple[KeyPoint, str, object]]
) -> Finding | None:
    """The claim says "S is P" where a note sentence says "S isn't P", or the other way
    round, and no note sentence says it the claim's way."""
    said = _statements(claim, _CLAIM)
    if not said:
        return None
    notes = [
        (kp, sent, [st for part in _PARTS.split(sent) for st in _statements(part, _NOTE)])
        for kp, sent, _ in sentences
    ]
    for subj, pred, neg in said:
        hits = [
            (kp, sent, n_neg)
            for kp, sent, stated in notes
            for n_subj, n_pred, n_neg in stated
            if n_subj == subj and n_pred == pred
        ]
        if hits and all(n_neg != neg for _, _, n_neg in hits):
            kp, sent, _ = hits[0]
            return Finding(kp, f"Your notes say: “{_short(sent, 220)}”", "negated-predicate")
    return None
