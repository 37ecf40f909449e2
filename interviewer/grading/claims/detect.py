"""Finding a wrong claim: tries each rule family in turn."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.crossed import crossed_pairs
from interviewer.grading.claims.inversion import (
    _adj_supported,
    _neg_supported,
    _sentence_contradiction,
)
from interviewer.grading.claims.registry import Finding
from interviewer.grading.claims.subject import _subject
from interviewer.grading.claims.swap import subject_conflicts
from interviewer.grading.cues import all_stems, negated
from interviewer.grading.models import KeyPoint
from interviewer.text import stem_set, words

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.claims.registry import NoteSentence


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def said_in_notes(claim: str, points: Sequence[KeyPoint]) -> bool:
    """The claim is a passage of a note point, word for word: what the notes say is
    never contradicted by what else they say (two sentences of notes on different
    things may look like opposites)."""
    plain = _plain(claim)
    return len(plain) >= 20 and any(plain in _plain(kp.text) for kp in points)


def _other_item(kp_id: str, labels: dict[str, frozenset[str]], about: AbstractSet[str]) -> bool:
    """The note sentence belongs to a labelled item of a list ("Repeatable read: rows
    already read do not change") and the claim names another item of it, not this
    one ("Read committed forbids dirty reads but a row read twice can change")."""
    own = labels.get(kp_id)
    if not own or own <= about:
        return False
    return any(lab and lab != own and lab <= about for lab in labels.values())


def find_contradiction(
    claim: str,
    points: Sequence[KeyPoint],
    qterms: AbstractSet[str],
    sentences: list[NoteSentence],
    skip: AbstractSet[str],
    context: str | None,
) -> Finding | None:
    """The note point that a claim contradicts, with a correction, or None: the
    sentence-level rules of ``inversion`` (negation, not-only, opposite-words,
    cause-as-fix, instead-of, swapped-operation), then crossed pairs, then a swapped
    subject or a conflicting definition (``swap``); each needs explicit evidence in one
    note sentence (``registry.RULES`` says what each finds). ``skip``: rules not to
    apply; ``context``: the sentence a clause is part of (it may name what the clause
    is about). A claim that a note sentence supports outright is not contradicted by
    another one about something else, and a pair of opposites that the question itself
    contrasts ("supervised vs unsupervised") is not evidence."""
    c_stems = stem_set(claim)
    if len(c_stems) < 2 or said_in_notes(claim, points):
        return None
    c_neg = negated(claim)
    c_words = {w.lower() for w in words(claim)}
    c_all = all_stems(claim)
    found: list[tuple[int, int, KeyPoint, str, str]] = []
    about = stem_set(f"{context} {claim}" if context else claim)
    labels = {kp.id: stem_set(kp.label) for kp, _, _ in sentences if kp.label}
    for n, (kp, sent, parsed) in enumerate(sentences):
        if _other_item(kp.id, labels, about):
            continue
        got = _sentence_contradiction(
            claim, sent, parsed, qterms, c_stems, c_neg, c_words, c_all, kp.label
        )
        if got is not None and got[0] not in skip:
            found.append((len(c_stems & stem_set(sent)), -n, kp, got[1], got[0]))
    # Another note sentence says just what the claim says ("a model with many parameters
    # has high variance and low bias"; "The categorical feature is not ordinal" under
    # another heading): the opposite one was about something else.
    for rule, supported in (("opposite-words", _adj_supported), ("negation", _neg_supported)):
        if any(f[4] == rule for f in found) and supported(claim, sentences):
            found = [f for f in found if f[4] != rule]
    if found:
        # The note sentence closest to the claim is the best evidence.
        _, _, kp, correction, rule = max(found, key=lambda f: (f[0], f[1]))
        return Finding(kp, correction, rule)
    if "crossed-pairs" not in skip:
        crossed = crossed_pairs(claim, sentences)
        if crossed is not None:
            return crossed
    c_parsed = _subject(claim)
    if c_parsed is not None and not c_neg:
        hit = subject_conflicts(claim, c_parsed, sentences)
        if hit is not None and hit.rule not in skip:
            return hit
    return None
