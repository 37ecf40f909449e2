"""Rule family: two words of a note sentence exchanged. The claim follows a note
sentence word for word in order but for two words that have changed places
("Denormalisation improves write performance at the expense of read performance"
against "... improve read performance at the expense of some write performance"; "The
slaves take the writes and replicate them to the master" against "The master serves
reads and writes, replicating writes to the slaves"). Reordering a sentence freely, or
a list, is no exchange: the two words must be set apart by aligned words, and no note
sentence may follow the claim's order."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.grading.claims.crossed import ends_named, ends_swapped_too, order_ends
from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.claims.sibling import sequence
from interviewer.grading.cues import negated

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.grading.claims.registry import NoteSentence
    from interviewer.grading.models import KeyPoint

# Words the claim and the sentence must share, in order, for one to restate the other.
MIN_ALIGNED = 5
# Aligned words between the two exchanged ones (a list reordered has none or one).
MIN_BETWEEN = 2


def _subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    it = iter(long)
    return all(any(x == y for y in it) for x in short)


@lru_cache(maxsize=20_000)
def _words(text: str) -> tuple[str, ...]:
    """The text's stems in order, numbers left out (they align by chance)."""
    return tuple(w for w in sequence(text) if not any(ch.isdigit() for ch in w))


def _aligned(c_seq: Sequence[str], shared: set[str]) -> list[str]:
    out: list[str] = []
    for w in c_seq:
        if w in shared and (not out or out[-1] != w):
            out.append(w)
    return out


def _around(seq: Sequence[str], word: str) -> set[tuple[int, str]]:
    """The words right before (-1) and after (+1) the one occurrence of ``word``."""
    i = seq.index(word)
    out = set()
    if i > 0:
        out.add((-1, seq[i - 1]))
    if i + 1 < len(seq):
        out.add((1, seq[i + 1]))
    return out


_CLAUSE_BREAK = re.compile(r"[;,]|\b(?:while|whereas|but)\b", re.I)


def _apart(sent: str, a: str, b: str) -> bool:
    """Whether the two words stand in two different clauses of the sentence."""
    clauses = [set(_words(c)) for c in _CLAUSE_BREAK.split(sent)]
    return not any({a, b} <= c for c in clauses) and all(
        any(w in c for c in clauses) for w in (a, b)
    )


def exchanged_words(
    claim: str, sentences: Sequence[NoteSentence], question: str = ""
) -> Finding | None:
    """See the module docstring. The two words must also have traded places in the
    same surroundings (a word next to one of them in the claim is next to the other in
    the note: "write performance" / "read performance"), and be a pair the notes or the
    question name together elsewhere ("reads and writes", "master-slave"): two verbs
    that mean the same ("helps" / "serves") are no exchange."""
    c_seq = _words(claim)
    q_words = set(_words(question))
    sent_words = [set(_words(s)) for _, s, _ in sentences]
    if len(set(c_seq)) < MIN_ALIGNED:
        return None
    c_neg = negated(claim)
    found: tuple[KeyPoint, str] | None = None
    for n, (kp, sent, _) in enumerate(sentences):
        s_seq = _words(sent)
        shared = set(c_seq) & set(s_seq)
        if len(shared) < MIN_ALIGNED:
            continue
        c_al = _aligned(c_seq, shared)
        if _subsequence(c_al, s_seq):
            return None  # a note sentence says it in the claim's order
        if found is not None or negated(sent) != c_neg:
            continue
        # Words used once on each side: a repeated word aligns in more than one way.
        once = {w for w in shared if c_seq.count(w) == 1 and s_seq.count(w) == 1}
        for i, a in enumerate(c_al):
            if a not in once:
                continue
            for j in range(i + MIN_BETWEEN + 1, len(c_al)):
                b = c_al[j]
                if b not in once:
                    continue
                swapped = list(c_al)
                swapped[i], swapped[j] = b, a
                if not _subsequence(swapped, s_seq):
                    continue
                named_together = (
                    {a, b} <= q_words
                    or any({a, b} <= w for m, w in enumerate(sent_words) if m != n)
                    # (or set side by side in this sentence, each in a clause of its
                    # own: "on a TLB hit ...; on a TLB miss ..."; in one clause they
                    # may be a symmetric relation's two sides: "left ... right table")
                    or (bool(_around(s_seq, a) & _around(s_seq, b)) and _apart(sent, a, b))
                )
                if not named_together:
                    continue
                if order_ends().get(a) == b and ends_swapped_too(
                    ends_named(claim), ends_named(sent), {a, b}
                ):
                    continue  # "the newest ... last" for "the oldest ... first": the same
                if _around(c_seq, a) & _around(s_seq, b) or _around(c_seq, b) & _around(s_seq, a):
                    found = (kp, sent)
                    break
            if found is not None:
                break
    if found is None:
        return None
    kp, sent = found
    return quoting(kp, "Your notes say it the other way round", sent, "exchanged-words", 220)
