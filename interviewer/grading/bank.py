"""The question bank: questions from the notes' headings, their key points,
the cache with the index."""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import re
from collections import Counter
from itertools import takewhile
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from interviewer import lexicon
from interviewer.corpus import Section, is_stub_text, note_lines
from interviewer.feedback import Citation
from interviewer.grading.material import (
    _PRONOUN_LEAD,
    Candidate,
    Unit,
    _paragraph_scope,
    clean_unit,
    material_units,
)
from interviewer.grading.models import (
    BANK_FILE,
    EMB_FILE,
    EXTRACTION_VERSION,
    Bank,
    Question,
    question_id,
)
from interviewer.grading.naming import _verb_position
from interviewer.grading.points import (
    _normalise,
    _reference_points,
    _to_point,
    dedupe_points,
    iter_points,
)
from interviewer.grading.terms import idf_table
from interviewer.lexicon import WORDS_FILE
from interviewer.text import BARE_URL, MD_LINK, STOPWORDS, clip, text_terms, words
from interviewer.units import even_structure, structure_candidates

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy as np

    from interviewer.chunking import Chunk
    from interviewer.corpus import Document
    from interviewer.embeddings import Embedder
    from interviewer.grading.models import KeyPoint
    from interviewer.settings import Settings

EXCERPT_CHARS = 240  # of notes quoted instead of a grade


_GENERIC_PARENT = lexicon.words("container_headings", WORDS_FILE)
_PAREN = re.compile(r"\([^()]*\)")


def _plain_topic_text(text: str) -> str:
    text = MD_LINK.sub(r"\1", text)
    text = _PAREN.sub(" ", BARE_URL.sub(" ", text))  # asides, sources: "(From X: url)"
    return re.sub(r"^\s*\d{1,3}[.)]\s+", "", text)


def generic_heading(heading: str) -> bool:
    """A container heading that names no subject: 'Questions', 'Interview notes 2025'."""
    toks = [w.lower() for w in words(_plain_topic_text(heading))]
    return all(
        w in _GENERIC_PARENT or w in STOPWORDS or w.isdigit() or len(w) < 2 for w in toks
    )


def question_topic(text: str, parent: str | None) -> str:
    """A short label for progress by topic: the subject of the question itself ("WHERE
    vs HAVING"), else (a blank question) its parent heading when that is a plain heading
    that names a subject (never a link or a source note)."""
    from interviewer.subjects import subject_label

    # (``subject_label`` names every question that has a word: the parent is only
    # read for a blank one.)
    label = subject_label(text)
    if label:
        return label
    if parent and not generic_heading(parent):
        return " ".join(_plain_topic_text(parent).split())[:60] or parent
    return text[:40]


def material_sections(doc: Document, index: int) -> list[Section]:
    """The section at ``index`` and the sections nested under it."""
    head = doc.sections[index]
    return [head, *takewhile(lambda s: s.level > head.level, doc.sections[index + 1 :])]


def _read_lines(doc: Document) -> list[str]:
    # As the loader read them: a flashcard export's tags column is no notes.
    return note_lines(doc)


def section_citation(sec: Section, start: int, end: int) -> Citation:
    return Citation(source=sec.source, heading=sec.heading, line_start=start, line_end=end)


