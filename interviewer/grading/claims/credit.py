"""What a wrong claim costs in coverage: the note point it inverts earns no credit,
whatever other claim of the answer resembled it ("it is cheaper than a plain function
call" makes nothing of "... much more expensive than a plain function call", though
"A system call is a plain library function" shares its words). Swaps, which also take
the points about both subjects, are ``coverage.void_swapped``'s."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import earns_nothing, voids_credit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.feedback import IncorrectClaim
    from interviewer.grading.coverage import Assessment as _Assessment
    from interviewer.grading.models import KeyPoint

_QUOTED = re.compile(r"“([^”]+)”")
# The share of a point's text the inverted sentence must be for the point to earn
# nothing at all.
WHOLE = 0.6


def void_inverted(
    assessments: dict[str, _Assessment],
    flagged: Sequence[IncorrectClaim],
    points: Sequence[KeyPoint],
) -> list[str]:
    """Sets missed the point each inversion quotes (advisory or not) when the quoted
    sentence is most of it; returns their ids."""
    from interviewer.grading.coverage import Assessment as _Assessment

    voided: list[str] = []
    for claim in flagged:
        if not earns_nothing(claim.rule) or voids_credit(claim.rule):
            continue
        quoted = [q.rstrip("…").strip() for q in _QUOTED.findall(claim.correction)[:1]]
        for kp in points:
            if kp.citation != claim.citation or not any(q and q in kp.text for q in quoted):
                continue
            a = assessments.get(kp.id)
            if a is None or a.status == "missed":
                continue
            # (A point of several statements, one of them inverted, keeps what the
            # others earned: "Adam = RMSProp with momentum" may have been made.)
            if len(quoted[0]) >= WHOLE * len(kp.text.strip()):
                assessments[kp.id] = _Assessment("missed", a.sim, a.lex, None)
                voided.append(kp.id)
    return voided
