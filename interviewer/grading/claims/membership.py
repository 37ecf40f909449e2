"""Rule family: a thing filed under the wrong group."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.inversion import _within
from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.cues import ANTONYMS, affix_opposites
from interviewer.grading.models import KeyPoint
from interviewer.text import stem_set

if TYPE_CHECKING:

    from interviewer.grading.claims.registry import NoteSentence


_MEMBERSHIP = re.compile(
    r"^(?P<x>[A-Za-z][\w\s-]{1,40}?)\s+(?:is|are)\s+(?:one|an|a|just|another)?\s*"
    r"(?:example|examples|type|types|kind|kinds|form|forms|case|variant|instance)s?\s+of\s+"
    r"(?P<y>[A-Za-z][\w\s-]{1,40}?)\s*[.;,]?$",
    re.I,
)


# "Bagging (Random forests)", "Boosting (e.g. AdaBoost)": a family and its member.
_FILED_UNDER = re.compile(r"([A-Z][\w-]*(?:\s+[\w-]+)?)\s*\((?:e\.\s?g\.,?\s*)?([^()]{2,40})\)")


_MEMBERS = re.compile(
    r"\((?:e\.\s?g\.|for example|such as|like|example is)[^()]*\)|\bsuch as [^.;:()]{2,60}", re.I
)


def wrong_membership(claim: str, sentences: list[NoteSentence]) -> Finding | None:
    """The claim says X is a kind of Y, the notes file X under a
    sibling Z of Y ("Bagging (Random forests), Boosting, ...") and never under Y."""
    m = _MEMBERSHIP.match(claim.strip())
    if not m:
        return None
    x, y = stem_set(m.group("x")), stem_set(m.group("y"))
    if not x or not y:
        return None
    under_y = False
    found: tuple[KeyPoint, str, str] | None = None
    labels = {kp.label for kp, _, _ in sentences if kp.label}
    for kp, sent, _ in sentences:
        families: list[tuple[str, str]] = [
            (pm.group(1), pm.group(2)) for pm in _FILED_UNDER.finditer(sent)
        ]
        if kp.label:
            # "Bagging: ... (e.g. random forests)": the label's examples are its members.
            families += [(kp.label, m.group(0)) for m in _MEMBERS.finditer(sent)]
        for z_name, members in families:
            z = stem_set(z_name)
            if not z or not _within(x, stem_set(members)):
                continue
            if _within(y, z) or _within(z, y):
                under_y = True
            elif _within(y, stem_set(sent)) or any(_within(y, stem_set(lab)) for lab in labels):
                found = (kp, sent, z_name)
        if kp.label and _within(y, stem_set(kp.label)) and _within(x, stem_set(sent)):
            under_y = True
    if found is None or under_y:
        return None
    kp, sent, z_name = found
    return quoting(kp, f"Your notes file it under {z_name}", sent, "wrong-family")


# "Tuples and strings are mutable": names, then one predicate word.
_LABELLED = re.compile(
    r"^(?:(?:while|whereas|but|and|so)\s+)?(?P<x>[A-Za-z][\w\s,-]{0,60}?)\s+(?:is|are)\s+"
    r"(?P<l>[A-Za-z][\w-]*)\s*[.;,]?$",
    re.I,
)
_LIST_SEP = re.compile(r",|\band\b|\bor\b|/", re.I)


def _members(text: str) -> list[frozenset[str]]:
    """The stems of each item of a comma list ("int, float and str")."""
    return [s for s in (stem_set(p) for p in _LIST_SEP.split(text)) if s]


def _opposed(a: str, b: str) -> bool:
    return ANTONYMS.get(a) == b or affix_opposites(a, b)


def opposite_label(claim: str, sentences: list[NoteSentence]) -> Finding | None:
    """The claim says "X is L" where the notes list X under a label that is L's
    opposite ("Immutable: int, str, tuple" / "Mutable: list, dict") and never under L."""
    m = _LABELLED.match(claim.strip())
    if not m:
        return None
    said = m.group("l").lower()
    names = _members(m.group("x"))
    if not names:
        return None
    under: dict[str, list[frozenset[str]]] = {}
    where: dict[str, tuple[KeyPoint, str]] = {}
    for kp, sent, _ in sentences:
        label = (kp.label or "").strip().lower()
        if " " in label or not label:
            continue
        body = sent.split(":", 1)[1] if ":" in sent else sent
        under.setdefault(label, []).extend(_members(body))
        where.setdefault(label, (kp, sent))
    own = set().union(*under.get(said, []))
    for label, members in under.items():
        if not _opposed(said, label):
            continue
        if any(n in members for n in names) and not any(n <= own for n in names):
            kp, sent = where[label]
            return quoting(kp, f"Your notes list it under {kp.label}", sent, "opposite-label")
    return None
