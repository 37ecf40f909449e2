"""Rule family: two pairings crossed. The notes pair one thing with a word and another
thing with its opposite ("in sequence availability decreases", "in parallel it
increases"); the claim pairs them the other way round ("increases in sequence and
decreases in parallel", "Type I is a false negative and Type II a false positive")."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding
from interviewer.grading.cues import antonym_stems, cue_list
from interviewer.text import clip as _short
from interviewer.text import stem, stem_set

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

    from interviewer.grading.claims.registry import NoteSentence
    from interviewer.grading.models import KeyPoint

# Where one statement of a sentence ends and a parallel one begins.
_CLAUSE = re.compile(r"[;,:]|\b(?:and|while|whereas|whilst|but)\b", re.I)


@lru_cache(maxsize=1)
def _opposites() -> dict[str, frozenset[str]]:
    out = {k: set(v) for k, v in antonym_stems().items()}
    # The ends of an order or an operation pair oppose each other here, in a crossing.
    for a, b in (line.split() for line in cue_list("ordered_opposites")):
        out.setdefault(stem(a), set()).add(stem(b))
        out.setdefault(stem(b), set()).add(stem(a))
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=20_000)
def clause_stems(text: str) -> tuple[frozenset[str], ...]:
    """The content stems of each clause of a sentence (clauses of one word dropped)."""
    out = []
    for part in _CLAUSE.split(text):
        got = stem_set(part)
        if len(got) >= 2:
            out.append(got)
    return tuple(out)


def crossed_pairs(claim: str, sentences: list[NoteSentence]) -> Finding | None:
    """The claim says "A ... x" and "B ... y" (two clauses, x and y opposites) where
    note clauses say "A ... y" and "B ... x": each anchor (A, B) in one note clause and
    not the other. With one anchor ("Type II" against plain "Type"), the two claim
    clauses must be parallel (share a word) and the second note clause must lack it."""
    parts = clause_stems(claim)
    if len(parts) < 2:
        return None
    opp = _opposites()
    notes = [(kp, sent, c) for kp, sent, _ in sentences for c in clause_stems(sent)]
    for i, ci in enumerate(parts):
        for j, cj in enumerate(parts):
            if i == j:
                continue
            for x in ci - cj:
                for y in opp.get(x, frozenset()):
                    if y not in cj or y in ci:
                        continue
                    found = _crossed(ci - cj - {x}, cj - ci - {y}, x, y, bool(ci & cj), notes)
                    if found is not None:
                        return found
    return None


def _crossed(
    anchors_a: AbstractSet[str],
    anchors_b: AbstractSet[str],
    x: str,
    y: str,
    parallel: bool,
    notes: list[tuple[KeyPoint, str, frozenset[str]]],
) -> Finding | None:
    for kp, sent, n1 in notes:
        if y not in n1 or x in n1:
            continue
        for a in anchors_a & n1:
            for _, sent2, n2 in notes:
                if x not in n2 or y in n2 or a in n2:
                    continue
                b_ok = any(b in n2 and b not in n1 for b in anchors_b)
                if b_ok or (parallel and n1 & n2 and not anchors_b & n1):
                    said = f"“{_short(sent, 150)}”"
                    if sent2 != sent:
                        said += f" and “{_short(sent2, 150)}”"
                    said = f"Your notes pair them the other way: {said}"
                    return Finding(kp, said, "crossed-pairs")
    return None
