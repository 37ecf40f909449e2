"""What a sentence is about: its subject and the note sentences to compare with."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from interviewer.grading.claims.categorical import _FORMULA_DEF
from interviewer.grading.contrast import statements
from interviewer.grading.cues import cue_list, lower_words
from interviewer.text import ANAPHORS, LABEL, stem_set

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.grading.claims.registry import NoteSentence, Parsed
    from interviewer.grading.models import KeyPoint


_PRONOUNS = ANAPHORS | {"which", "he", "she", "there"}
_SUBJECT = re.compile(
    r"^(?P<s>[A-Za-z][^,;:!?]{0,45}?)\s+(?P<v>is|are|measures?|computes?|means|represents?|"
    r"reduces?|increases?|trains?|uses?|combines?|averages?)\b(?P<p>.*)$",
    re.I,
)
_DEF_VERBS = {"is", "are", "means"}
_ADD_OPS = {"sum", "plus"}
_MUL_OPS = {"product", "times", "multiplied"}


def _subject(sentence: str, previous: AbstractSet[str] | None = None) -> Parsed | None:
    """(subject stems, verb, predicate) of a simple "S is P" / "S measures P"
    sentence; a pronoun subject resolves to the previous sentence's."""
    text = re.sub(
        r"^(?:so|also|thus|hence|then|therefore|however|generally speaking|in short|"
        r"in the case of [^,]{1,40}),?\s+",
        "",
        sentence.strip(),
        flags=re.I,
    )
    m = _SUBJECT.match(text)
    if not m:
        return None
    subj = m.group("s").strip()
    first = subj.split()[0].lower().strip("'’")
    if first in _PRONOUNS or first in ("it's", "it’s"):
        if previous:
            return previous, m.group("v").lower(), m.group("p")
        return None
    if len(subj.split()) > 6:
        return None
    stems: AbstractSet[str] = stem_set(subj)
    if len(stems) >= 2:
        # "the test set" / "the test dataset" / "the test data": one subject.
        stems = frozenset("set" if s in _DATA_SET_STEMS else s for s in stems)
    return (stems, m.group("v").lower(), m.group("p")) if stems else None


_DATA_SET_STEMS = frozenset({"dataset", "data"})
# A note sentence that reports a belief or a misreading ("X is often misread as Y") is
# no evidence for or against the plain statement it reports.
_REPORTED = frozenset(cue_list("reported_belief"))


def _note_sentences(points: Sequence[KeyPoint]) -> list[NoteSentence]:
    out = []
    for kp in points:
        prev: AbstractSet[str] | None = None
        for sent in statements(kp.text):
            if lower_words(sent) & _REPORTED:
                continue
            # "Label: explanation": the label is the subject of the explanation.
            m = LABEL.match(sent)
            parsed: Parsed | None = None
            f = _FORMULA_DEF.search(sent)
            if kp.label and m and sent.startswith(kp.label):
                parsed = (stem_set(kp.label), "is", m.group(2))
            elif f and stem_set(f.group("s")):
                # "... compute Precission = TP / (TP + FP)": a definition of precission.
                parsed = (stem_set(f.group("s")), "is", f.group("f"))
            else:
                parsed = _subject(sent, prev)
            if parsed is not None:
                prev = parsed[0]
            out.append((kp, sent, parsed))
    return out
