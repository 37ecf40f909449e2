"""Rule family: a change denied. The claim says an act leaves something as it was ("X
does not change Y", "X has no effect on Y") where a note clause says the same act
changes something ("adding salt raises the boiling point"): what the act is (the
words before the verb) must be the note's, and what it is said not to change must be
something the note sentence or the question names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.cues import DIRECTION, cue_list, negated
from interviewer.text import stem, stem_set

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.claims.registry import NoteSentence

# Verbs of change: the listed ones and those of a direction ("raises", "reduces").
_CHANGE = frozenset(cue_list("change_verbs")) | frozenset(DIRECTION)
_NO_CHANGE = re.compile(
    rf"\b(?:(?:does|do|did|will|would|can)\s*(?:not|n['’]t)|never|cannot|can['’]t)\s+"
    rf"(?P<v>{'|'.join(cue_list('change_verbs'))})\b\s*(?P<o>[^,;:.!?]*)"
    rf"|\bhas\s+no\s+(?:effect|impact|influence)\s+on\b\s*(?P<o2>[^,;:.!?]*)"
    rf"|\bleaves?\s+(?P<o3>[^,;:.!?]{{1,40}}?)\s+(?:unchanged|untouched|intact|as\s+it\s+was)\b",
    re.I,
)
# A note's own "keeps X" / "preserves X": X stays as it was (only read in the notes).
_KEEPS = re.compile(r"\b(?:keeps?|keeping|preserves?|retains?)\s+(?P<o>[^,;:.!?]*)", re.I)
# "does not change X, only Y" / "except Y": a change is granted after all.
_SAVE = re.compile(r"\b(?:only|except|apart\s+from|other\s+than|besides|but|just)\b", re.I)
# Where a note sentence's clauses meet.
_CLAUSE = re.compile(r"[;,:]|\b(?:and|while|whereas|but)\b", re.I)
# Words of a subject that say nothing of which act it is.
_MIN_SHARED = 2


def _kept(sent: str) -> set[str]:
    """The stems of what a note sentence says an act leaves as it was."""
    kept: set[str] = set()
    for m in (*_NO_CHANGE.finditer(sent), *_KEEPS.finditer(sent)):
        kept |= stem_set(next((g for k, g in m.groupdict().items() if g and k != "v"), ""))
    return kept


def denied_change(
    claim: str, sentences: Sequence[NoteSentence], qterms: AbstractSet[str]
) -> Finding | None:
    """The note clause whose act the claim says changes nothing, while the note says it
    changes something, or None."""
    m = _NO_CHANGE.search(claim)
    if m is None or _SAVE.search(claim[m.start() :]):
        return None
    act = stem_set(claim[: m.start()]) - qterms
    if len(act) < _MIN_SHARED:
        return None
    obj = stem_set(m.group("o") or m.group("o2") or m.group("o3") or "")
    for kp, sent, _ in sentences:
        if obj and not obj <= stem_set(sent) | qterms:
            continue
        if obj & _kept(sent):
            # The note sentence itself says the act leaves it as it was ("raises A but
            # does not change B"): the claim restates the note, whatever else changes.
            continue
        for clause in _CLAUSE.split(sent):
            words_ = re.findall(r"[\w'’-]+", clause)
            at = next((i for i, w in enumerate(words_) if w.lower() in _CHANGE), None)
            if at is None or at == 0 or negated(clause):
                continue
            before = stem_set(" ".join(words_[:at]))
            shared = act & before
            # The same act: most of the note clause's subject words, two or more.
            if len(shared) >= _MIN_SHARED and len(shared) >= 0.7 * len(before - qterms):
                if stem(words_[at].lower()) in stem_set(claim[: m.start()]):
                    continue  # the claim names that change itself ("raises X but ...")
                return quoting(kp, "Your notes say it does change", sent, "denied-change", 220)
    return None
