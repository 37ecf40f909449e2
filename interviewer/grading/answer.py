"""Splitting an answer into claims (sentences, list items, clauses)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.grading.constants import MAX_CLAIMS
from interviewer.text import HARD_CLAUSE_BREAK, split_clauses, split_sentences

# ---- claims of an answer -------------------------------------------------------------------


@dataclass
class Claim:
    text: str
    terms: set[str] = field(default_factory=set)
    index: int = 0
    parent: Claim | None = None  # a clause: its sentence, whose embedding it shares


_LIST = re.compile(r"^\s*(?:[-*+•◦▪‣]|\d{1,2}[.)])\s+")


def split_claims(answer: str) -> list[tuple[str, int]]:
    """Sentences and list items, as (text, -1); long sentences also give their
    clauses as (text, index of the sentence), so that "A, B and C" can match three
    different points lexically (clauses share their sentence's embedding: embedding
    the answer is the grader's main cost)."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            out.extend(split_sentences(" ".join(block)))
            block.clear()

    for line in answer.replace("\r", "\n").split("\n"):
        if not line.strip():
            flush()
            continue
        if _LIST.match(line):
            flush()
            out.extend(split_sentences(_LIST.sub("", line).strip()))
        else:
            block.append(line.strip())
    flush()
    claims: list[tuple[str, int]] = []
    for sent in out:
        sent = sent.strip()
        if not sent or len(claims) >= MAX_CLAIMS:
            continue
        at = len(claims)
        claims.append((sent, -1))
        n_words = len(sent.split())
        if n_words > 14 or (n_words >= 6 and HARD_CLAUSE_BREAK.search(sent)):
            # (A semicolon, a colon or ", and"/", but"/", while" joins two statements
            # whatever the length.)
            parts = split_clauses(sent, hard=n_words <= 14)
            if len(parts) > 1:
                claims.extend((p, at) for p in parts)
    return claims
