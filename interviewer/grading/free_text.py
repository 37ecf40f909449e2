"""Questions the notes do not ask (their points: the notes' most related ones), the
notes a model may cite for a question, and citations."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from interviewer.errors import InterviewerError
from interviewer.feedback import Citation
from interviewer.grading.bank import section_citation
from interviewer.grading.coverage import GENERIC_LABEL
from interviewer.grading.models import KeyPoint, Question, point_id
from interviewer.grading.points import hit_citation, iter_points, reference_sentences
from interviewer.grading.rubric import normalise_question
from interviewer.grading.terms import key_terms
from interviewer.text import BARE_URL, MD_LINK, text_terms

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from interviewer.corpus import Section
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import Bank


def free_text_question(g: Grader, text: str) -> Question:
    """A question the notes do not ask: its key points are the notes' points most
    related to it (found through the index when there is one, else among all the
    bank's points)."""
    qid = "adhoc-" + hashlib.sha1(normalise_question(text).encode()).hexdigest()[:10]
    candidates = related_points(g, text)
    cit = candidates[0].citation if candidates else Citation(source="", heading="")
    return Question(
        id=qid,
        text=text.strip(),
        section_id="",
        source=cit.source,
        heading=cit.heading,
        topic=text.strip()[:40],
        notes_status="ok" if candidates else "none",
        key_points=candidates,
        citation=cit,
    )


def related_points(g: Grader, text: str, limit: int = 10) -> list[KeyPoint]:
    import numpy as np

    pool = list(iter_points(g.bank))
    retriever = g.retriever
    if retriever is not None:
        hits = _search(retriever, text, 5)
        allowed = {(h.source, h.heading) for h in hits if h.kind == "note"}
        allowed = _named_sections(text, allowed)
        pool = [kp for kp in pool if (kp.citation.source, kp.citation.heading) in allowed]
        for h in hits:
            if h.kind == "reference":
                pool.extend(_reference_hit_points(h, text, g.bank))
    # (A section's point is a point of each question over it: once is enough.) A
    # glossary row, or any unit named by its term, speaks of that term only: its point
    # is no point of a question that does not name the term.
    rows = _row_terms(g.bank)
    asked = set(text_terms(text).unigrams)
    seen: set[tuple[str, str]] = set()
    pool = [
        kp for kp in pool
        if (key := (kp.text, kp.citation.heading)) not in seen and not seen.add(key)  # type: ignore[func-returns-value]
        and rows.get(key, asked) <= asked
    ]  # fmt: skip
    if not pool:
        return []
    qv = g._embed_many([text])[0]
    sims = np.stack([g._vector(kp) for kp in pool]) @ qv
    scored = []
    for kp, s in zip(pool, sims, strict=True):
        lex = len(asked & set(text_terms(kp.text).unigrams))
        relevance = float(s) + 0.05 * min(lex, 3)
        if float(s) >= g.params.related_point_sim or (
            lex >= 1 and float(s) >= g.params.related_point_sim_lex
        ):
            scored.append((relevance, kp))
    if not scored:
        return []
    scored.sort(key=lambda x: -x[0])
    top = scored[0][0]
    return [
        kp.model_copy(update={"importance": round(max(0.1, rel / top), 3)})
        for rel, kp in scored[:limit]
    ]


def _row_terms(bank: Bank) -> dict[tuple[str, str], set[str]]:
    """The points of units named by their term (a glossary row, a "**Term**: ..."
    label), by (text, heading), with the term's stems: the unit's point is labelled
    with the term that names the unit."""
    out: dict[tuple[str, str], set[str]] = {}
    for q in bank.questions:
        term = q.heading.rsplit(" > ", 1)[-1].strip().lower()
        if q.kind != "topic":
            continue
        for kp in q.key_points:
            if kp.label and kp.label.strip().lower() == term:
                out[(kp.text, kp.citation.heading)] = set(text_terms(kp.label).unigrams)
    return out


_MINOR = frozenset({"a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "with"})


def _heading_words(text: str) -> frozenset[str]:
    """A heading part's words, function words kept ("write-through" vs "write-behind":
    ``text_terms`` would drop "through"). A part that names no subject ("Pros and
    cons", "Definition") has none."""
    text = re.sub(r"\([^()]*\)", " ", text.lower()).strip(" :")
    if GENERIC_LABEL.match(text):
        return frozenset()
    words = re.findall(r"[a-z0-9]+", text)
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words) - _MINOR


def _named_sections(text: str, allowed: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The found sections without the siblings of a heading the question names word for
    word ("How does a write-through cache work?" keeps "... > Write-through" and its
    sub-sections, drops "... > Write-behind"): a sibling names another subject, so its
    points are neither missed points nor evidence against the answer. Sections
    elsewhere in the notes, and the shared parent, stay."""
    asked = _heading_words(text)

    def named(part: str) -> bool:
        words = _heading_words(part)
        return bool(words) and words <= asked

    paths = {key: key[1].split(" > ") for key in allowed}
    # (source, parent path, named part) of each heading part the question names.
    named_at = {
        (key[0], tuple(parts[:i]), parts[i])
        for key, parts in paths.items()
        for i, part in enumerate(parts)
        if named(part)
    }
    parents = {(src, parent) for src, parent, _ in named_at}

    def sibling_of_named(key: tuple[str, str]) -> bool:
        parts = paths[key]
        return any(
            (key[0], tuple(parts[:i])) in parents
            and (key[0], tuple(parts[:i]), parts[i]) not in named_at
            for i in range(len(parts))
        )

    kept = {key for key in allowed if not sibling_of_named(key)}
    return kept or allowed


def _search(retriever: Any, text: str, k: int) -> list[Any]:
    try:
        return list(retriever.search(text, k=k))
    except InterviewerError:
        return []


def context_sections(g: Grader, q: Question, limit: int = 6) -> list[tuple[str, str, Citation]]:
    """Text the model may cite, as (text, label, citation): the question's own
    sections, then its points' sections, then retrieved notes and references."""
    out: list[tuple[str, str, Citation]] = []
    seen: set[tuple[str, str]] = set()

    def add(text: str, cit: Citation) -> None:
        if (cit.source, cit.heading) not in seen:
            seen.add((cit.source, cit.heading))
            out.append((text, cit.heading, cit))

    sections = section_index(g)
    for sid in q.material_sections:
        sec = sections.get(sid)
        if sec is not None and sec.text.strip():
            add(_plain_block(sec.text), section_citation(sec, sec.line_start, sec.line_end))
    for kp in q.key_points:
        add(kp.text, kp.citation)
    retriever = g.retriever
    if retriever is not None and len(out) < limit:
        for h in _search(retriever, q.text, limit):
            if not h.is_stub:
                add(h.text, hit_citation(h))
            if len(out) >= limit:
                break
    return out[:limit]


def section_index(g: Grader) -> dict[str, Section]:
    def sections() -> dict[str, Section]:
        from interviewer.corpus import load_corpus

        docs = load_corpus(g.settings.corpus_dir, g.settings.max_file_bytes).documents
        return {s.id: s for d in docs for s in d.sections}

    return g.derived("sections", None, sections)


def cit_key(c: Citation) -> tuple[str, str, str | None]:
    return (c.source, c.heading, c.url)


def _unique_citations(cits: Sequence[Citation | None]) -> list[Citation]:
    unique: dict[tuple[str, str, str | None], Citation] = {}
    for c in cits:
        if c is not None and (c.source or c.url):  # (else nothing to point at)
            unique.setdefault(cit_key(c), c)
    return list(unique.values())


def _plain_block(text: str) -> str:
    """Section text for the model: links to their text, bare URLs dropped, the list
    structure kept."""
    text = MD_LINK.sub(lambda m: m.group(1), text)
    text = BARE_URL.sub("", text).replace("\\*", "*")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _reference_hit_points(hit: Any, question: str, bank: Bank) -> list[KeyPoint]:
    """Up to four sentences of a retrieved reference chunk that share a word with the
    question, as points."""
    qterms = set(text_terms(question).unigrams)
    return [
        KeyPoint(
            id=point_id("ref-" + hit.chunk_id, sent), text=sent, citation=hit_citation(hit),
            importance=0.6, source_kind="reference",
            terms=key_terms(sent, None, bank.idf, bank.default_idf, qterms),
        )  # fmt: skip
        for sent, _ in reference_sentences(hit.text, qterms)
    ][:4]
