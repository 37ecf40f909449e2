"""Rule family: a thing filed under the wrong group."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.cues import _stems
from interviewer.grading.claims.inversion import _within
from interviewer.grading.claims.registry import Finding
from interviewer.grading.models import KeyPoint
from interviewer.text import clip as _short

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet


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


def _wrong_membership(
    claim: str,
    sentences: list[tuple[KeyPoint, str, tuple[AbstractSet[str], str, str] | None]],
    qterms: AbstractSet[str],
) -> Finding | None:
    """10. a wrong family: the claim says X is a kind of Y, the notes file X under a
    sibling Z of Y ("Bagging (Random forests), Boosting, ...") and never under Y."""
    m = _MEMBERSHIP.match(claim.strip())
    if not m:
        return None
    x, y = _stems(m.group("x")), _stems(m.group("y"))
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
            z = _stems(z_name)
            if not z or not _within(x, _stems(members)):
                continue
            if _within(y, z) or _within(z, y):
                under_y = True
            elif _within(y, _stems(sent)) or any(_within(y, _stems(lab)) for lab in labels):
                found = (kp, sent, z_name)
        if kp.label and _within(y, _stems(kp.label)) and _within(x, _stems(sent)):
            under_y = True
    if found is None or under_y:
        return None
    kp, sent, z_name = found
    return Finding(kp, f"Your notes file it under {z_name}: “{_short(sent, 200)}”", "wrong-family")
