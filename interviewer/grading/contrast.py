"""Subjects a question contrasts ("INNER JOIN and a LEFT JOIN", "WHERE vs HAVING"), and
which of them a statement is about. Coverage asks a claim to name the subject of a
point about one of them; the swapped-subject rule compares what each side says."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from interviewer.text import ANAPHORS, stem, text_terms, words

_COORDINATOR = frozenset({"and", "or", "vs", "versus", "nor", ",", "/"})
_PRONOUN = ANAPHORS | {"its", "their"}
# A statement is about the subjects it opens with ("A LEFT JOIN with ...", "HAVING
# filters ..."), not those it mentions later ("Atomicity means a transaction ...").
SUBJECT_WORDS = 3


def _is_term(word: str) -> bool:
    return bool(text_terms(word).unigrams)


def contrasted(question: str) -> set[str]:
    """Terms that tell apart the phrases on either side of a coordinator: "INNER JOIN
    and a LEFT JOIN" -> inner, left; "Batch Gradient Descent and Stochastic Gradient
    Descent" -> batch, stochastic; "L1 vs L2 regularization" -> l1, l2. A topic word
    alone ("How to check overfitting?") contrasts nothing."""
    toks = re.findall(r"[A-Za-z0-9][\w'-]*|[,/]", question)
    stems_ = [
        stem(t.lower()) if t.lower() not in _COORDINATOR and _is_term(t) else None for t in toks
    ]
    out: set[str] = set()
    for k, t in enumerate(toks):
        if t.lower() not in _COORDINATOR:
            continue
        left = _phrase(stems_[max(0, k - 3) : k][::-1])
        after = stems_[k + 1 : k + 4]
        if k + 1 < len(toks) and toks[k + 1].lower() in ("a", "an", "the"):
            after = stems_[k + 2 : k + 5]
        right = _phrase(after)
        if not left or not right or left == right:
            continue
        if set(left) & set(right):
            # Parallel phrases with a shared head: their other words tell them apart.
            out |= set(left) ^ set(right)
        else:
            out |= {left[0], right[0]}
    return out


def _phrase(stems_: list[str | None]) -> list[str]:
    out: list[str] = []
    for x in stems_[:3]:
        if x is None:
            break
        out.append(x)
    return out


def subject_names(text: str, names: AbstractSet[str]) -> set[str]:
    """The contrasted names a statement opens with."""
    return set(text_terms(" ".join(words(text)[:SUBJECT_WORDS])).unigrams) & set(names)


def sentence_subjects(
    sentences: list[tuple[str, str]], names: AbstractSet[str]
) -> list[set[str]]:
    """For (group, sentence) pairs in order: the contrasted names each is about; a
    sentence that opens with a pronoun is about its predecessor's (same group)."""
    out: list[set[str]] = []
    prev: tuple[str, set[str]] | None = None
    for group, sent in sentences:
        first = (words(sent)[:1] or [""])[0].lower()
        if first in _PRONOUN and prev is not None and prev[0] == group:
            got = set(prev[1])
        else:
            got = subject_names(sent, names)
            if not got:
                # "The scores on the holdout data ...": the one name it mentions.
                anywhere = set(text_terms(sent).unigrams) & set(names)
                got = anywhere if len(anywhere) == 1 else set()
        out.append(got)
        prev = (group, got)
    return out
