"""Rule family: two subjects of one sentence swapped. The claim says "A does x, while B
does y"; the notes say x of B and y of A ("Ridge forces some coefficients to exactly
zero, while lasso only shrinks them": the notes say the first of lasso, the second of
ridge). Unlike ``swap.contrast_swap`` it needs no names from the question: the subjects
are the words each clause opens with, and a note sentence is about the subjects it
mentions (or, opening with a pronoun, those of the sentence before it)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding
from interviewer.grading.cues import all_stems, cue_list, lower_tokens, negation_over
from interviewer.text import ANAPHORS, STOPWORDS, _content, stem, words
from interviewer.text import clip as _short

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.claims.registry import NoteSentence
    from interviewer.grading.models import KeyPoint

# Where a sentence turns from one subject to another: a full stop inside a statement
# is a sentence end the splitter kept ("... a filter. cold drip lets ..."), and a comma
# before "a <word> one" opens a parallel clause ("a dense one is ..., a sparse one ...").
_TURN = re.compile(
    r";|,?\s*\b(?:while|whereas|whilst|unlike)\b|,\s*(?:and|but|so)\b|\bbut\b|\.\s+"
    r"|,\s*(?=(?:an?|the)\s+[\w-]+\s+one\b)",
    re.I,
)
# Words a clause may open with before its subject ("for a continuous target ...").
_LEAD = frozenset(
    "for in with on under using a an the so and then also whereas while whilst but "
    "unlike when".split()
)
# Words a note sentence may open with before a pronoun ("But it ...", "So they ...").
_CONJ = frozenset("but and so yet however therefore thus also then hence".split())
_VERBS = frozenset(cue_list("statement_verbs"))


def _opening(clause: str) -> list[str]:
    """The words a clause opens with from its first content word on, after a leading
    "label:" and lead words ([] when the first word past them is no content word)."""
    if ":" in clause:
        head, rest = clause.split(":", 1)
        if len(words(rest)) > len(words(head)):
            clause = rest
    toks = words(clause)
    for i, w in enumerate(toks):
        low = w.lower()
        if low in _LEAD or low in STOPWORDS:
            continue
        return [t.lower() for t in toks[i:]] if _content(w) else []
    return []


def _anchors(parts: Sequence[str]) -> list[str | None]:
    """The subject of each clause: the stem of its first content word, or, where
    clauses open with the same words ("cold brew ..." / "cold drip ...", "soft
    pencil" / "soft pastel"), the first word past those: names
    that share a head go by their own words."""
    opens = [_opening(p) for p in parts]
    out: list[str | None] = []
    for i, ws in enumerate(opens):
        k = 0
        for j, other in enumerate(opens):
            if j != i:
                n = 0
                while n < min(len(ws), len(other)) - 1 and ws[n] == other[n]:
                    n += 1
                k = max(k, n)
        # (The shared head is a name only where it is short and the word past it is one.)
        ok = bool(ws) and k <= 3 and k < len(ws) and _content(ws[k]) and ws[k] not in _VERBS
        out.append(stem(ws[k]) if ok else None)
    return out


def _parts(text: str) -> list[str]:
    """The clauses of a sentence where it may turn from one subject to another; a
    clause that opens with a verb ("... but keeps it") has no subject of its own and
    stays with the clause before it."""
    out: list[str] = []
    for p in _TURN.split(text):
        if not p or len(words(p)) < 1:
            continue
        first = next((w.lower() for w in words(p) if w.lower() not in _LEAD), "")
        if out and first in _VERBS:
            out[-1] = f"{out[-1]} {p}"
        elif len(words(p)) >= 3:
            out.append(p)
    return out


def _units(
    sentences: Sequence[NoteSentence],
) -> list[tuple[KeyPoint, str, frozenset[str], frozenset[str]]]:
    """(point, sentence, its stems, what it is about) for each note sentence;
    a sentence that opens with a pronoun is also about its predecessor's subjects."""
    out = []
    prev: frozenset[str] | None = None  # (points follow the notes' order)
    for kp, sent, _ in sentences:
        own = all_stems(sent)
        toks = lower_tokens(sent)
        while toks and toks[0] in _CONJ:
            toks = toks[1:]
        about = own
        if toks and toks[0] in ANAPHORS and prev is not None:
            about = own | prev
        out.append((kp, sent, own, about))
        prev = about
        # A sentence that turns from one subject to another ("the gradient of A is 1
        # ..., while B saturates quickly") is also two statements, one of each.
        parts = _parts(sent)
        anchors = _anchors(parts)
        if len(parts) >= 2 and all(anchors) and len(set(anchors)) == len(anchors):
            # (The anchor is then the clause's subject or a word that names it: "the
            # gradient of ReLU" is about ReLU as well; each clause is about its words.)
            out.extend((kp, sent, all_stems(p), all_stems(p)) for p in parts)
    return out


def crossed_subjects(claim: str, sentences: Sequence[NoteSentence]) -> Finding | None:
    """Two clauses of the claim, opening with different subjects A and B, each say what
    note sentences say of the other subject: the best support of each clause's
    predicate among note sentences about the other subject (and not its own) beats the
    best among those about its own, with two words or more."""
    parts = _parts(claim)
    if len(parts) < 2:
        return None
    units = _units(sentences)
    for i in range(len(parts) - 1):
        c1, c2 = parts[i], parts[i + 1]
        a1, a2 = _anchors([c1, c2])
        if not a1 or not a2 or a1 == a2:
            continue
        s1, s2 = all_stems(c1), all_stems(c2)
        if a1 in s2 or a2 in s1:
            continue  # each clause names one subject only
        if not any(a1 in u[3] for u in units) or not any(a2 in u[3] for u in units):
            continue
        first = _side(c1, s1 - {a1, a2}, a1, a2, units)
        second = _side(c2, s2 - {a1, a2}, a2, a1, units)
        if first is not None and second is not None:
            kp, sent = first
            _, sent2 = second
            said = (
                f"Your notes say it the other way round: “{_short(sent, 150)}” and "
                f"“{_short(sent2, 150)}”"
            )
            return Finding(kp, said, "crossed-subjects")
    return None


def _side(
    clause: str,
    pred: AbstractSet[str],
    mine: str,
    other: str,
    units: list[tuple[KeyPoint, str, frozenset[str], frozenset[str]]],
) -> tuple[KeyPoint, str] | None:
    """The note sentence about ``other`` (not ``mine``) that supports the clause's
    predicate better than any about ``mine``, or None. A sentence supports it with the
    words both share, when a negation bears on them in both or in neither."""
    if len(pred) < 2:
        return None
    own_best, other_best = 0, 0
    found: tuple[KeyPoint, str] | None = None
    for kp, sent, st, about in units:
        hit = pred & st
        if not hit or negation_over(sent, hit) != negation_over(clause, hit):
            continue
        support = len(hit)
        if mine in about and other not in about:
            own_best = max(own_best, support)
        elif other in about and mine not in about and support > other_best:
            other_best, found = support, (kp, sent)
    if other_best >= 2 and other_best > own_best:
        return found
    return None
