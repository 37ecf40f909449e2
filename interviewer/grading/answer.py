"""Splitting an answer into claims (sentences, list items, clauses), without text
addressed to the grader and gibberish, each with its terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from interviewer.grading.assess import point_stems
from interviewer.grading.points import iter_points
from interviewer.grading.salad import is_salad_claim, pieces, salad_answer, salad_words
from interviewer.grading.terms import is_gibberish, is_instruction, strip_accents
from interviewer.language import is_foreign
from interviewer.text import (
    HARD_CLAUSE_BREAK,
    LIST_ITEM,
    close_stems,
    split_clauses,
    split_sentences,
    stem,
    stem_index,
    text_terms,
    words,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.grading.grader import Grader
    from interviewer.grading.models import KeyPoint


@dataclass
class Claim:
    text: str
    terms: set[str] = field(default_factory=set)
    index: int = 0
    parent: Claim | None = None  # a clause: its sentence, whose embedding it shares


MAX_CLAIMS = 40  # an answer is split into this many claims at most


def answer_sentences(answer: str) -> list[str]:
    """The answer's sentences and list items, all of them."""
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
        if item := LIST_ITEM.match(line):
            flush()
            out.extend(split_sentences(item.group(2).strip()))
        else:
            block.append(line.strip())
    flush()
    return [s.strip() for s in out if s.strip()]


def split_claims(answer: str) -> list[tuple[str, int]]:
    """Sentences and list items, as (text, -1); long sentences also give their
    clauses as (text, index of the sentence), so that "A, B and C" can match three
    different points lexically (clauses share their sentence's embedding: embedding
    the answer is the grader's main cost)."""
    claims: list[tuple[str, int]] = []
    for sent in answer_sentences(answer):
        if len(claims) >= MAX_CLAIMS:
            break
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


def answer_claims(
    g: Grader, answer: str, points: Sequence[KeyPoint]
) -> tuple[list[Claim], list[str], list[str], bool]:
    """The answer's claims, without text addressed to the grader and gibberish or
    word salad (both returned apart), with their terms; and whether the answer is in another
    language than English."""
    raw_claims = split_claims(answer)
    bad_sentences: set[int] = set()
    ignored: list[str] = []
    junk: list[str] = []
    foreign = is_foreign(answer)
    # Words that make no sentences say nothing, whatever terms they hold; an answer
    # made mostly of them earns nothing, even for its fragments that look like one.
    # (Judged on the answer's lines: the claims join an answer's lines into sentences.)
    salad = not foreign and salad_answer(pieces(answer))
    bad_words = set() if foreign else salad_words(answer)
    for i, (c, parent) in enumerate(raw_claims):
        if parent >= 0:
            continue
        if is_instruction(c):
            ignored.append(c)
            bad_sentences.add(i)
        elif (
            salad or is_gibberish(c, notes_vocabulary(g)) or is_salad_claim(c, bad_words)
        ):  # fmt: skip
            junk.append(c)
            bad_sentences.add(i)
    claims: list[Claim] = []
    by_index: dict[int, Claim] = {}
    for i, (c, parent) in enumerate(raw_claims):
        if i in bad_sentences or parent in bad_sentences:
            continue
        claim = Claim(
            text=c,
            index=len(claims),
            parent=by_index.get(parent) if parent >= 0 else None,
        )
        by_index[i] = claim
        claims.append(claim)
    vocabulary = {t for kp in points for t in (*kp.terms, *point_stems(g, kp))}
    index = stem_index(vocabulary)
    for claim in claims:
        # (In another language, words shared with the notes are often written with
        # accents: "precisión", "confusión".)
        text = strip_accents(claim.text) if foreign else claim.text
        raw = text_terms(text)
        canon = close_stems(set(raw.unigrams) - vocabulary, index)
        claim.terms = text_terms(text, canon).all if canon else raw.all
    return claims, ignored, junk, foreign


def notes_vocabulary(g: Grader) -> frozenset[str]:
    """Every word (lower case) and stem the notes' questions and points use: terms
    the tokenizer's word list may lack ('atomicity', 'durability') are still words."""

    def vocabulary() -> frozenset[str]:
        texts = [q.text for q in g.bank.questions] + [kp.text for kp in iter_points(g.bank)]
        lows = {w.lower() for text in texts for w in words(text)}
        return frozenset(lows | {stem(w) for w in lows})

    return g.derived("notes vocabulary", None, vocabulary)