def build_bank(
    documents: list[Document],
    embedder: Embedder | None = None,
    references: Sequence[Chunk] = (),
    corpus_key: str = "",
) -> tuple[Bank, np.ndarray | None]:
    """Extract every question and its key points. With an embedder, near-duplicate
    points are merged and their embeddings returned (aligned with ``iter_points``)."""
    from interviewer.corpus import question_text

    drafts: list[tuple[Question, list[Candidate]]] = []
    loose: list[tuple[Section, list[Candidate]]] = []
    all_texts: list[str] = []
    for doc in documents:
        if doc.kind != "note":
            continue
        lines = _read_lines(doc)
        covered_by_question: set[str] = set()
        seen_ids: Counter[str] = Counter()
        for i, sec in enumerate(doc.sections):
            if not sec.is_question:
                continue
            mats = material_sections(doc, i)
            cands = _candidates(lines, mats)
            cands += structure_candidates(lines, mats, Unit, Candidate, cands)  # names as points
            all_texts.extend(c.text for c in cands)
            covered_by_question.update(s.id for s in mats)
            body = "\n".join(s.text for s in mats)
            if not body.strip():
                status: Literal["ok", "stub", "none"] = "none"
            elif is_stub_text(body) or not cands:
                status = "stub"
            else:
                status = "ok"
            # Real notes with no statement the grader can check an answer against (one
            # short line, a formula, only code): quoted rather than graded, since a point
            # made of a pointer or a reminder would mark a right answer wrong.
            excerpt = None
            if status == "stub" and not is_stub_text(body):
                excerpt = clip(" ".join(body.split()), EXCERPT_CHARS)
            # A unit's question as the corpus loader read it (interviewer.units).
            qtext = sec.question or question_text(sec.heading_path[-1])
            qid = question_id(sec.source, qtext)
            seen_ids[qid] += 1
            if seen_ids[qid] > 1:
                qid = f"{qid}{seen_ids[qid]}"
            # The nearest enclosing heading that is a plain topic, not a question.
            parents = [p for p in sec.heading_path[:-1] if "?" not in p]
            parent = question_text(parents[-1]) if parents else None
            q = Question(
                id=qid,
                text=qtext,
                section_id=sec.id,
                source=sec.source,
                heading=sec.heading,
                topic=question_topic(qtext, parent),
                notes_status=status,
                notes_excerpt=excerpt,
                citation=section_citation(sec, sec.line_start, mats[-1].line_end),
                # (A section's own tags too: an export's tags column gives a card's.)
                tags=list(dict.fromkeys([*doc.tags, *sec.tags]))
                + ([doc.title] if doc.title else []),
                material_sections=[s.id for s in mats],
                kind=sec.unit_kind or "heading",
            )
            drafts.append((q, cands if status == "ok" else []))
        for sec in doc.sections:
            if sec.id in covered_by_question or sec.is_stub:
                continue
            cands = _candidates(lines, [sec])
            all_texts.extend(c.text for c in cands)
            loose.append((sec, cands))

    idf, default_idf = idf_table(all_texts)
    bank = Bank(corpus_key=corpus_key, idf=idf, default_idf=default_idf)
    name_lists: dict[str, list[list[str]]] = {}
    for q, cands in drafts:
        qterms = set(text_terms(q.text).unigrams)
        points = [
            _to_point(q.id, c, idf, default_idf, qterms, section_citation(
                c.unit.section, c.unit.line_start, c.unit.line_end))
            for c in cands
        ]  # fmt: skip
        _weigh_by_question(q.text, cands, points)
        name_lists[q.id] = _name_lists(cands, points)
        # (A reference names the sections that cite it as "source § heading".)
        citing = (f"{q.source} § {q.heading}", q.section_id)
        refs = [r for r in references if any(k in r.citing_sections for k in citing)]
        points.extend(_reference_points(q, refs, idf, default_idf, qterms))
        q.key_points = points
        bank.questions.append(q)
    for sec, cands in loose:
        for c in cands:
            cit = section_citation(sec, c.unit.line_start, c.unit.line_end)
            bank.loose_points.append(_to_point("loose-" + sec.id, c, idf, default_idf, set(), cit))
    for q in bank.questions:
        _weigh_specificity(q.key_points, idf, default_idf)
    vectors = None
    if embedder is not None:
        vectors = dedupe_points(bank, embedder)
    else:
        for q in bank.questions:
            q.key_points = _normalise(q.key_points)
    for q in bank.questions:
        _even_name_lists(q, name_lists.get(q.id, []))
        even_structure(q.key_points)  # sub-heading and label names weigh alike
    return bank, vectors


def _candidates(lines: list[str], sections: list[Section]) -> list[Candidate]:
    """The cleaned candidate points of these sections' material."""
    return _paragraph_scope([c for u in material_units(lines, sections) for c in clean_unit(u)])


def _name_only(c: Candidate) -> bool:
    """A list item that only names something ("Multidimensional Scaling")."""
    # (A parenthetical qualifies the name: "Feature selection (by hand or with tests)".)
    tokens = _PAREN.sub(" ", c.text).split()
    return (
        c.unit.is_list and not c.label and 0 < len(tokens) <= 5
        and _verb_position(tokens) is None
    )  # fmt: skip


def _name_lists(cands: list[Candidate], points: list[KeyPoint]) -> list[list[str]]:
    """Ids of the name-only items of each list (consecutive items of one section at
    one depth), for lists of two or more such items."""
    groups: list[list[str]] = []
    prev: Candidate | None = None
    for c, kp in zip(cands, points, strict=True):
        same_list = (
            prev is not None
            and prev.unit.section.id == c.unit.section.id
            and prev.unit.depth == c.unit.depth
            and c.unit.line_start - prev.unit.line_end <= 1
        )
        if _name_only(c):
            if same_list and groups and prev is not None and _name_only(prev):
                groups[-1].append(kp.id)
            else:
                groups.append([kp.id])
        prev = c
    return [g for g in groups if len(g) >= 2]


def _even_name_lists(q: Question, groups: list[list[str]]) -> None:
    """The items of a list that only name things ("PCA", "Multidimensional Scaling")
    weigh alike: nothing in a bare name says one matters more (how rare its words are,
    or how much it looks like the question's words, is no such signal)."""
    changed = False
    for ids in groups:
        members = [kp for kp in q.key_points if kp.id in ids]
        if len(members) >= 2:
            mean = sum(kp.importance for kp in members) / len(members)
            for kp in members:
                kp.importance = mean
            changed = True
    if changed:
        q.key_points = _normalise(q.key_points)


