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


@lru_cache(maxsize=1)
def order_ends() -> dict[str, str]:
    """Each end of an order (stem) and the other end."""
    out: dict[str, str] = {}
    for a, b in (line.split() for line in cue_list("ordered_opposites")):
        out[stem(a)], out[stem(b)] = stem(b), stem(a)
    return out


def ends_swapped_too(
    claim_part: AbstractSet[str], note_part: AbstractSet[str], crossed: AbstractSet[str]
) -> bool:
    """Besides the ``crossed`` pair, the claim clause swaps a second pair of order ends
    against the note clause ("the newest ... last" for "the oldest ... first"): two
    swaps say the same again."""
    ends = order_ends()
    return any(
        w not in note_part and ends[w] in note_part and ends[w] not in claim_part
        for w in claim_part - crossed
        if w in ends and ends[w] not in crossed
    )


@lru_cache(maxsize=20_000)
def clause_stems(text: str) -> tuple[frozenset[str], ...]:
    """The content stems of each clause of a sentence (clauses of one word dropped)."""
    out = []
    for part in _CLAUSE.split(text):
        got = stem_set(part)
        if len(got) >= 2:
            out.append(got)
    return tuple(out)


def ends_named(text: str) -> frozenset[str]:
    """The order ends a text names, little words such as "first" included."""
    ends = order_ends()
    return frozenset(w for w in map(stem, re.findall(r"[\w'’-]+", text.lower())) if w in ends)


@lru_cache(maxsize=20_000)
def _clause_ends(text: str) -> tuple[frozenset[str], ...]:
    """The order ends each clause of ``clause_stems`` names."""
    return tuple(ends_named(p) for p in _CLAUSE.split(text) if len(stem_set(p)) >= 2)


def crossed_pairs(claim: str, sentences: list[NoteSentence]) -> Finding | None:
    """The claim says "A ... x" and "B ... y" (two clauses, x and y opposites) where
    note clauses say "A ... y" and "B ... x": each anchor (A, B) in one note clause and
    not the other. With one anchor ("Type II" against plain "Type"), the two claim
    clauses must be parallel (share a word) and the second note clause must lack it."""
    parts = clause_stems(claim)
    if len(parts) < 2:
        return None
    opp = _opposites()
    ends = _clause_ends(claim)
    notes = [
        (kp, sent, c, e)
        for kp, sent, _ in sentences
        for c, e in zip(clause_stems(sent), _clause_ends(sent), strict=True)
    ]
    for i, ci in enumerate(parts):
        for j, cj in enumerate(parts):
            if i == j:
                continue
            for x in ci - cj:
                for y in opp.get(x, frozenset()):
                    if y not in cj or y in ci:
                        continue
                    found = _crossed((ci, cj), (ends[i], ends[j]), x, y, notes)
                    if found is not None:
                        return found
    return None


def _crossed(
    parts: tuple[frozenset[str], frozenset[str]],
    part_ends: tuple[frozenset[str], frozenset[str]],
    x: str,
    y: str,
    notes: list[tuple[KeyPoint, str, frozenset[str], frozenset[str]]],
) -> Finding | None:
    ci, cj = parts
    anchors_a, anchors_b, parallel = ci - cj - {x}, cj - ci - {y}, bool(ci & cj)
    ends = order_ends()
    for kp, sent, n1, e1 in notes:
        if y not in n1 or x in n1:
            continue
        for a in anchors_a & n1:
            for _, sent2, n2, e2 in notes:
                if x not in n2 or y in n2 or a in n2:
                    continue
                b_ok = any(b in n2 and b not in n1 for b in anchors_b)
                if (
                    x in ends
                    and y in ends
                    and (
                        ends_swapped_too(part_ends[0], e1, {x, y})
                        or ends_swapped_too(part_ends[1], e2, {x, y})
                    )
                ):
                    continue  # an order's ends crossed twice: the notes' own pairing
                if b_ok or (parallel and n1 & n2 and not anchors_b & n1):
                    said = f"“{_short(sent, 150)}”"
                    if sent2 != sent:
                        said += f" and “{_short(sent2, 150)}”"
                    said = f"Your notes pair them the other way: {said}"
                    return Finding(kp, said, "crossed-pairs")
    return None
