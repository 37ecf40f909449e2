"""Questions the notes do not ask (their points: the notes' most related ones), and
the notes a model may cite for a question."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from interviewer.errors import InterviewerError
from interviewer.feedback import Citation
from interviewer.grading.models import KeyPoint, Question
from interviewer.grading.points import iter_points
from interviewer.grading.rubric import normalise_question
from interviewer.grading.sources import _plain_block, _reference_hit_points
from interviewer.text import text_terms

if TYPE_CHECKING:
    from interviewer.corpus import Section
    from interviewer.grading.grader import Grader


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

    pool = [kp for kp in iter_points(g.bank)]
    allowed: set[tuple[str, str]] | None = None
    retriever = g.retriever
    extra: list[KeyPoint] = []
    if retriever is not None:
        try:
            hits = retriever.search(text, k=5)
        except InterviewerError:
            hits = []
        allowed = {(h.source, h.heading) for h in hits if h.kind == "note"}
        for h in hits:
            if h.kind == "reference":
                extra.extend(_reference_hit_points(h, text, g.bank))
    if allowed is not None:
        pool = [kp for kp in pool if (kp.citation.source, kp.citation.heading) in allowed]
    pool += extra
    if not pool:
        return []
    qv = g._embed_many([text])[0]
    sims = np.stack([g._vector(kp) for kp in pool]) @ qv
    qterms = set(text_terms(text).unigrams)
    scored = []
    for kp, s in zip(pool, sims, strict=True):
        lex = len(qterms & set(text_terms(kp.text).unigrams))
        relevance = float(s) + 0.05 * min(lex, 3)
        if float(s) >= g.params.related_point_sim or (
            lex >= 1 and float(s) >= g.params.related_point_sim_lex
        ):
            scored.append((relevance, kp))
    scored.sort(key=lambda x: -x[0])
    chosen = [kp for _, kp in scored[:limit]]
    if not chosen:
        return []
    top = max(r for r, _ in scored[:limit])
    out = []
    for rel, kp in scored[:limit]:
        out.append(kp.model_copy(update={"importance": round(max(0.1, rel / top), 3)}))
    return out



def context_sections(
    g: Grader, q: Question, limit: int = 6
) -> list[tuple[str, str, Citation]]:
    """Text the model may cite, as (text, label, citation): the question's own
    sections, then retrieved notes and references. Labels are added by the caller."""
    out: list[tuple[str, str, Citation]] = []
    seen: set[tuple[str, str]] = set()
    sections = section_index(g, )
    for sid in q.material_sections:
        sec = sections.get(sid)
        if sec is None or not sec.text.strip():
            continue
        key = (sec.source, sec.heading)
        if key in seen:
            continue
        seen.add(key)
        cit = Citation(
            source=sec.source, heading=sec.heading, line_start=sec.line_start,
            line_end=sec.line_end,
        )  # fmt: skip
        out.append((_plain_block(sec.text), sec.heading, cit))
    for kp in q.key_points:
        key = (kp.citation.source, kp.citation.heading)
        if key in seen:
            continue
        seen.add(key)
        out.append((kp.text, kp.citation.heading, kp.citation))
    retriever = g.retriever
    if retriever is not None and len(out) < limit:
        try:
            hits = retriever.search(q.text, k=limit)
        except InterviewerError:
            hits = []
        for h in hits:
            key = (h.source, h.heading)
            if key in seen or h.is_stub:
                continue
            seen.add(key)
            cit = Citation(
                source=h.source, heading=h.heading, line_start=h.line_start,
                line_end=h.line_end, kind=h.kind, url=h.url, chunk_id=h.chunk_id,
            )  # fmt: skip
            out.append((h.text, h.heading, cit))
            if len(out) >= limit:
                break
    return out[:limit]



def section_index(g: Grader) -> dict[str, Section]:
    sections = g._sections
    if sections is None:
        with g._open_lock:
            if g._sections is None:
                from interviewer.corpus import load_corpus

                docs = load_corpus(
                    g.settings.corpus_dir, g.settings.max_file_bytes
                ).documents
                g._sections = {s.id: s for d in docs for s in d.sections}
            sections = g._sections
    return sections