_ASKS_LIST = re.compile(
    r"\b(examples?|list|name|types?|kinds?|methods|ways|techniques|which|components|"
    r"variants|parameters|metrics)\b",
    re.I,
)
_ASKS_WHAT = re.compile(r"^\s*(what\s+(is|are)|define|explain|describe)\b", re.I)
_ASKS_WHY = re.compile(r"\bwhy\b", re.I)
_ASKS_HOW = re.compile(r"\bhow\b", re.I)
_PURPOSE = re.compile(
    r"\b(so as to|in order to|to (avoid|prevent|reduce|allow)|because|helps?|avoids?|"
    r"prevents?|reduces?)\b",
    re.I,
)


def _weigh_by_question(question: str, cands: list[Candidate], points: list[KeyPoint]) -> None:
    """Points that answer what the question itself asks weigh more: list items when it
    asks for examples or methods, a definition of its subject when it asks what
    something is, a purpose or cause when it asks why, methods and steps when it asks
    how. A sentence that only continues the one before ("It will shrink ...", "In
    other words, ...") is a detail of that point and weighs less."""
    q_stems = set(text_terms(question).unigrams)
    for c, kp in zip(cands, points, strict=True):
        factor = 1.0
        if c.unit.is_list and _ASKS_LIST.search(question):
            factor *= 1.15
        if kp.kind == "definition" and _ASKS_WHAT.search(question):
            subject = set(text_terms(kp.subject or "").unigrams)
            # (No subject: "A technique that ...", a definition of the question's topic.)
            factor *= 1.2 if not subject or subject & q_stems else 1.05
        if _ASKS_WHY.search(question) and (kp.kind == "cause" or _PURPOSE.search(kp.text)):
            factor *= 1.1
        if _ASKS_HOW.search(question) and kp.kind in ("method", "step"):
            factor *= 1.1
        if not c.unit.is_list and (
            _PRONOUN_LEAD.match(c.text)
            or re.match(r"^\s*(in other words|however|but|also|then)\b", c.text, re.I)
        ):
            factor *= 0.9
        kp.importance *= factor


def _weigh_specificity(points: list[KeyPoint], idf: dict[str, float], default_idf: float) -> None:
    """Points that use the subject's technical terms ("TP / (TP + FP)", "harmonic
    mean", "bootstrap") matter more than remarks in everyday words ("some metrics can
    be better indicative"): importance scales by 0.85-1.15 with the mean weight of the
    point's three heaviest words, ranked within the question."""
    if len(points) < 3:
        return
    dens = [
        sum(heapq.nlargest(3, (idf.get(t, default_idf) for t in kp.terms if " " not in t))) / 3
        for kp in points
    ]
    order = sorted(range(len(points)), key=lambda i: dens[i])
    for rank, i in enumerate(order):
        points[i].importance *= 0.85 + 0.3 * rank / (len(points) - 1)

# ---- cache with the index -------------------------------------------------------------------


def corpus_key(
    settings: Settings,
    embedder_name: str,
    reference_ids: Sequence[str],
    schema_version: int | None = None,
) -> str:
    """The key-point cache's key: extraction version, corpus file hashes, the index
    schema (default: the current one), embedder and references."""
    from interviewer.index import SCHEMA_VERSION, current_hashes

    hashes = current_hashes(settings.corpus_dir, settings.max_file_bytes)
    blob = json.dumps(
        {
            "v": EXTRACTION_VERSION,
            # How the corpus reader turns a file into sections (heading cleanup, ids):
            # a change there changes the bank though no file changed.
            "schema": SCHEMA_VERSION if schema_version is None else schema_version,
            "files": sorted(hashes.items()),
            "embedder": embedder_name,
            "refs": sorted(reference_ids),
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def load_cached_bank(index_dir: Path, key: str, n_dim: int) -> tuple[Bank, np.ndarray] | None:
    import numpy as np

    path, emb = index_dir / BANK_FILE, index_dir / EMB_FILE
    if not path.is_file() or not emb.is_file():
        return None
    try:
        bank = Bank.model_validate_json(path.read_text(encoding="utf-8"))
        vectors = np.load(emb)
    except (OSError, ValueError, ValidationError):
        return None
    if bank.corpus_key != key or bank.version != EXTRACTION_VERSION:
        return None
    if vectors.shape != (len(iter_points(bank)), n_dim):
        return None
    return bank, vectors.astype(np.float32)


def save_bank(index_dir: Path, bank: Bank, vectors: np.ndarray) -> None:
    import io

    import numpy as np

    from interviewer.files import write_atomic

    npy = io.BytesIO()
    np.save(npy, vectors)
    for name, data in ((BANK_FILE, bank.model_dump_json().encode()), (EMB_FILE, npy.getvalue())):
        # A cache: when it cannot be written, the next run extracts again.
        with contextlib.suppress(OSError):
            write_atomic(index_dir / name, data)


def reference_chunks(settings: Settings) -> list[Chunk]:
    """Reference chunks of the index (when there is one) that sections of the notes
    cite. Read from the chunk snapshot: no Chroma needed."""
    try:
        from interviewer.index import load_chunks

        chunks = load_chunks(settings.index_dir)
    except Exception:  # noqa: BLE001 - a broken snapshot only costs reference points
        return []
    return [c for c in chunks if c.kind == "reference" and c.citing_sections]
