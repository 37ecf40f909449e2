"""Citations and the reference pages' share of the grounding."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.feedback import Citation
from interviewer.grading.models import KeyPoint, point_id
from interviewer.grading.terms import key_terms
from interviewer.text import (
    BARE_URL,
    MD_LINK,
    clean_markdown,
    content_word_count,
    split_sentences,
    text_terms,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from interviewer.grading.models import Bank


def _unique_citations(cits: Sequence[Citation | None]) -> list[Citation]:
    unique: dict[tuple[str, str, str | None], Citation] = {}
    for c in cits:
        if c is not None and (c.source or c.url):  # (else nothing to point at)
            unique.setdefault((c.source, c.heading, c.url), c)
    return list(unique.values())


def _plain_block(text: str) -> str:
    """Section text for the model: links to their text, bare URLs dropped, the list
    structure kept."""
    text = MD_LINK.sub(lambda m: m.group(1), text)
    text = BARE_URL.sub("", text).replace("\\*", "*")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def hit_citation(hit: Any) -> Citation:
    """Where a retrieval hit (a note section or a reference chunk) comes from."""
    return Citation(
        source=hit.source, heading=hit.heading, line_start=hit.line_start,
        line_end=hit.line_end, kind=hit.kind, url=hit.url, chunk_id=hit.chunk_id,
    )  # fmt: skip


def _reference_hit_points(hit: Any, question: str, bank: Bank) -> list[KeyPoint]:
    """Up to four sentences of a retrieved reference chunk that share a word with the
    question, as points."""
    qterms = set(text_terms(question).unigrams)
    out = []
    for sent in split_sentences(clean_markdown(hit.text.replace("\n", " "))):
        if content_word_count(sent) < 5 or len(sent) > 400:
            continue
        if not qterms & set(text_terms(sent).unigrams):
            continue
        out.append(
            KeyPoint(
                id=point_id("ref-" + hit.chunk_id, sent),
                text=sent,
                citation=hit_citation(hit),
                importance=0.6,
                source_kind="reference",
                terms=key_terms(sent, None, bank.idf, bank.default_idf, qterms),
            )  # fmt: skip
        )
    return out[:4]
